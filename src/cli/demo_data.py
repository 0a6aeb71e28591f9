"""Demo data: users, posts (some drafts, most tagged) and comments with
varied, repeatable text, generated row by row (src/cli/seed.py writes them;
src/cli/demo_social.py adds follows and favorites)."""

import itertools
import random
import secrets
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID, uuid4

from src.auth.constants import MusicBand
from src.auth.usernames import username_skeleton
from src.database.base import utcnow

_VOCABULARY = """
async api archive author balance batch blog budget cache calendar channel
coffee column commit context cookie database debug deploy design draft
editor engine event feature field garden guide habit index journal kitchen
latency layout letter library memory migration morning network notebook
office package pattern planet podcast queue reader recipe release request
review river schema season server session signal sketch socket story stream
studio summer system teacher theory ticket travel update version village
window winter worker writer
"""
_NAMES = """
Ada Alan Barbara Claude Dennis Edsger Frances Grace Guido Hedy Ken Linus
Margaret Niklaus Radia Shafi Sophie Tim Whitfield Yukihiro
"""
_WORDS = _VOCABULARY.split()
# Real prose also has rare words: about one post in RARE_WORD_ODDS mentions
# this one (a search that matches few posts).
RARE_WORD = "quokka"
RARE_WORD_ODDS = 10_000
_FIRST_NAMES = _NAMES.split()
_BANDS = [None, *MusicBand]
# One post in DRAFT_ODDS is a draft.
DRAFT_ODDS = 50
# Tags: a vocabulary of TAG_COUNT, the rank-r one used about 1/r**ZIPF_EXPONENT
# as often as the first (Zipf: a few common tags, a long tail of rare ones);
# a post has 0 to MAX_TAGS_PER_POST of them.
TAG_COUNT = 2_000
ZIPF_EXPONENT = 1.1
MAX_TAGS_PER_POST = 4


@dataclass(frozen=True)
class SeedSize:
    users: int
    posts: int
    comments: int
    # Follows: each user follows this many others; the first user is
    # followed by `celebrity_followers` more, the second follows
    # `avid_follows` more. Favorites: each user keeps this many posts.
    follows_per_user: int = 0
    celebrity_followers: int = 0
    avid_follows: int = 0
    favorites_per_user: int = 0


@cache
def tag_names() -> list[str]:
    """TAG_COUNT distinct tag names, the most used first."""
    pairs = (f"{a}-{b}" for a, b in itertools.permutations(_WORDS, 2))
    return list(itertools.islice(itertools.chain(_WORDS, pairs), TAG_COUNT))


