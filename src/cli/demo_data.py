"""Demo data: users, posts and comments with varied, repeatable text,
generated row by row (src/cli/seed.py writes them)."""

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
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


@dataclass(frozen=True)
class SeedSize:
    users: int
    posts: int
    comments: int


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
        self._user_created: list[datetime] = []
        self.post_ids: list[UUID] = []
        self._post_created: list[datetime] = []

    def _moment(self, after: datetime) -> datetime:
        span = max((self._now - after).total_seconds(), 1.0)
        return after + timedelta(seconds=self._rng.random() * span)

    def users(self) -> Iterator[dict[str, Any]]:
        rng = self._rng
        for n in range(self._size.users):
            user_id = uuid4()
            created_at = self._moment(self._now - timedelta(days=730))
            self.user_ids.append(user_id)
            self._user_created.append(created_at)
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
                "is_superuser": False,
                "email_verified": rng.random() < 0.8,
            }

    def posts(self) -> Iterator[dict[str, Any]]:
        rng, text = self._rng, self._text
        year_ago = self._now - timedelta(days=365)
        for _ in range(self._size.posts):
            creator = rng.randrange(len(self.user_ids))
            creator_id = self.user_ids[creator]
            post_id = uuid4()
            created_at = self._moment(max(self._user_created[creator], year_ago))
            self.post_ids.append(post_id)
            self._post_created.append(created_at)
            content = text.paragraph(2, 12)
            if rng.randrange(RARE_WORD_ODDS) == 0:
                content += f" A {RARE_WORD} was seen."
            yield {
                "id": post_id,
                "created_at": created_at,
                "title": text.title(),
                "content": content,
                "creator_id": creator_id,
                "updated_at": None,
            }

    def comments(self) -> Iterator[dict[str, Any]]:
        rng = self._rng
        for _ in range(self._size.comments):
            post = rng.randrange(len(self.post_ids))
            yield {
                "id": uuid4(),
                "created_at": self._moment(self._post_created[post]),
                "post_id": self.post_ids[post],
                "creator_id": rng.choice(self.user_ids),
                "content": self._text.paragraph(1, 3),
                "updated_at": None,
            }
