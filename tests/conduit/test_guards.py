"""The native API's protections hold on /api too, and the switch removes it."""

import dataclasses
from typing import Any

import pytest
from httpx import AsyncClient

from src.conduit.config import ConduitConfig
from src.config import Settings
from tests.conduit.test_accounts import register, token
from tests.utils import app_client

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            "/api/articles",
            {"article": {"title": "A\x00", "description": "", "body": "b"}},
        ),
        # A lone surrogate: JSON can spell it, UTF-8 cannot store it.
        (
            "POST",
            "/api/articles",
            '{"article": {"title": "T", "description": "", "body": "\\ud800"}}',
        ),
        ("PUT", "/api/user", {"user": {"bio": "nul\x00"}}),
        ("GET", "/api/articles?author=a%00b", None),
        ("GET", "/api/articles/sl%00ug", None),
        ("GET", "/api/profiles/na%00me", None),
    ],
)
async def test_text_no_database_can_store_is_a_422(
    client: AsyncClient, method: str, path: str, body: dict[str, Any] | str | None
) -> None:
    user = await register(client)
    headers = token(user) | {"Content-Type": "application/json"}
    response = await client.request(
        method,
        path,
        content=body if isinstance(body, str) else None,
        json=body if not isinstance(body, str) else None,
        headers=headers,
    )

    assert response.status_code == 422, response.text
    assert "errors" in response.json()


async def test_a_body_over_the_limit_is_refused_before_it_is_read(
    client: AsyncClient,
) -> None:
    user = await register(client)
    huge = {"article": {"title": "T", "description": "", "body": "x" * 2_000_000}}
    response = await client.post("/api/articles", json=huge, headers=token(user))
    listed = await client.get("/api/articles")

    assert response.status_code == 413
    assert listed.json()["articlesCount"] == 0


async def test_conduit_enabled_false_removes_the_routes(
    app_factory: Any, settings: Settings
) -> None:
    off = dataclasses.replace(
        settings, conduit=ConduitConfig(_env_file=None, ENABLED=False)
    )
    async with app_client(app_factory(settings=off)) as client:
        response = await client.get("/api/tags")
        document = await client.get("/openapi.json")

    assert response.status_code == 404
    assert not [path for path in document.json()["paths"] if path.startswith("/api")]