class Text:
    """Cheap, varied prose: sentences drawn from a pre-built pool."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._sentences = [self._sentence() for _ in range(2_000)]

    def _sentence(self) -> str:
        words = self._rng.choices(_WORDS, k=self._rng.randint(6, 16))
        return " ".join(words).capitalize() + "."

    def title(self) -> str:
        words = self._rng.choices(_WORDS, k=self._rng.randint(3, 8))
        return " ".join(words).capitalize()

    def paragraph(self, low: int, high: int) -> str:
        count = self._rng.randint(low, high)
        return " ".join(self._rng.choices(self._sentences, k=count))


class DemoRows:
    """The rows of one seed, generated on demand."""

    def __init__(self, size: SeedSize, rng_seed: int | None, hashed_password: str):
        self._size = size
        self._rng = random.Random(rng_seed)  # noqa: S311 - demo text, not secrets
        self._text = Text(self._rng)
        # Usernames carry a random run tag: seeding twice adds, not collides.
        self._tag = secrets.token_hex(3)
        self._hashed_password = hashed_password
        self._now = utcnow()
        self.user_ids: list[UUID] = []
        self.user_created: list[datetime] = []
        self.post_ids: list[UUID] = []
        self.post_created: list[datetime] = []
        # By post: its creator's index and whether it is published.
        self._post_creator = array("I")
        self.published = array("b")
        # The (post, tag) pairs, by index, in each post's order.
        self._tagged_posts = array("I")
        self._tagged_with = array("H")
        self.tag_ids = [uuid4() for _ in range(TAG_COUNT)]
        weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, TAG_COUNT + 1)]
        self._tag_weights = list(itertools.accumulate(weights))

    def _moment(self, after: datetime) -> datetime:
        span = max((self._now - after).total_seconds(), 1.0)
        return after + timedelta(seconds=self._rng.random() * span)

    def users(self) -> Iterator[dict[str, Any]]:
        rng = self._rng
        for n in range(self._size.users):
            user_id = uuid4()
            created_at = self._moment(self._now - timedelta(days=730))
            self.user_ids.append(user_id)
            self.user_created.append(created_at)
            username = f"demo_{self._tag}_{n}"
            yield {
                "id": user_id,
                "created_at": created_at,
                "email": f"{username}@example.com",
                "username": username,
                "username_skeleton": username_skeleton(username),
                "hashed_password": self._hashed_password,
                "first_name": rng.choice(_FIRST_NAMES),
                "age": rng.choice((None, rng.randint(16, 90))),
                "favorite_band": rng.choice(_BANDS),
                "website": None,
                "role": "member",
                "email_verified": rng.random() < 0.8,
            }

    def tags(self, existing: dict[str, UUID]) -> Iterator[dict[str, Any]]:
        """The tags not in `existing` (name to id), whose ids are used."""
        for index, name in enumerate(tag_names()):
            if name in existing:
                self.tag_ids[index] = existing[name]
                continue
            yield {"id": self.tag_ids[index], "name": name, "created_at": self._now}

    def _post_tags(self, post: int) -> list[str]:
        names = tag_names()
        count = self._rng.randint(0, MAX_TAGS_PER_POST)
        chosen = dict.fromkeys(
            self._rng.choices(range(TAG_COUNT), cum_weights=self._tag_weights, k=count)
        )
        for tag in chosen:
            self._tagged_posts.append(post)
            self._tagged_with.append(tag)
        return [names[tag] for tag in chosen]

    def posts(self) -> Iterator[dict[str, Any]]:
        rng, text = self._rng, self._text
        year_ago = self._now - timedelta(days=365)
        for n in range(self._size.posts):
            creator = rng.randrange(len(self.user_ids))
            post_id = uuid4()
            created_at = self._moment(max(self.user_created[creator], year_ago))
            published = rng.randrange(DRAFT_ODDS) != 0
            self.post_ids.append(post_id)
            self.post_created.append(created_at)
            self._post_creator.append(creator)
            self.published.append(published)
            title = text.title()
            content = text.paragraph(2, 12)
            if rng.randrange(RARE_WORD_ODDS) == 0:
                content += f" A {RARE_WORD} was seen."
            yield {
                "id": post_id,
                "created_at": created_at,
                "title": title,
                # Titles are lowercase words: their slug is at hand, and the
                # run tag and the number make it unique.
                "slug": f"{title.lower().replace(' ', '-')[:60]}-{self._tag}{n:x}",
                "description": text.title() if rng.random() < 0.5 else "",
                "content": content,
                "creator_id": self.user_ids[creator],
                "status": "published" if published else "draft",
                "published_at": created_at if published else None,
                "tags": self._post_tags(n),
                "updated_at": None,
            }

    def post_tags(self) -> Iterator[dict[str, Any]]:
        position = 0
        for index, (post, tag) in enumerate(
            zip(self._tagged_posts, self._tagged_with, strict=True)
        ):
            same_post = index > 0 and self._tagged_posts[index - 1] == post
            position = position + 1 if same_post else 0
            yield {
                "post_id": self.post_ids[post],
                "tag_id": self.tag_ids[tag],
                "position": position,
                "creator_id": self.user_ids[self._post_creator[post]],
                "published_at": self.post_created[post]
                if self.published[post]
                else None,
            }

    def moment(self, after: datetime) -> datetime:
        """A random time between `after` and now."""
        return self._moment(after)

    @property
    def rng(self) -> random.Random:
        return self._rng

    def comments(self) -> Iterator[dict[str, Any]]:
        rng = self._rng
        for _ in range(self._size.comments):
            post = rng.randrange(len(self.post_ids))
            yield {
                "id": uuid4(),
                "created_at": self._moment(self.post_created[post]),
                "post_id": self.post_ids[post],
                "creator_id": rng.choice(self.user_ids),
                "content": self._text.paragraph(1, 3),
                "updated_at": None,
            }
