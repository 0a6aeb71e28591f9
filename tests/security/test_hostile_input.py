"""Bodies no client should send: values JSON can spell but the API cannot
represent, misspelt fields, and secrets that must never be echoed or logged.
"""

import logging
from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_post, user_payload
from tests.utils import AUTH_CONFIG

pytestmark = pytest.mark.anyio

# Routes that take JSON, several without a login.
ANONYMOUS_JSON_ROUTES = [
    ("POST", "/auth/users", "email"),
    ("POST", "/auth/password-reset", "email"),
    ("PUT", "/auth/token", "refresh_token"),
    ("POST", "/auth/verify-email/confirm", "token"),
]
UNREPRESENTABLE = ["NaN", "Infinity", "-Infinity", '"\\ud800"', '"a\\udfff"']


@pytest.mark.parametrize("raw_value", UNREPRESENTABLE)
@pytest.mark.parametrize(("method", "url", "field"), ANONYMOUS_JSON_ROUTES)
async def test_unrepresentable_values_are_422_without_echo(
    client: AsyncClient, method: str, url: str, field: str, raw_value: str
) -> None:
    response = await client.request(
        method,
        url,
        content=f'{{"{field}": {raw_value}}}'.encode(),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422
    for item in response.json()["detail"]:
        assert set(item) == {"loc", "msg", "type"}


async def test_a_lone_surrogate_in_free_text_is_refused(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.post(
        "/posts",
        content=b'{"title": "Fine", "content": "broken \\ud800 text"}',
        headers={**user.headers, "Content-Type": "application/json"},
    )
    listed = await client.get("/posts")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "content"]
    assert listed.json()["total"] == 0


async def test_invalid_utf8_is_400(client: AsyncClient) -> None:
    response = await client.post(
        "/auth/users",
        content=b'{"email": "\xff\xfe@example.com"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code in {400, 422}
    assert "\ufffd" not in response.text


async def test_a_rejected_password_is_never_echoed(client: AsyncClient) -> None:
    secret = "hunter2-my-real-bank-password"

    response = await client.post("/auth/users", json=user_payload(password=secret))

    assert response.status_code == 422
    assert secret not in response.text
    assert response.json()["detail"][0]["loc"] == ["body", "password"]


async def test_a_misspelt_field_is_422_and_changes_nothing(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user, title="Original")

    response = await client.patch(
        f"/posts/{post['id']}", json={"titel": "Changed"}, headers=user.headers
    )

    after = (await client.get(f"/posts/{post['id']}")).json()
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "titel"],
            "msg": "Extra inputs are not permitted",
            "type": "extra_forbidden",
        }
    ]
    assert after["title"] == "Original"


async def _submit_secrets(client: AsyncClient, user: AuthUser, secret: str) -> None:
    """Every way a client hands the API a password, a token or a secret."""
    calls: list[dict[str, Any]] = [
        {"method": "POST", "url": "/auth/users", "json": user_payload(password=secret)},
        {
            "method": "POST",
            "url": "/auth/users",
            "json": user_payload(password=secret + "A1!", email=secret),
        },
        {
            "method": "POST",
            "url": "/auth/token",
            "data": {"username": user.username, "password": secret},
        },
        {
            "method": "POST",
            "url": "/auth/token",
            "data": {"username": secret, "password": secret},
        },
        {"method": "PUT", "url": "/auth/token", "json": {"refresh_token": secret}},
        {
            "method": "PUT",
            "url": "/auth/token",
            "json": {"refresh_token": secret, "x": 1},
        },
        {"method": "DELETE", "url": "/auth/token", "json": {"refresh_token": secret}},
        {
            "method": "GET",
            "url": "/auth/users/me",
            "headers": {"Authorization": f"Bearer {secret}"},
        },
        {
            "method": "PUT",
            "url": "/auth/users/me/password",
            "json": {"current_password": secret, "new_password": secret},
            "headers": user.headers,
        },
        {
            "method": "POST",
            "url": "/auth/password-reset/confirm",
            "json": {"token": secret, "new_password": secret},
        },
        {
            "method": "POST",
            "url": "/auth/verify-email/confirm",
            "json": {"token": secret},
        },
        {
            "method": "POST",
            "url": "/auth/users",
            "content": f'{{"password": "{secret}", "email": NaN}}'.encode(),
            "headers": {"Content-Type": "application/json"},
        },
    ]
    for call in calls:
        response = await client.request(**call)
        assert response.status_code < 500, call
    client.cookies.set(AUTH_CONFIG.REFRESH_TOKEN_KEY, secret)
    for method in ("PUT", "DELETE"):
        assert (await client.request(method, "/auth/token")).status_code < 500


async def test_no_log_line_carries_a_submitted_secret(
    client: AsyncClient, user: AuthUser, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Zq9-hunter2-do-not-log"

    with caplog.at_level(logging.DEBUG):
        await _submit_secrets(client, user, secret)

    logged = caplog.text + "".join(
        str(record.msg) + str(record.args or "") for record in caplog.records
    )
    assert caplog.records
    assert secret not in logged
    assert secret.lower() not in logged.lower()
