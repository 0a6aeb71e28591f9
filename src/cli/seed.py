"""`seed`: demo data for local development and benchmarks.

Rows are generated in memory (src/cli/demo_data.py, src/cli/demo_social.py)
in batches and written
with one multi-row INSERT per batch (COPY on PostgreSQL), bypassing the ORM
unit of work: the per-object bookkeeping would cost more than the database
does at these sizes.

On PostgreSQL the bulk load also suspends what the database keeps up row by
row, inside the seed's transaction: the counted lists' insert triggers (the
lists of the seeded tables are counted again once, at the end) and the
trigram search indexes, built again once at the end, which costs about half
of maintaining them batch by batch. Both lock the seeded tables until the
seed commits: seed a database that is not serving traffic.
"""

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Table, insert, select, text, true
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from src.auth.config import AuthConfig
from src.auth.models import User
from src.auth.utils import hash_password
from src.cli import demo_social
from src.cli.demo_data import DemoRows, SeedSize
from src.comments.models import Comment
from src.config import Settings
from src.database.base import Base, insert_ignoring_duplicates
from src.database.counts import COUNTED_LISTS, recount_sql
from src.database.engine import create_engine
from src.favorites.models import Favorite
from src.follows.models import Follow
from src.posts.models import Post, PostSlug
from src.tags.models import PostTag, Tag

DEMO_PASSWORD = "Demo-passw0rd!"
BATCH_SIZE = 5_000
# Seconds a statement of the seed may take (an index build over every post).
SEED_STATEMENT_TIMEOUT = 3600.0
# Enough memory for the trigram indexes to be built in few passes.
INDEX_BUILD_MEMORY = "256MB"

type Advance = Callable[[str, int], None]


