"""The ceiling for `GET /posts/{id}`, the feed (`GET /posts?limit=N`) and
`GET /users/{id}`:
Starlette and a bare asyncpg pool.

No ORM, no validation, no middleware, no logging: the same SQL and the same
JSON fields as the API, written by hand and serialized with orjson, as
someone writing the endpoint by hand for speed would. `bench/posts.sh` runs it on the
same port, core and database as the API, and reports the API's share of it.
Run alone: DATABASE_URL=postgresql://... uvicorn bench.ceiling:app
"""

import base64
import hashlib
import hmac
import os
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DSN = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
# As many connections as the API's pool holds by default.
POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "10"))
CURSOR_KEY = b"ceiling"

COLUMNS = """
SELECT p.id, p.slug, p.title, p.description, p.content, p.tags, p.status,
       p.creator_id, u.username, p.created_at, p.updated_at, p.published_at,
       (SELECT coalesce(sum(n.total), 0)::bigint FROM list_count n
        WHERE n.list_name = 'post_comments' AND n.owner_id = p.id) AS comments,
       (SELECT coalesce(sum(n.total), 0)::bigint FROM list_count n
        WHERE n.list_name = 'post_favorites' AND n.owner_id = p.id) AS favorites
FROM post p JOIN auth_user u ON u.id = p.creator_id
"""
POST_SQL = COLUMNS + "WHERE p.id = $1 AND p.status = 'published'"
FEED_SQL = (
    COLUMNS
    + "WHERE p.status = 'published' ORDER BY p.published_at DESC, p.id DESC LIMIT $1"
)
PROFILE_SQL = """
SELECT u.id, u.username, u.first_name, u.bio, u.image, u.favorite_band,
       u.website, u.created_at,
       (SELECT coalesce(sum(n.total), 0)::bigint FROM list_count n
        WHERE n.list_name = 'user_followers' AND n.owner_id = u.id) AS followers,
       (SELECT coalesce(sum(n.total), 0)::bigint FROM list_count n
        WHERE n.list_name = 'user_following' AND n.owner_id = u.id) AS following
FROM auth_user u WHERE u.id = $1
"""
FEED_TOTAL_SQL = """
SELECT coalesce(sum(total), 0)::bigint FROM list_count
WHERE list_name = 'posts' AND owner_id = '00000000-0000-0000-0000-000000000000'
"""


def _iso(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


async def _one_row(
    request: Request,
    sql: str,
    shape: Callable[[asyncpg.Record], dict[str, Any]],
    missing: str,
) -> Response:
    """One row by the id in the path, as JSON; 404 with `missing`."""
    try:
        row_id = UUID(next(iter(request.path_params.values())))
    except ValueError:
        return Response(status_code=422)
    pool: asyncpg.Pool = request.state.pool
    row = await pool.fetchrow(sql, row_id)
    if row is None:
        body = orjson.dumps({"detail": missing})
        return Response(body, status_code=404, media_type="application/json")
    return Response(orjson.dumps(shape(row)), media_type="application/json")


async def get_post(request: Request) -> Response:
    return await _one_row(request, POST_SQL, _post, "Post not found")


def _post(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "slug": row["slug"],
        "title": row["title"],
        "description": row["description"],
        "content": row["content"],
        "tags": orjson.loads(row["tags"]),
        "status": row["status"],
        "creator_id": str(row["creator_id"]),
        "creator": {"id": str(row["creator_id"]), "username": row["username"]},
        "comments_count": row["comments"],
        "favorites_count": row["favorites"],
        "favorited": False,
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
        "published_at": _iso(row["published_at"]),
    }


async def get_profile(request: Request) -> Response:
    return await _one_row(request, PROFILE_SQL, _profile, "User not found")


def _profile(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "username": row["username"],
        "first_name": row["first_name"],
        "bio": row["bio"],
        "image": row["image"],
        "favorite_band": row["favorite_band"],
        "website": row["website"],
        "created_at": _iso(row["created_at"]),
        "followers_count": row["followers"],
        "following_count": row["following"],
        "following": False,
    }


def _cursor(row: asyncpg.Record) -> str:
    payload = orjson.dumps([row["published_at"].isoformat(), row["id"].hex])
    signature = hmac.digest(CURSOR_KEY, payload, hashlib.sha256)[:16]
    return (
        base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
        + "."
        + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    )


async def list_posts(request: Request) -> Response:
    try:
        limit = int(request.query_params.get("limit", "20"))
    except ValueError:
        return Response(status_code=422)
    if not 1 <= limit <= 100:
        return Response(status_code=422)
    pool: asyncpg.Pool = request.state.pool
    async with pool.acquire() as connection:
        rows = await connection.fetch(FEED_SQL, limit + 1)
        total = await connection.fetchval(FEED_TOTAL_SQL)
    page = rows[:limit]
    body = {
        "items": [_post(row) for row in page],
        "total": total,
        "limit": limit,
        "offset": 0,
        "next_cursor": _cursor(page[-1]) if len(rows) > limit else None,
    }
    return Response(orjson.dumps(body), media_type="application/json")


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncGenerator[dict[str, Any]]:
    async with asyncpg.create_pool(DSN, min_size=POOL_SIZE, max_size=POOL_SIZE) as pool:
        yield {"pool": pool}


app = Starlette(
    routes=[
        Route("/posts", list_posts),
        Route("/posts/{post_id}", get_post),
        Route("/users/{user_id}", get_profile),
    ],
    lifespan=lifespan,
)
