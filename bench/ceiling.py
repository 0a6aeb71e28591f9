"""The ceiling for `GET /posts/{id}`: Starlette and a bare asyncpg pool.

No ORM, no validation, no middleware, no logging: the same SQL and the same
JSON fields as the API, written by hand. `bench/posts.sh` runs it on the
same port, core and database as the API, and reports the API's share of it.
Run alone: DATABASE_URL=postgresql://... uvicorn bench.ceiling:app
"""

import json
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DSN = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
# As many connections as the API's pool holds (bench/common.sh).
POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "20"))

POST_SQL = """
SELECT p.id, p.title, p.content, p.creator_id, u.username, p.created_at,
       p.updated_at,
       (SELECT count(c.id) FROM post_comment c WHERE c.post_id = p.id) AS comments
FROM post p JOIN auth_user u ON u.id = p.creator_id
WHERE p.id = $1
"""


def _iso(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


async def get_post(request: Request) -> Response:
    try:
        post_id = UUID(request.path_params["post_id"])
    except ValueError:
        return Response(status_code=422)
    pool: asyncpg.Pool = request.state.pool
    row = await pool.fetchrow(POST_SQL, post_id)
    if row is None:
        body = '{"detail":"Post not found"}'
        return Response(body, status_code=404, media_type="application/json")
    body = {
        "id": str(row["id"]),
        "title": row["title"],
        "content": row["content"],
        "creator_id": str(row["creator_id"]),
        "creator": {"id": str(row["creator_id"]), "username": row["username"]},
        "comments_count": row["comments"],
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
    }
    return Response(json.dumps(body), media_type="application/json")


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncGenerator[dict[str, Any]]:
    async with asyncpg.create_pool(DSN, min_size=POOL_SIZE, max_size=POOL_SIZE) as pool:
        yield {"pool": pool}


app = Starlette(routes=[Route("/posts/{post_id}", get_post)], lifespan=lifespan)
