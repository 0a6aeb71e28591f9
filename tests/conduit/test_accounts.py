"""Conduit accounts and profiles: the RealWorld envelopes and errors over the
native accounts, and tokens that stop when the account's sessions end."""

import uuid
from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.anyio


def new_user(**overrides: Any) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:10]
    return {
        "username": f"writer_{suffix}",
        "email": f"writer-{suffix}@example.com",
        "password": DEFAULT_PASSWORD,
    } | overrides


async def register(client: AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/users", json={"user": new_user(**overrides)})
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()["user"]
    return user


def token(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Token {user['token']}"}


async def test_registering_answers_the_user_with_a_token_that_works(
    client: AsyncClient,
) -> None:
    body = new_user()
    registered = await client.post("/api/users", json={"user": body})
    user = registered.json()["user"]
    me = await client.get("/api/user", headers=token(user))
    native = await client.get(f"/users/by-username/{body['username']}")

    assert registered.status_code == 201
    assert set(user) == {"email", "token", "username", "bio", "image"}
    assert (user["email"], user["username"], user["bio"], user["image"]) == (
        body["email"],
        body["username"],
        "",
        None,
    )
    assert me.status_code == 200
    assert me.json() == {"user": user}
    # The same account on the native API.
    assert native.status_code == 200


async def test_logging_in_by_email_gives_a_new_token(client: AsyncClient) -> None:
    user = await register(client)
    login = await client.post(
        "/api/users/login",
        json={"user": {"email": user["email"].upper(), "password": DEFAULT_PASSWORD}},
    )
    wrong = await client.post(
        "/api/users/login",
        json={"user": {"email": user["email"], "password": "Wr0ng-password!"}},
    )

    assert login.status_code == 200
    assert login.json()["user"]["token"] != user["token"]
    assert wrong.status_code == 401
    assert wrong.json() == {"errors": {"email or password": ["is invalid"]}}


async def test_errors_have_the_realworld_shape(client: AsyncClient) -> None:
    taken = await register(client)
    again = await client.post(
        "/api/users", json={"user": new_user(username=taken["username"])}
    )
    weak = await client.post("/api/users", json={"user": new_user(password="short")})
    missing = await client.post("/api/users", json={"user": {"email": "a@b.co"}})
    anonymous = await client.get("/api/user")
    forged = await client.get("/api/user", headers={"Authorization": "Token forged"})
    nobody = await client.get("/api/profiles/nobody_at_all")

    assert again.status_code == 422
    assert list(again.json()["errors"]) == ["username"]
    assert weak.status_code == 422
    assert list(weak.json()["errors"]) == ["password"]
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"username", "password"}
    for refused in (anonymous, forged):
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Token"
        assert list(refused.json()["errors"]) == ["body"]
    assert nobody.status_code == 404
    assert nobody.json() == {"errors": {"body": ["profile not found"]}}


async def test_the_settings_form_leaves_blank_fields_unchanged(
    client: AsyncClient,
) -> None:
    user = await register(client)
    updated = await client.put(
        "/api/user",
        json={
            "user": {
                "email": "",
                "username": "",
                "password": "",
                "image": "https://example.com/me.png",
                "bio": "Writes.",
            }
        },
        headers=token(user),
    )
    again = await client.get("/api/user", headers=token(user))

    assert updated.status_code == 200
    body = updated.json()["user"]
    assert (body["username"], body["email"], body["token"]) == (
        user["username"],
        user["email"],
        user["token"],
    )
    assert (body["bio"], body["image"]) == ("Writes.", "https://example.com/me.png")
    assert again.json()["user"] == body


async def test_a_new_email_is_refused_and_nothing_changes(client: AsyncClient) -> None:
    user = await register(client)
    response = await client.put(
        "/api/user",
        json={"user": {"email": "elsewhere@example.com", "bio": "New"}},
        headers=token(user),
    )
    me = await client.get("/api/user", headers=token(user))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["email"]
    assert (me.json()["user"]["email"], me.json()["user"]["bio"]) == (user["email"], "")


async def test_a_new_password_ends_every_session_but_answers_a_new_token(
    client: AsyncClient,
) -> None:
    user = await register(client)
    elsewhere = (
        await client.post(
            "/api/users/login",
            json={"user": {"email": user["email"], "password": DEFAULT_PASSWORD}},
        )
    ).json()["user"]
    changed = await client.put(
        "/api/user",
        json={"user": {"password": "N3w-password-here"}},
        headers=token(user),
    )
    new = changed.json()["user"]

    assert changed.status_code == 200
    assert new["token"] not in (user["token"], elsewhere["token"])
    for old in (user, elsewhere):
        assert (await client.get("/api/user", headers=token(old))).status_code == 401
    assert (await client.get("/api/user", headers=token(new))).status_code == 200
    login = await client.post(
        "/api/users/login",
        json={"user": {"email": user["email"], "password": "N3w-password-here"}},
    )
    assert login.status_code == 200


async def test_native_log_out_everywhere_and_deletion_end_conduit_tokens(
    client: AsyncClient,
) -> None:
    user = await register(client)
    native = await client.post(
        "/auth/token", data={"username": user["username"], "password": DEFAULT_PASSWORD}
    )
    bearer = {"Authorization": f"Bearer {native.json()['access_token']}"}
    client.cookies.clear()

    logged_out = await client.delete("/auth/users/me/tokens", headers=bearer)
    after_logout = await client.get("/api/user", headers=token(user))
    second = (
        await client.post(
            "/api/users/login",
            json={"user": {"email": user["email"], "password": DEFAULT_PASSWORD}},
        )
    ).json()["user"]
    deleted = await client.delete("/auth/users/me", headers=bearer)
    after_deletion = await client.get("/api/user", headers=token(second))

    assert logged_out.status_code == 204
    assert after_logout.status_code == 401
    assert deleted.status_code == 204, deleted.text
    assert after_deletion.status_code == 401


async def test_a_conduit_token_is_not_a_refresh_token(client: AsyncClient) -> None:
    user = await register(client)
    refreshed = await client.put("/auth/token", json={"refresh_token": user["token"]})
    still = await client.get("/api/user", headers=token(user))

    assert refreshed.status_code == 401
    assert still.status_code == 200


async def test_following_a_profile_is_the_native_follow(client: AsyncClient) -> None:
    reader = await register(client)
    writer = await register(client)
    path = f"/api/profiles/{writer['username']}"

    followed = await client.post(f"{path}/follow", headers=token(reader))
    seen = await client.get(path, headers=token(reader))
    anonymous = await client.get(path)
    native = await client.get(f"/users/by-username/{writer['username']}")
    self_follow = await client.post(
        f"/api/profiles/{reader['username']}/follow", headers=token(reader)
    )
    unfollowed = await client.delete(f"{path}/follow", headers=token(reader))

    assert followed.status_code == 200
    assert followed.json() == {
        "profile": {
            "username": writer["username"],
            "bio": "",
            "image": None,
            "following": True,
        }
    }
    assert seen.json()["profile"]["following"] is True
    assert anonymous.json()["profile"]["following"] is False
    assert native.json()["followers_count"] == 1
    assert self_follow.status_code == 422
    assert unfollowed.json()["profile"]["following"] is False
