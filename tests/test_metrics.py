"""GET /metrics: Prometheus text, what the API served and how, correct
across worker processes; off or behind a token when configured."""

import re

import httpx
import pytest
from httpx import AsyncClient

from src.config import Settings
from tests.factories import AuthUser, create_post, user_payload
from tests.utils import AppFactory, app_client, running_server

pytestmark = pytest.mark.anyio


def _value(text: str, sample: str) -> float:
    """The value of one sample (`name{labels}`) in a scrape; 0 if absent."""
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    return float(match[1]) if match else 0.0


async def _scrape(client: AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


READ = 'http_requests_total{method="GET",route="/posts/{post_id}",status="200"}'
MISSING = 'http_requests_total{method="GET",route="/posts/{post_id}",status="404"}'


async def test_requests_are_counted_by_route_template_and_status(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    before = await _scrape(client)

    for _ in range(3):
        await client.get(f"/posts/{post['id']}")
    await client.get("/posts/00000000-0000-4000-8000-000000000000")
    await client.get("/no/such/page")
    after = await _scrape(client)

    assert _value(after, READ) - _value(before, READ) == 3
    assert _value(after, MISSING) - _value(before, MISSING) == 1
    unmatched = 'http_requests_total{method="GET",route="unmatched",status="404"}'
    assert _value(after, unmatched) - _value(before, unmatched) == 1
    duration = (
        'http_request_duration_seconds_count{method="GET",route="/posts/{post_id}"}'
    )
    assert _value(after, duration) - _value(before, duration) == 4
    # No request path becomes a label.
    assert post["id"] not in after
    for family in (
        "http_requests_in_flight",
        "db_pool_connections_in_use",
        "db_pool_size",
    ):
        assert re.search(rf"^{family} ", after, re.MULTILINE), family


async def test_jobs_and_rate_limit_refusals_are_counted(
    app_factory: AppFactory, settings: Settings
) -> None:
    app = app_factory(RATE_LIMIT_ENABLED=True, RATE_LIMIT_REGISTER="1/minute")
    done = 'jobs_total{job="send_verification_email",outcome="done"}'
    refused = 'rate_limit_refusals_total{limit="register"}'
    async with app_client(app) as client:
        before = await _scrape(client)
        first = await client.post("/auth/users", json=user_payload())
        second = await client.post("/auth/users", json=user_payload())
        after = await _scrape(client)

    assert (first.status_code, second.status_code) == (201, 429)
    assert _value(after, done) - _value(before, done) == 1
    assert _value(after, refused) - _value(before, refused) == 1


async def test_a_metrics_token_is_required_when_set(app_factory: AppFactory) -> None:
    app = app_factory(METRICS_TOKEN="scrape-me-please-0123456789")
    async with app_client(app) as client:
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await client.get(
            "/metrics",
            headers={"Authorization": "Bearer scrape-me-please-0123456789"},
        )

    assert anonymous.status_code == wrong.status_code == 401
    assert right.status_code == 200
    assert "http_requests_total" in right.text


async def test_metrics_can_be_turned_off(app_factory: AppFactory) -> None:
    async with app_client(app_factory(METRICS_ENABLED=False)) as client:
        response = await client.get("/metrics")

    assert response.status_code == 404


async def test_metrics_are_documented_as_text(client: AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    responses = document["paths"]["/metrics"]["get"]["responses"]
    assert list(responses["200"]["content"]) == ["text/plain"]


@pytest.mark.slow
def test_several_workers_add_up(committed_module_database: str) -> None:
    lists = 'http_requests_total{method="GET",route="/posts",status="200"}'
    with running_server(committed_module_database, "--workers", "2") as (_, url):
        for _ in range(40):
            # A new connection each time: the workers share the load.
            assert httpx.get(f"{url}/posts").status_code == 200
        # Each scrape on a new connection too: whichever worker answers.
        scrapes = [httpx.get(f"{url}/metrics").text for _ in range(6)]

    assert {_value(scrape, lists) for scrape in scrapes} == {40}