def _batches[T](rows: Iterator[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copied(value: Any) -> Any:
    # COPY takes a JSON column's value as its text.
    return json.dumps(value) if isinstance(value, list | dict) else value


async def _write(
    connection: AsyncConnection,
    table: Table,
    rows: Iterator[dict[str, Any]],
    advance: Advance,
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
                records=[tuple(_copied(row[c]) for c in columns) for row in batch],
                columns=columns,
            )
        else:
            await connection.execute(insert(table), batch)
        advance(table.name, len(batch))


# The count triggers a bulk insert into these tables would fire per batch.
SEEDED_TABLES = tuple(
    model.__tablename__ for model in (Post, Comment, PostTag, Follow, Favorite)
)


async def _suspend_upkeep(connection: AsyncConnection) -> list[str]:
    """PostgreSQL: stop the count triggers of the seeded tables and drop the
    trigram indexes for the rest of the transaction; returns the statements
    that rebuild the indexes.
    """
    for table in SEEDED_TABLES:
        await connection.execute(
            text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_count_insert")
        )
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


async def _restore_upkeep(connection: AsyncConnection, indexes: list[str]) -> None:
    """Count the seeded tables' lists again, re-enable their triggers, and
    rebuild the indexes."""
    for counted in COUNTED_LISTS.values():
        if counted.table in SEEDED_TABLES:
            for statement in recount_sql(counted, "postgresql"):
                await connection.execute(text(statement))
    for table in SEEDED_TABLES:
        await connection.execute(
            text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_count_insert")
        )
    await connection.execute(
        text(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
    )
    for definition in indexes:
        await connection.execute(text(definition))


async def load(
    engine: AsyncEngine,
    size: SeedSize,
    *,
    auth: AuthConfig,
    advance: Advance,
    rng_seed: int | None,
) -> None:
    """Insert `size` demo rows in one transaction; all users share DEMO_PASSWORD.

    Usernames carry a random run tag, so seeding twice adds to the data
    instead of colliding with it.
    """
    rows = DemoRows(size, rng_seed, await hash_password(DEMO_PASSWORD, auth))
    tables = Base.metadata.tables

    async def write(model: type[Base], generated: Iterator[dict[str, Any]]) -> None:
        await _write(connection, tables[model.__tablename__], generated, advance)

    async with engine.begin() as connection:
        bulk = connection.dialect.name == "postgresql"
        indexes = await _suspend_upkeep(connection) if bulk else []
        await write(User, rows.users())
        existing = dict((await connection.execute(select(Tag.name, Tag.id))).all())
        await write(Tag, rows.tags(existing))
        if rows.user_ids:
            await write(Post, rows.posts())
            # Every post's slug is also its first entry in post_slug.
            await connection.execute(
                insert_ignoring_duplicates(
                    PostSlug, connection.dialect.name
                ).from_select(
                    # SQLite reads ON CONFLICT after a SELECT's WHERE only.
                    ["slug", "post_id"],
                    select(Post.slug, Post.id).where(true()),
                )
            )
        if rows.post_ids:
            await write(Comment, rows.comments())
            await write(PostTag, rows.post_tags())
            await write(Favorite, demo_social.favorites(rows, size))
        await write(Follow, demo_social.follows(rows, size))
        if bulk:
            await _restore_upkeep(connection, indexes)


async def _seed(settings: Settings, size: SeedSize, rng_seed: int | None) -> None:
    # Building the search indexes of a million posts takes minutes, not the
    # seconds a request's statement may.
    engine = create_engine(
        settings.app.model_copy(
            update={"DATABASE_COMMAND_TIMEOUT": SEED_STATEMENT_TIMEOUT}
        )
    )
    columns = (
        TextColumn("{task.description:<13}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns) as bar:
            tasks = {
                model.__tablename__: bar.add_task(what, total=total)
                for model, what, total in (
                    (User, "users", size.users),
                    (Tag, "tags", None),
                    (Post, "posts", size.posts),
                    (Comment, "comments", size.comments),
                    (PostTag, "post tags", None),
                    (Favorite, "favorites", size.users * size.favorites_per_user),
                    (Follow, "follows", None),
                )
            }
            await load(
                engine,
                size,
                auth=settings.auth,
                rng_seed=rng_seed,
                advance=lambda table, rows: bar.advance(tasks[table], rows),
            )
    finally:
        await engine.dispose()


def seed(
    ctx: typer.Context,
    users: Annotated[int, typer.Option(help="Users to create", min=1)] = 1_000,
    posts: Annotated[int, typer.Option(help="Posts to create", min=0)] = 10_000,
    comments: Annotated[int, typer.Option(help="Comments to create", min=0)] = 50_000,
    follows_per_user: Annotated[
        int, typer.Option(help="Users each user follows", min=0)
    ] = 5,
    celebrity_followers: Annotated[
        int, typer.Option(help="More followers of the first user", min=0)
    ] = 0,
    avid_follows: Annotated[
        int, typer.Option(help="More users the second user follows", min=0)
    ] = 0,
    favorites_per_user: Annotated[
        int, typer.Option(help="Posts each user favorites", min=0)
    ] = 5,
    random_seed: Annotated[
        int | None, typer.Option(help="Seed for repeatable text and dates")
    ] = None,
    confirm_environment: Annotated[
        str | None,
        typer.Option(
            help="Outside local: the value of ENVIRONMENT, to confirm that demo "
            "accounts with a known password belong there"
        ),
    ] = None,
) -> None:
    """Fill the database with demo users, posts (tagged, some drafts),
    comments, follows and favorites.

    Every demo user's password is printed at the end. Run `migrate` first.
    Outside ENVIRONMENT=local it refuses unless --confirm-environment names
    the environment.
    """
    environment = ctx.obj.app.ENVIRONMENT
    if environment.is_deployed and confirm_environment != environment.value:
        typer.echo(
            f"seed creates accounts anyone can log in to (password {DEMO_PASSWORD!r}); "
            f"with ENVIRONMENT={environment.value}, pass "
            f"--confirm-environment {environment.value} if that is meant",
            err=True,
        )
        raise typer.Exit(code=2)
    if comments and not posts:
        typer.echo("comments need posts: pass --posts as well", err=True)
        raise typer.Exit(code=2)
    size = SeedSize(
        users,
        posts,
        comments,
        follows_per_user=follows_per_user,
        celebrity_followers=celebrity_followers,
        avid_follows=avid_follows,
        favorites_per_user=favorites_per_user,
    )
    started = time.perf_counter()
    asyncio.run(_seed(ctx.obj, size, random_seed))
    typer.echo(
        f"Seeded {users} users, {posts} posts and {comments} comments "
        f"in {time.perf_counter() - started:.1f} s. "
        f"Demo users log in with the password {DEMO_PASSWORD!r}."
    )
