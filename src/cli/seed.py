"""Demo data for local development and benchmarks: users, posts, comments.

Rows are generated in memory in batches and written with one multi-row
INSERT per batch (COPY on PostgreSQL), bypassing the ORM unit of work: the
per-object bookkeeping would cost more than the database does at these sizes.

On PostgreSQL the bulk load also suspends what the database keeps up row by
row, inside the seed's transaction: the list counts' insert triggers (the
seed adds its own counts, known as it generates the rows) and the trigram
search indexes, built again once at the end, which costs about half of
maintaining them batch by batch. Both lock the post and comment tables until
the seed commits: seed a database that is not serving traffic.
"""

import asyncio
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from src.auth.config import AuthConfig
from src.auth.constants import MusicBand
from src.auth.models import User
from src.auth.usernames import username_skeleton
from src.auth.utils import hash_password
from src.comments.models import Comment
from src.database.base import Base, utcnow
from src.models import GLOBAL_OWNER, ListName
from src.posts.models import Post

DEMO_PASSWORD = "Demo-passw0rd!"
BATCH_SIZE = 5_000
# The list counts' insert triggers (migration 2026-12-02_add_list_counts).
COUNT_TRIGGERS = {
    "post": "post_count_insert",
    "post_comment": "post_comment_count_insert",
}
# Seconds a statement of the seed may take (an index build over every post).
SEED_STATEMENT_TIMEOUT = 3600.0
# Enough memory for the trigram indexes to be built in few passes.
INDEX_BUILD_MEMORY = "256MB"

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


type Progress = Callable[[str, int], None]


class _Text:
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


def _batches[T](rows: Iterator[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _write(
    connection: AsyncConnection,
    table: Table,
    rows: Iterator[dict[str, Any]],
    progress: Progress,
) -> None:
    raw = await connection.get_raw_connection()
    copy = getattr(raw.driver_connection, "copy_records_to_table", None)
    batches = _batches(rows, BATCH_SIZE)

    def take() -> list[dict[str, Any]] | None:
        return next(batches, None)

    def next_batch() -> asyncio.Task[list[dict[str, Any]] | None]:
        # Made in a thread while the database writes the previous batch.
        return asyncio.ensure_future(asyncio.to_thread(take))

    pending = next_batch()
    while (batch := await pending) is not None:
        pending = next_batch()
        if copy is not None:  # asyncpg: COPY is several times faster than INSERT
            columns = list(batch[0])
            await copy(
                table.name,
                records=[tuple(row[c] for c in columns) for row in batch],
                columns=columns,
            )
        else:
            await connection.execute(insert(table), batch)
        progress(table.name, len(batch))


async def _suspend_upkeep(connection: AsyncConnection) -> list[str]:
    """PostgreSQL: stop the count triggers and drop the trigram indexes for
    the rest of the transaction; returns the statements that rebuild them.
    """
    for table, trigger in COUNT_TRIGGERS.items():
        await connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
    indexes = (
        await connection.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = 'post' AND indexdef LIKE '%gin_trgm_ops%'"
            )
        )
    ).all()
    for name, _ in indexes:
        await connection.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in indexes]


async def _restore_upkeep(
    connection: AsyncConnection,
    indexes: list[str],
    counts: Iterable[tuple[str, UUID, int]],
) -> None:
    """Add the seeded rows' `counts`, re-enable the triggers, rebuild the indexes."""
    await connection.execute(
        text("CREATE TEMPORARY TABLE seed_count (LIKE list_count) ON COMMIT DROP")
    )
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        "seed_count",
        records=[(name, owner, 0, total) for name, owner, total in counts],
        columns=["list_name", "owner_id", "slot", "total"],
    )
    await connection.execute(
        text(
            "INSERT INTO list_count SELECT * FROM seed_count "
            "ON CONFLICT (list_name, owner_id, slot) "
            "DO UPDATE SET total = list_count.total + excluded.total"
        )
    )
    for table_name, trigger in COUNT_TRIGGERS.items():
        await connection.execute(
            text(f"ALTER TABLE {table_name} ENABLE TRIGGER {trigger}")
        )
    await connection.execute(
        text(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
    )
    for definition in indexes:
        await connection.execute(text(definition))


class _DemoRows:
    """The rows of one seed, generated on demand, and the list counts they add."""

    def __init__(self, size: SeedSize, rng_seed: int | None, hashed_password: str):
        self._size = size
        self._rng = random.Random(rng_seed)  # noqa: S311 - demo text, not secrets
        self._text = _Text(self._rng)
        # Usernames carry a random run tag: seeding twice adds, not collides.
        self._tag = secrets.token_hex(3)
        self._hashed_password = hashed_password
        self._now = utcnow()
        self.user_ids: list[UUID] = []
        self._user_created: list[datetime] = []
        self.post_ids: list[UUID] = []
        self._post_created: list[datetime] = []
        self._posts_by_user: Counter[UUID] = Counter()
        self._comments_by_post: Counter[UUID] = Counter()

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
            self._posts_by_user[creator_id] += 1
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
            self._comments_by_post[self.post_ids[post]] += 1
            yield {
                "id": uuid4(),
                "created_at": self._moment(self._post_created[post]),
                "post_id": self.post_ids[post],
                "creator_id": rng.choice(self.user_ids),
                "content": self._text.paragraph(1, 3),
                "updated_at": None,
            }

    def counts(self) -> Iterator[tuple[str, UUID, int]]:
        """What the generated rows add to each list's total."""
        if self.post_ids:
            yield ListName.POSTS, GLOBAL_OWNER, len(self.post_ids)
        for user_id, total in self._posts_by_user.items():
            yield ListName.USER_POSTS, user_id, total
        for post_id, total in self._comments_by_post.items():
            yield ListName.POST_COMMENTS, post_id, total


async def seed(
    engine: AsyncEngine,
    size: SeedSize,
    *,
    auth: AuthConfig,
    progress: Progress,
    rng_seed: int | None,
) -> None:
    """Insert `size` demo rows in one transaction; all users share DEMO_PASSWORD.

    Usernames carry a random run tag, so seeding twice adds to the data
    instead of colliding with it.
    """
    rows = _DemoRows(size, rng_seed, await hash_password(DEMO_PASSWORD, auth))
    tables = Base.metadata.tables
    async with engine.begin() as connection:
        bulk = connection.dialect.name == "postgresql"
        indexes = await _suspend_upkeep(connection) if bulk else []
        await _write(connection, tables[User.__tablename__], rows.users(), progress)
        if rows.user_ids:
            await _write(connection, tables[Post.__tablename__], rows.posts(), progress)
        if rows.post_ids:
            await _write(
                connection, tables[Comment.__tablename__], rows.comments(), progress
            )
        if bulk:
            await _restore_upkeep(connection, indexes, rows.counts())
