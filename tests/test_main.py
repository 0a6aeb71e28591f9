import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
from fastapi import Body, FastAPI
from httpx import AsyncClient
from sqlalchemy import exc as sa_exc

from src.constants import Environment
from tests.factories import AuthUser
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio


def _add_probe_routes(app: FastAPI) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret connection string postgres://u:p@db")

    @app.get("/boom-in-the-database")
    async def boom_in_the_database() -> None:
        raise sa_exc.IntegrityError("INSERT ...", {}, Exception("constraint"))

    @app.post("/echo")
    async def echo(payload: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        return payload


@pytest.fixture
async def probe_client(app_factory: AppFactory) -> AsyncIterator[AsyncClient]:
    app = app_factory(MAX_REQUEST_BYTES=1024)
    _add_probe_routes(app)
    async with app_client(app) as client:
        yield client


async def test_generates_a_request_id_when_none_is_sent(client: AsyncClient) -> None:
    response = await client.get("/health")

    request_id = response.headers["X-Request-ID"]
    assert 1 <= len(request_id) <= 128


async def test_echoes_a_sane_request_id(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc.DEF_123-x"})

    assert response.headers["X-Request-ID"] == "abc.DEF_123-x"


@pytest.mark.parametrize(
    "bad_id", [b"a" * 129, b"has space", b"semi;colon", b"tab\tx", "ü".encode()]
)
async def test_replaces_an_insane_request_id(
    client: AsyncClient, bad_id: bytes
) -> None:
    response = await client.get("/health", headers=[(b"X-Request-ID", bad_id)])

    assert response.headers["X-Request-ID"].encode() != bad_id
    assert response.headers["X-Request-ID"]


async def test_unhandled_error_is_a_bare_500_with_request_id(
    probe_client: AsyncClient,
) -> None:
    response = await probe_client.get("/boom", headers={"X-Request-ID": "trace-500"})

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert "postgres" not in response.text
    assert response.headers["X-Request-ID"] == "trace-500"


@pytest.mark.parametrize("path", ["/boom", "/boom-in-the-database"])
async def test_a_500_carries_one_request_id(
    probe_client: AsyncClient, path: str
) -> None:
    response = await probe_client.get(path, headers={"X-Request-ID": "trace-500"})

    assert response.status_code == 500
    assert response.headers.get_list("X-Request-ID") == ["trace-500"]


async def test_unhandled_error_is_logged_with_request_id(
    probe_client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await probe_client.get("/boom", headers={"X-Request-ID": "trace-log"})

    events = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    error = next(e for e in events if e["event"] == "unhandled_exception")
    assert error["request_id"] == "trace-log"
    access = next(e for e in events if e["event"] == "request")
    assert access["status"] == 500
    assert access["request_id"] == "trace-log"


async def test_one_access_line_per_request(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await client.get("/health", headers={"X-Request-ID": "access-1"})

    lines = [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, dict) and r.msg["event"] == "request"
    ]
    assert len(lines) == 1
    assert lines[0]["method"] == "GET"
    assert lines[0]["path"] == "/health"
    assert lines[0]["status"] == 200
    assert lines[0]["request_id"] == "access-1"
    assert lines[0]["duration_ms"] >= 0


async def test_body_over_the_limit_is_413(probe_client: AsyncClient) -> None:
    response = await probe_client.post("/echo", json={"text": "x" * 2000})

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large"}
    assert response.headers["X-Request-ID"]


async def test_streamed_body_over_the_limit_is_413(probe_client: AsyncClient) -> None:
    async def chunks() -> Any:
        yield b'{"text": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    response = await probe_client.post(
        "/echo", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large"}


async def test_body_under_the_limit_is_accepted(probe_client: AsyncClient) -> None:
    response = await probe_client.post("/echo", json={"text": "hello"})

    assert response.status_code == 200
    assert response.json() == {"text": "hello"}


@pytest.mark.parametrize("environment", [Environment.LOCAL, Environment.STAGING])
async def test_docs_served_outside_production(
    app_factory: AppFactory, environment: Environment
) -> None:
    async with app_client(app_factory(ENVIRONMENT=environment)) as client:
        schema = await client.get("/openapi.json")
        docs = await client.get("/docs")

    assert schema.status_code == 200
    assert json.loads(schema.text)["info"]["title"] == "Publishing API"
    assert docs.status_code == 200


async def test_docs_pages_load_everything_from_the_api(client: AsyncClient) -> None:
    for page in ("/docs", "/redoc"):
        html = (await client.get(page)).text
        # Every script, style and icon the page names is the API's own.
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets
        assert not re.search(r"https?://", html), html
        for asset in assets:
            response = await client.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 1000, asset


async def test_swagger_ui_login_redirect_is_served(client: AsyncClient) -> None:
    response = await client.get("/docs/oauth2-redirect")

    assert response.status_code == 200
    assert "oauth2" in response.text


async def test_docs_hidden_in_production(app_factory: AppFactory) -> None:
    async with app_client(app_factory(ENVIRONMENT=Environment.PRODUCTION)) as client:
        for path in (
            "/openapi.json",
            "/docs",
            "/redoc",
            "/docs/oauth2-redirect",
            "/docs/assets/swagger/swagger-ui-bundle.js",
        ):
            assert (await client.get(path)).status_code == 404


async def test_cors_allows_configured_origin_with_credentials(
    client: AsyncClient,
) -> None:
    response = await client.options(
        "/health",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "GET",
        },
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert response.headers["access-control-allow-credentials"] == "true"


async def test_cors_preflight_allows_a_conditional_edit_with_a_retry_key(
    client: AsyncClient,
) -> None:
    requested = "if-match,content-type,authorization,idempotency-key,x-request-id"

    response = await client.options(
        "/posts/00000000-0000-4000-8000-000000000000",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": requested,
        },
    )

    allowed = response.headers["access-control-allow-headers"].lower()
    assert response.status_code == 200
    assert "PATCH" in response.headers["access-control-allow-methods"]
    assert all(header in allowed for header in requested.split(","))


async def test_cors_exposes_what_clients_read(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.post(
        "/posts",
        json={"title": "T", "content": "C"},
        headers={**user.headers, "Origin": "http://localhost:3000"},
    )

    exposed = {
        name.strip().lower()
        for name in response.headers["access-control-expose-headers"].split(",")
    }
    assert {
        "etag",
        "location",
        "retry-after",
        "content-disposition",
        "idempotent-replayed",
        "x-request-id",
    } <= exposed


async def test_cors_ignores_unknown_origin(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"Origin": "https://evil.example"})

    assert "access-control-allow-origin" not in response.headers


async def test_unknown_route_is_json_404(client: AsyncClient) -> None:
    response = await client.get("/nope")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


async def test_an_unknown_query_parameter_is_422(client: AsyncClient) -> None:
    response = await client.get("/posts?creatorid=someone&limit=5")

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["query", "creatorid"],
            "msg": "Unknown query parameter",
        }
    ]


async def test_declared_query_parameters_pass(client: AsyncClient) -> None:
    response = await client.get("/posts?limit=5&offset=0&q=title")

    assert response.status_code == 200
