from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt
import jwt.utils
import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.models import RefreshToken
from tests.factories import AuthUser, login
from tests.utils import AUTH_CONFIG

pytestmark = pytest.mark.anyio


def _cookie_header(response_headers: list[str]) -> str:
    cookie = next(
        h for h in response_headers if h.startswith(AUTH_CONFIG.REFRESH_TOKEN_KEY)
    )
    return cookie.lower()


@pytest.mark.parametrize("use_email", [False, True])
async def test_login_with_username_or_email(
    client: AsyncClient, user: AuthUser, use_email: bool
) -> None:
    name = user.email.upper() if use_email else user.username.upper()

    response = await client.post(
        "/auth/token", data={"username": name, "password": user.password}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == AUTH_CONFIG.JWT_EXP * 60
    assert body["refresh_token"]
    claims = jwt.decode(
        body["access_token"], AUTH_CONFIG.JWT_SECRET, algorithms=["HS256"]
    )
    assert claims["sub"] == user.id
    assert claims["exp"] - claims["iat"] == AUTH_CONFIG.JWT_EXP * 60


async def test_login_sets_a_locked_down_refresh_cookie(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.post(
        "/auth/token", data={"username": user.username, "password": user.password}
    )

    cookie = _cookie_header(response.headers.get_list("set-cookie"))
    assert f"={response.json()['refresh_token'].lower()};" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/auth" in cookie
    assert "secure" in cookie
    assert "max-age=2592000" in cookie


@pytest.mark.parametrize(
    ("username", "password"),
    [("known", "Wr0ng-password!"), ("nobody_at_all", "Wr0ng-password!")],
)
async def test_wrong_password_and_unknown_user_look_the_same(
    client: AsyncClient, user: AuthUser, username: str, password: str
) -> None:
    name = user.username if username == "known" else username

    response = await client.post(
        "/auth/token", data={"username": name, "password": password}
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect username or password"}
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "set-cookie" not in response.headers


async def test_login_form_requires_both_fields(client: AsyncClient) -> None:
    response = await client.post("/auth/token", data={"username": "x"})

    assert response.status_code == 422


async def test_me_with_a_valid_token(client: AsyncClient, user: AuthUser) -> None:
    response = await client.get("/auth/users/me", headers=user.headers)

    assert response.status_code == 200
    assert response.json()["id"] == user.id
    assert response.json()["email"] == user.email


def _forge(
    user_id: str, *, key: str | None = None, alg: str = "HS256", **claims: object
) -> str:
    now = datetime.now(UTC)
    payload = {"sub": user_id, "iat": now, "exp": now + timedelta(minutes=5)}
    payload.update(claims)
    return jwt.encode(payload, key or AUTH_CONFIG.JWT_SECRET, algorithm=alg)


def _alg_none_token(user_id: str) -> str:
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    now = int(datetime.now(UTC).timestamp())
    body = jwt.utils.base64url_encode(
        f'{{"sub":"{user_id}","iat":{now},"exp":{now + 300}}}'.encode()
    ).decode()
    return f"{header}.{body}."


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda uid: "not-a-jwt", id="garbage"),
        pytest.param(_alg_none_token, id="alg-none"),
        pytest.param(lambda uid: _forge(uid, key="x" * 40), id="wrong-key"),
        pytest.param(
            lambda uid: _forge(uid, alg="HS512"),
            id="other-alg",
            marks=pytest.mark.filterwarnings(
                "ignore::jwt.warnings.InsecureKeyLengthWarning"
            ),
        ),
        pytest.param(
            lambda uid: _forge(uid, exp=datetime.now(UTC) - timedelta(seconds=1)),
            id="expired",
        ),
        pytest.param(lambda uid: _forge("not-a-uuid"), id="bad-sub"),
        pytest.param(lambda uid: _forge(uid, sub=None), id="no-sub"),
        pytest.param(
            lambda uid: (
                _forge(uid)[:-4]
                + ("AAAA" if not _forge(uid).endswith("AAAA") else "BBBB")
            ),
            id="tampered-signature",
        ),
    ],
)
async def test_bad_access_tokens_are_401(
    client: AsyncClient, user: AuthUser, make_token: Callable[[str], str]
) -> None:
    token = make_token(user.id)

    response = await client.get(
        "/auth/users/me", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "Invalid or expired access token"}


