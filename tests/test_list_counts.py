"""Every list's `total` comes from counts the database keeps in the writing
transaction: exact after concurrent writes and cascading deletes, and
filled in for existing data by the migration that adds them."""

import asyncio
import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import Boolean, column, func, insert, select, table, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    create_async_engine,
)

from alembic import command
from src.auth.models import User
from src.comments.models import Comment
from src.database import migrations
from src.database.base import utcnow
from src.database.count_triggers import Trigger, trigger_ddl
from src.database.counts import ListCount, purge_orphaned_counts
from src.notifications.models import Notification
from src.posts.models import Post
from tests.factories import AuthUser, create_comment, create_post, create_user

pytestmark = pytest.mark.anyio

COUNTED_REVISION = "5c2e8d1a7b93"


async def _total(client: AsyncClient, url: str, **params: Any) -> int:
    headers = params.pop("headers", None)
    response = await client.get(url, params=params, headers=headers)
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


async def _assert_totals_are_counts(
    client: AsyncClient, engine: AsyncEngine, users: list[AuthUser]
) -> None:
    async with engine.connect() as conn:
        posts = (await conn.execute(select(Post.id, Post.creator_id))).all()
        comments = (await conn.execute(select(Comment.post_id))).scalars().all()
        notifications = (
            await conn.execute(select(Notification.user_id, Notification.read_at))
        ).all()
    assert await _total(client, "/posts") == len(posts)
    for user in users:
        mine = [p for p in posts if str(p.creator_id) == user.id]
        assert await _total(client, f"/users/{user.id}/posts") == len(mine)
        own = [n for n in notifications if str(n.user_id) == user.id]
        unread = [n for n in own if n.read_at is None]
        assert await _total(client, "/notifications", headers=user.headers) == len(own)
        assert await _total(
            client, "/notifications", unread="true", headers=user.headers
        ) == len(unread)
        assert await _total(
            client, "/notifications", unread="false", headers=user.headers
        ) == len(own) - len(unread)
    for post_id, _ in posts:
        expected = comments.count(post_id)
        assert await _total(client, f"/posts/{post_id}/comments") == expected
        post = (await client.get(f"/posts/{post_id}")).json()
        assert post["comments_count"] == expected


async def test_totals_stay_exact_under_concurrent_writes_and_cascades(
    committing_client: AsyncClient, engine: AsyncEngine
) -> None:
    client = committing_client
    users = [await create_user(client) for _ in range(3)]
    posts = [await create_post(client, users[n % 3]) for n in range(6)]

    async def write(n: int) -> None:
        author = users[n % 3]
        post = posts[n % len(posts)]
        if n % 5 == 0:
            await client.delete(f"/posts/{post['id']}", headers=post_owner(post))
        elif n % 5 == 1:
            await create_post(client, author)
        elif n % 7 == 2:
            await client.post("/notifications/read-all", headers=author.headers)
        else:
            await client.post(
                f"/posts/{post['id']}/comments",
                json={"content": f"comment {n}"},
                headers=author.headers,
            )

    def post_owner(post: dict[str, Any]) -> dict[str, str]:
        return next(u.headers for u in users if u.id == post["creator_id"])

    await asyncio.gather(*(write(n) for n in range(50)))
    await _assert_totals_are_counts(client, engine, users)

    # An account's deletion cascades to its posts, comments and notifications.
    await client.delete("/auth/users/me", headers=users[0].headers)
    await _assert_totals_are_counts(client, engine, users[1:])


async def test_counts_of_deleted_posts_and_users_are_purged(
    committing_client: AsyncClient, engine: AsyncEngine
) -> None:
    client = committing_client
    author, commenter = await create_user(client), await create_user(client)
    kept, deleted = await create_post(client, author), await create_post(client, author)
    for post in (kept, deleted):
        await create_comment(client, post["id"], commenter)
    await create_post(client, commenter)  # so that the commenter owns a count
    await create_comment(client, kept["id"], author)  # outlives the commenter
    await client.delete(f"/posts/{deleted['id']}", headers=author.headers)
    await client.delete("/auth/users/me", headers=commenter.headers)

    async with engine.begin() as conn:
        counted_owners = select(ListCount.list_name, ListCount.owner_id)
        before = set((await conn.execute(counted_owners)).all())
    async with AsyncSession(engine) as session:
        removed = await purge_orphaned_counts(session)
        await session.commit()
    async with engine.connect() as conn:
        after = set((await conn.execute(counted_owners)).all())

    gone = {str(uuid.UUID(deleted["id"])), str(uuid.UUID(commenter.id))}
    assert {str(owner) for _, owner in before - after} == gone
    assert removed == len(before - after)
    assert await _total(client, f"/posts/{kept['id']}/comments") == 1
    assert await _total(client, f"/users/{author.id}/posts") == 1


