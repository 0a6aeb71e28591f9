"""OpenTelemetry: off unless configured, and then a span per request and
per SQL statement (checked with an in-memory exporter)."""

import uuid
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import pytest
from httpx import AsyncClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

from src.aws.config import StorageBackend
from src.config import Settings
from src.main import create_app
from src.web.tracing import create_tracing, tracing_configured
from tests.factories import AuthUser, create_post, create_user
from tests.utils import app_client

pytestmark = pytest.mark.anyio


class Traced(NamedTuple):
    client: AsyncClient
    exporter: InMemorySpanExporter
    user: AuthUser
    post: dict[str, Any]


@pytest.fixture
async def traced(settings: Settings, committed_database: str) -> AsyncIterator[Traced]:
    """An app tracing to memory, on real sessions (their writes commit, and
    `committed_database` empties the tables afterwards), with a user and a
    post whose spans are already cleared."""
    exporter = InMemorySpanExporter()
    async with app_client(create_app(settings, span_exporter=exporter)) as client:
        user = await create_user(client)
        post = await create_post(client, user)
        exporter.clear()
        yield Traced(client, exporter, user, post)


async def test_requests_and_statements_are_traced(traced: Traced) -> None:
    response = await traced.client.get(f"/posts/{traced.post['id']}")
    await traced.client.get("/health")

    assert response.status_code == 200
    spans = traced.exporter.get_finished_spans()
    routes = [dict(s.attributes or {}).get("http.route") for s in spans]
    assert [route for route in routes if route] == ["/posts/{post_id}"]
    (request,) = [s for s, route in zip(spans, routes, strict=True) if route]
    statements = [s for s in spans if "db.statement" in dict(s.attributes or {})]
    assert statements
    # The statements belong to the request's trace.
    assert {s.context.trace_id for s in statements if s.context} == {
        request.context.trace_id if request.context else None
    }
    assert all(s.resource.attributes["service.name"] == "publishing-api" for s in spans)


def test_tracing_is_off_unless_an_endpoint_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert not tracing_configured()
    assert create_tracing() is None

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert tracing_configured()
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not tracing_configured()


async def test_off_no_span_is_made(settings: Settings, committed_database: str) -> None:
    # A provider that would record anything made through the global API.
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)

    async with app_client(create_app(settings)) as client:
        await client.get("/posts")

    assert exporter.get_finished_spans() == ()


@pytest.mark.parametrize("storage_backend", [StorageBackend.S3], indirect=True)
async def test_calls_to_s3_are_traced_within_the_request(
    traced: Traced, settings: Settings, storage_backend: StorageBackend
) -> None:
    post_id = traced.post["id"]
    upload = await traced.client.post(
        f"/posts/{post_id}/attachments",
        files={"file": ("a.txt", b"traced bytes", "text/plain")},
        headers=traced.user.headers,
    )
    missing = await traced.client.get(f"/posts/{post_id}/attachments/{uuid.uuid4()}")

    assert upload.status_code == 201
    assert missing.status_code == 404
    spans = traced.exporter.get_finished_spans()
    (put,) = [s for s in spans if s.name == "S3.PutObject"]
    attributes = dict(put.attributes or {})
    assert attributes["rpc.system"] == "aws-api"
    assert attributes["rpc.method"] == "PutObject"
    assert attributes["aws.s3.bucket"] == settings.storage.AWS_S3_BUCKET
    assert attributes["http.response.status_code"] == 200
    (request,) = [
        s
        for s in spans
        if dict(s.attributes or {}).get("http.route") == "/posts/{post_id}/attachments"
    ]
    # A child of the request that made it.
    assert put.parent is not None
    assert put.context is not None
    assert request.context is not None
    assert put.context.trace_id == request.context.trace_id