async def test_missing_token_is_401(client: AsyncClient) -> None:
    response = await client.get("/auth/users/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "Not authenticated"}


async def test_token_of_a_deleted_user_is_401(
    client: AsyncClient, user: AuthUser
) -> None:
    await client.delete("/auth/users/me", headers=user.headers)

    response = await client.get("/auth/users/me", headers=user.headers)

    assert response.status_code == 401


@pytest.mark.parametrize("via", ["cookie", "body"])
async def test_refresh_rotates_the_pair(
    client: AsyncClient, user: AuthUser, via: str
) -> None:
    if via == "cookie":
        client.cookies.set(AUTH_CONFIG.REFRESH_TOKEN_KEY, user.refresh_token)
        response = await client.put("/auth/token")
    else:
        response = await client.put(
            "/auth/token", json={"refresh_token": user.refresh_token}
        )

    assert response.status_code == 200
    body = response.json()
    assert body["refresh_token"] != user.refresh_token
    assert (
        await client.get(
            "/auth/users/me",
            headers={"Authorization": f"Bearer {body['access_token']}"},
        )
    ).status_code == 200
    cookie = _cookie_header(response.headers.get_list("set-cookie"))
    assert body["refresh_token"].lower() in cookie


async def test_reusing_a_rotated_refresh_token_revokes_the_family(
    client: AsyncClient, user: AuthUser, session: AsyncSession
) -> None:
    rotated = await client.put(
        "/auth/token", json={"refresh_token": user.refresh_token}
    )
    fresh_token = rotated.json()["refresh_token"]

    replay = await client.put("/auth/token", json={"refresh_token": user.refresh_token})
    after_theft = await client.put("/auth/token", json={"refresh_token": fresh_token})

    assert replay.status_code == 401
    assert replay.headers["WWW-Authenticate"] == "Bearer"
    assert after_theft.status_code == 401
    live = await session.scalar(
        select(func.count())
        .select_from(RefreshToken)
        .where(RefreshToken.user_id == UUID(user.id), RefreshToken.revoked_at.is_(None))
    )
    assert live == 0


async def test_expired_refresh_token_is_401(
    client: AsyncClient, user: AuthUser, session: AsyncSession
) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == UUID(user.id))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )

    response = await client.put(
        "/auth/token", json={"refresh_token": user.refresh_token}
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    "body", [None, {"refresh_token": "made-up"}, {"refresh_token": ""}]
)
async def test_missing_or_unknown_refresh_token_is_401(
    client: AsyncClient, body: dict[str, str] | None
) -> None:
    response = await client.put("/auth/token", json=body)

    assert response.status_code == 401


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_a_null_refresh_body_is_refused_as_the_document_says(
    client: AsyncClient, user: AuthUser, method: str
) -> None:
    # The body is optional, and an object when sent.
    response = await client.request(
        method,
        "/auth/token",
        content=b"null",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


async def test_refresh_tokens_are_stored_hashed(
    client: AsyncClient, user: AuthUser, session: AsyncSession
) -> None:
    hashes = (
        await session.scalars(
            select(RefreshToken.token_hash).where(RefreshToken.user_id == UUID(user.id))
        )
    ).all()

    assert hashes
    assert user.refresh_token not in hashes


async def test_logout_revokes_and_clears_the_cookie(
    client: AsyncClient, user: AuthUser
) -> None:
    client.cookies.set(AUTH_CONFIG.REFRESH_TOKEN_KEY, user.refresh_token)

    response = await client.delete("/auth/token")

    assert response.status_code == 204
    cookie = _cookie_header(response.headers.get_list("set-cookie"))
    assert "max-age=0" in cookie
    assert "path=/auth" in cookie
    client.cookies.clear()
    refresh = await client.put(
        "/auth/token", json={"refresh_token": user.refresh_token}
    )
    assert refresh.status_code == 401


async def test_logout_revokes_the_cookie_and_the_body_token_both(
    client: AsyncClient, user: AuthUser
) -> None:
    # Swagger UI used to send an invented token in the body while the
    # browser sent the real one in the cookie: both must die.
    second = await login(client, user.username, user.password)
    client.cookies.set(AUTH_CONFIG.REFRESH_TOKEN_KEY, user.refresh_token)

    response = await client.request(
        "DELETE", "/auth/token", json={"refresh_token": second["refresh_token"]}
    )

    client.cookies.clear()
    assert response.status_code == 204
    assert "max-age=0" in _cookie_header(response.headers.get_list("set-cookie"))
    for token in (user.refresh_token, second["refresh_token"]):
        refresh = await client.put("/auth/token", json={"refresh_token": token})
        assert refresh.status_code == 401


async def test_logout_with_an_invented_body_token_still_revokes_the_cookie(
    client: AsyncClient, user: AuthUser
) -> None:
    client.cookies.set(AUTH_CONFIG.REFRESH_TOKEN_KEY, user.refresh_token)

    response = await client.request(
        "DELETE", "/auth/token", json={"refresh_token": "string"}
    )

    client.cookies.clear()
    refresh = await client.put(
        "/auth/token", json={"refresh_token": user.refresh_token}
    )
    assert response.status_code == 204
    assert refresh.status_code == 401


@pytest.mark.parametrize("method", ["put", "delete"])
async def test_refresh_and_logout_examples_do_not_invent_a_token(
    client: AsyncClient, method: str
) -> None:
    schema = (await client.get("/openapi.json")).json()

    content = schema["paths"]["/auth/token"][method]["requestBody"]["content"]
    first_example = next(iter(content["application/json"]["examples"].values()))
    assert first_example["value"] == {}


async def test_logout_is_idempotent(client: AsyncClient, user: AuthUser) -> None:
    body = {"refresh_token": user.refresh_token}

    first = await client.request("DELETE", "/auth/token", json=body)
    second = await client.request("DELETE", "/auth/token", json=body)
    without_token = await client.delete("/auth/token")

    assert (first.status_code, second.status_code, without_token.status_code) == (
        204,
        204,
        204,
    )


async def test_logout_everywhere_revokes_every_refresh_token(
    client: AsyncClient, user: AuthUser
) -> None:
    second = await login(client, user.username, user.password)

    response = await client.delete("/auth/users/me/tokens", headers=user.headers)

    assert response.status_code == 204
    for token in (user.refresh_token, second["refresh_token"]):
        refresh = await client.put("/auth/token", json={"refresh_token": token})
        assert refresh.status_code == 401


async def test_swagger_authorize_uses_the_password_flow(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    scheme = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/auth/token"
    assert "OAuth2PasswordBearer" in str(schema["paths"]["/auth/users/me"]["get"])


async def test_a_login_name_with_nul_is_401_like_any_unknown_user(
    client: AsyncClient,
) -> None:
    response = await client.post(
        "/auth/token", data={"username": "admin\x00", "password": "Wr0ng-pass!"}
    )

    assert response.status_code == 401