async def _installed_triggers(conn: AsyncConnection) -> dict[str, tuple[str, ...]]:
    if conn.dialect.name == "postgresql":
        rows = await conn.execute(
            text(
                "SELECT t.tgname, p.prosrc, pg_get_triggerdef(t.oid) "
                "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal"
            )
        )
        return {
            name: (body, definition.replace(" ON public.", " ON "))
            for name, body, definition in rows
        }
    # Not the full-text index's (migration 2026-12-06_sqlite_post_search).
    rows = await conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name NOT LIKE 'post\\_search\\_%' ESCAPE '\\'"
        )
    )
    return {name: (sql,) for name, sql in rows}


def _rendered(trigger: Trigger) -> tuple[str, ...]:
    if trigger.function_body is None:
        return trigger.create
    return trigger.function_body, trigger.create[-1]


async def test_the_database_counts_what_the_models_declare(
    connection: AsyncConnection,
) -> None:
    # A counted list declared or changed without a migration fails here.
    expected = trigger_ddl(connection.dialect.name)

    installed = await _installed_triggers(connection)

    statements = "\n".join(sql for trigger in expected for sql in trigger.create)
    assert installed == {t.name: _rendered(t) for t in expected}, (
        "The counted lists' triggers differ from their declarations: write a "
        f"migration that replaces them with:\n{statements}"
    )


def test_the_migration_counts_existing_data(empty_database: str) -> None:
    config = migrations.alembic_config(empty_database)
    command.upgrade(config, f"{COUNTED_REVISION}-1")
    asyncio.run(_add_rows(empty_database))

    command.upgrade(config, COUNTED_REVISION)

    assert asyncio.run(_counts(empty_database)) == {
        "posts": 3,
        "user_posts": 3,
        "post_comments": 2,
        "notifications": 2,
        "unread_notifications": 1,
    }


def _as_then(model: Any, rows: list[dict[str, Any]]) -> Any:
    """An insert of `rows` into `model`'s table naming their columns only:
    the table as it was at the revision under test, without the columns
    (and defaults) added since."""
    # A column since dropped (auth_user.is_superuser) was a boolean.
    columns = [
        column(
            name,
            model.__table__.c[name].type if name in model.__table__.c else Boolean(),
        )
        for name in rows[0]
    ]
    return insert(table(model.__tablename__, *columns)).values(rows)


async def _add_rows(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        users = [uuid.uuid4(), uuid.uuid4()]
        await conn.execute(
            _as_then(
                User,
                [
                    {
                        "id": user_id,
                        "email": f"{user_id.hex}@example.com",
                        "username": user_id.hex[:20],
                        "hashed_password": "x",
                        "first_name": "A",
                        "created_at": utcnow(),
                        "is_superuser": False,
                        "email_verified": False,
                    }
                    for user_id in users
                ],
            )
        )
        posts = [uuid.uuid4() for _ in range(3)]
        await conn.execute(
            _as_then(
                Post,
                [
                    {
                        "id": p,
                        "title": "t",
                        "content": "c",
                        "creator_id": users[0],
                        "created_at": utcnow(),
                    }
                    for p in posts
                ],
            )
        )
        comments = [uuid.uuid4(), uuid.uuid4()]
        await conn.execute(
            _as_then(
                Comment,
                [
                    {
                        "id": c,
                        "post_id": posts[0],
                        "creator_id": users[1],
                        "content": "c",
                        "created_at": utcnow(),
                    }
                    for c in comments
                ],
            )
        )
        await conn.execute(
            _as_then(
                Notification,
                [
                    {
                        "id": uuid.uuid4(),
                        "user_id": users[0],
                        "actor_id": users[1],
                        "type": "comment_created",
                        "post_id": posts[0],
                        "comment_id": c,
                        "created_at": utcnow(),
                        "read_at": read_at,
                    }
                    for c, read_at in zip(comments, [None, utcnow()], strict=True)
                ],
            )
        )
    await engine.dispose()


async def _counts(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(ListCount.list_name, func.sum(ListCount.total)).group_by(
                ListCount.list_name
            )
        )
        counts = {name: int(total) for name, total in rows}
    await engine.dispose()
    return counts
