"""API2:2023 Broken Authentication: forged, expired and misused tokens."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt
import pytest
from httpx import AsyncClient

from src.auth.utils import create_access_token
from tests.factories import AuthUser
from tests.utils import AUTH_CONFIG

pytestmark = pytest.mark.anyio


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _forged(
    user: AuthUser,
    *,
    key: str = AUTH_CONFIG.JWT_SECRET,
    algorithm: str = AUTH_CONFIG.JWT_ALG,
    **changes: object,
) -> str:
    now = datetime.now(UTC)
    claims = {"sub": user.id, "iat": now, "exp": now + timedelta(minutes=5)}
    return jwt.encode(claims | changes, key, algorithm=algorithm)


@pytest.mark.parametrize(
    "attack",
    ["wrong key", "alg none", "expired", "no expiry", "refresh token as access"],
)
async def test_a_forged_or_misused_token_is_401(
    client: AsyncClient, user: AuthUser, attack: str
) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    token = {
        "wrong key": lambda: _forged(user, key="an attacker's own secret, long enough"),
        "alg none": lambda: _forged(user, key="", algorithm="none"),
        "expired": lambda: _forged(user, exp=past),
        "no expiry": lambda: jwt.encode(
            {"sub": user.id, "iat": past}, AUTH_CONFIG.JWT_SECRET, "HS256"
        ),
        "refresh token as access": lambda: user.refresh_token,
    }[attack]()

    response = await client.get("/auth/users/me", headers=_bearer(token))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_a_valid_token_for_a_deleted_account_is_401(
    client: AsyncClient, user: AuthUser
) -> None:
    assert (
        await client.delete("/auth/users/me", headers=user.headers)
    ).status_code == 204

    response = await client.get("/auth/users/me", headers=user.headers)

    assert response.status_code == 401


async def test_a_token_for_an_unknown_user_is_401(client: AsyncClient) -> None:
    token = create_access_token(
        UUID("00000000-0000-4000-8000-000000000000"), AUTH_CONFIG
    )

    response = await client.get("/auth/users/me", headers=_bearer(token))

    assert response.status_code == 401


async def test_login_does_not_tell_unknown_users_from_wrong_passwords(
    client: AsyncClient, user: AuthUser
) -> None:
    unknown = await client.post(
        "/auth/token", data={"username": "nobody_here", "password": "Wr0ng-pass!"}
    )
    wrong = await client.post(
        "/auth/token", data={"username": user.username, "password": "Wr0ng-pass!"}
    )

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


async def test_a_stolen_rotated_refresh_token_revokes_the_family(
    client: AsyncClient, user: AuthUser
) -> None:
    stolen = user.refresh_token
    rotated = await client.put("/auth/token", json={"refresh_token": stolen})
    client.cookies.clear()

    replay = await client.put("/auth/token", json={"refresh_token": stolen})
    legit = await client.put(
        "/auth/token", json={"refresh_token": rotated.json()["refresh_token"]}
    )

    assert rotated.status_code == 200
    assert replay.status_code == 401
    assert legit.status_code == 401
