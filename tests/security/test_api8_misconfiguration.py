"""API8:2023 Security Misconfiguration: what a deployed instance exposes."""

import pytest
from httpx import AsyncClient
from pydantic import ValidationError

from src.auth.config import LOCAL_JWT_SECRET, AuthConfig
from src.constants import Environment
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio


async def test_a_deployed_instance_publishes_no_docs(app_factory: AppFactory) -> None:
    app = app_factory(ENVIRONMENT=Environment.PRODUCTION)
    async with app_client(app) as client:
        statuses = {
            path: (await client.get(path)).status_code
            for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")
        }

    assert set(statuses.values()) == {404}


@pytest.mark.parametrize("secret", [LOCAL_JWT_SECRET, "short", ""])
def test_a_deployed_instance_refuses_a_weak_signing_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="AUTH_JWT_SECRET"):
        AuthConfig(
            _env_file=None, ENVIRONMENT=Environment.PRODUCTION, JWT_SECRET=secret
        )


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
async def test_unexpected_methods_are_405_without_echo(
    client: AsyncClient, method: str
) -> None:
    response = await client.request(method, "/posts", headers={"X-Probe": "echo-me"})

    assert response.status_code == 405
    assert "echo-me" not in response.text
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}


async def test_errors_answer_json_without_internals(client: AsyncClient) -> None:
    response = await client.post(
        "/posts", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code in {401, 422}
    assert response.headers["Content-Type"] == "application/json"
    assert "Traceback" not in response.text
