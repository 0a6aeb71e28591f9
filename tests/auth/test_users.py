import uuid
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.models import RefreshToken, User
from tests.factories import AuthUser, login

pytestmark = pytest.mark.anyio


async def test_patch_me_updates_only_the_fields_sent(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.patch(
        "/auth/users/me",
        headers=user.headers,
        json={"first_name": "Grace", "age": 40, "favorite_band": "QUEEN"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["first_name"], body["age"], body["favorite_band"]) == (
        "Grace",
        40,
        "QUEEN",
    )
    assert body["username"] == user.username
    assert body["updated_at"] is not None
    again = await client.get("/auth/users/me", headers=user.headers)
    assert again.json() == body


async def test_patch_me_null_clears_an_optional_field(
    client: AsyncClient, user: AuthUser
) -> None:
    await client.patch("/auth/users/me", headers=user.headers, json={"age": 30})

    response = await client.patch(
        "/auth/users/me", headers=user.headers, json={"age": None}
    )

    assert response.json()["age"] is None


@pytest.mark.parametrize("field", ["username", "first_name"])
async def test_patch_me_refuses_null_for_required_fields(
    client: AsyncClient, user: AuthUser, field: str
) -> None:
    response = await client.patch(
        "/auth/users/me", headers=user.headers, json={field: None}
    )

    assert response.status_code == 422


async def test_patch_me_refuses_email_and_superuser(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.patch(
        "/auth/users/me",
        headers=user.headers,
        json={"email": "new@example.com", "is_superuser": True, "email_verified": True},
    )

    me = (await client.get("/auth/users/me", headers=user.headers)).json()
    assert response.status_code == 422
    assert me["email"] == user.email
    assert me["is_superuser"] is False
    assert me["email_verified"] is False


async def test_patch_me_to_a_taken_username_is_409(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    response = await client.patch(
        "/auth/users/me",
        headers=user.headers,
        json={"username": other_user.username.upper(), "first_name": "Changed"},
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "Username is already taken"}
    me = await client.get("/auth/users/me", headers=user.headers)
    assert me.json()["first_name"] == "Ada"


async def test_patch_me_may_change_the_case_of_my_own_username(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.patch(
        "/auth/users/me", headers=user.headers, json={"username": user.username.upper()}
    )

    assert response.status_code == 200
    assert response.json()["username"] == user.username.upper()


async def test_patch_me_needs_a_token(client: AsyncClient) -> None:
    response = await client.patch("/auth/users/me", json={"first_name": "X"})

    assert response.status_code == 401


async def test_change_password(client: AsyncClient, user: AuthUser) -> None:
    new_password = "N3w-password!!"

    response = await client.put(
        "/auth/users/me/password",
        headers=user.headers,
        json={"current_password": user.password, "new_password": new_password},
    )

    assert response.status_code == 204
    old = await client.post(
        "/auth/token", data={"username": user.username, "password": user.password}
    )
    assert old.status_code == 401
    await login(client, user.username, new_password)
    refresh = await client.put(
        "/auth/token", json={"refresh_token": user.refresh_token}
    )
    assert refresh.status_code == 401


async def test_change_password_with_wrong_current_is_400(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.put(
        "/auth/users/me/password",
        headers=user.headers,
        json={"current_password": "Wr0ng-password!", "new_password": "N3w-password!!"},
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "Current password is incorrect"}
    await login(client, user.username, user.password)


async def test_change_password_validates_the_new_one(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.put(
        "/auth/users/me/password",
        headers=user.headers,
        json={"current_password": user.password, "new_password": "weak"},
    )

    assert response.status_code == 422


async def test_delete_me_removes_the_account_and_its_tokens(
    client: AsyncClient, user: AuthUser, session: AsyncSession
) -> None:
    response = await client.delete("/auth/users/me", headers=user.headers)

    assert response.status_code == 204
    assert await session.get(User, UUID(user.id)) is None
    tokens = await session.scalar(
        select(func.count())
        .select_from(RefreshToken)
        .where(RefreshToken.user_id == UUID(user.id))
    )
    assert tokens == 0
    login_again = await client.post(
        "/auth/token", data={"username": user.username, "password": user.password}
    )
    assert login_again.status_code == 401
    refresh = await client.put(
        "/auth/token", json={"refresh_token": user.refresh_token}
    )
    assert refresh.status_code == 401


async def test_public_profile_hides_private_fields(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.get(f"/users/{user.id}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.id
    assert body["username"] == user.username
    for private in ("email", "is_superuser", "age", "hashed_password"):
        assert private not in body


async def test_public_profile_of_a_missing_user_is_404(client: AsyncClient) -> None:
    response = await client.get(f"/users/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}


async def test_public_profile_with_a_bad_id_is_422(client: AsyncClient) -> None:
    response = await client.get("/users/not-a-uuid")

    assert response.status_code == 422
