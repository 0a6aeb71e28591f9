"""Profiles and follows: counted exactly, the caller's own `following`,
one notification per follow."""

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_user

pytestmark = pytest.mark.anyio


async def test_a_profile_shows_what_others_may_see(
    client: AsyncClient, user: AuthUser
) -> None:
    edited = await client.patch(
        "/auth/users/me",
        json={"bio": "Writes.\nOften.", "image": "https://example.com/me.png"},
        headers=user.headers,
    )
    profile = await client.get(f"/users/{user.id}")

    assert edited.status_code == 200
    assert (edited.json()["bio"], edited.json()["image"]) == (
        "Writes.\nOften.",
        "https://example.com/me.png",
    )
    body = profile.json()
    assert body["id"] == user.id
    assert (body["bio"], body["image"]) == (
        "Writes.\nOften.",
        "https://example.com/me.png",
    )
    assert (body["followers_count"], body["following_count"], body["following"]) == (
        0,
        0,
        False,
    )
    assert "email" not in body
    assert "is_superuser" not in body


@pytest.mark.parametrize(
    "fields", [{"bio": "x" * 1001}, {"image": "not a url"}, {"image": "ftp://x.y/z"}]
)
async def test_a_bad_bio_or_image_is_422(
    client: AsyncClient, user: AuthUser, fields: dict[str, str]
) -> None:
    response = await client.patch("/auth/users/me", json=fields, headers=user.headers)

    assert response.status_code == 422


async def test_a_profile_is_found_by_username_in_any_case(
    client: AsyncClient, user: AuthUser
) -> None:
    found = await client.get(f"/users/by-username/{user.username.upper()}")
    missing = await client.get("/users/by-username/nobody_here")

    assert found.status_code == 200
    assert found.json()["id"] == user.id
    assert missing.status_code == 404


async def test_following_is_idempotent_counted_and_notified_once(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    url = f"/users/{user.id}/follow"

    first = await client.put(url, headers=other_user.headers)
    again = await client.put(url, headers=other_user.headers)
    mine = await client.get(f"/users/{other_user.id}")

    assert first.status_code == again.status_code == 200
    assert (again.json()["following"], again.json()["followers_count"]) == (True, 1)
    assert mine.json()["following_count"] == 1
    seen = await client.get(f"/users/{user.id}", headers=other_user.headers)
    assert seen.json()["following"] is True
    assert (await client.get(f"/users/{user.id}")).json()["following"] is False
    notifications = (await client.get("/notifications", headers=user.headers)).json()
    (notification,) = notifications["items"]
    assert notification["type"] == "user_followed"
    assert (notification["post_id"], notification["comment_id"]) == (None, None)
    assert notification["actor"]["id"] == other_user.id

    undone = await client.delete(url, headers=other_user.headers)
    undone_again = await client.delete(url, headers=other_user.headers)
    assert (
        undone_again.json()["following"],
        undone_again.json()["followers_count"],
    ) == (
        False,
        0,
    )
    assert undone.status_code == 200


async def test_following_yourself_is_400(client: AsyncClient, user: AuthUser) -> None:
    response = await client.put(f"/users/{user.id}/follow", headers=user.headers)

    assert response.status_code == 400
    assert response.json() == {"detail": "You cannot follow yourself"}


async def test_followers_and_following_most_recent_first(
    client: AsyncClient, user: AuthUser
) -> None:
    fans = [await create_user(client) for _ in range(3)]
    for fan in fans:
        await client.put(f"/users/{user.id}/follow", headers=fan.headers)
        await client.put(f"/users/{fan.id}/follow", headers=user.headers)
    await client.put(f"/users/{fans[0].id}/follow", headers=fans[1].headers)

    followers = await client.get(f"/users/{user.id}/followers", headers=fans[1].headers)
    following = await client.get(f"/users/{user.id}/following")

    assert [p["id"] for p in followers.json()["items"]] == [f.id for f in fans[::-1]]
    assert followers.json()["total"] == 3
    # As fans[1] sees them: it follows fans[0] only.
    assert [p["following"] for p in followers.json()["items"]] == [False, False, True]
    assert [p["id"] for p in following.json()["items"]] == [f.id for f in fans[::-1]]


async def test_deleting_an_account_takes_its_follows_and_their_counts(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    leaving = await create_user(client)
    await client.put(f"/users/{user.id}/follow", headers=leaving.headers)
    await client.put(f"/users/{leaving.id}/follow", headers=other_user.headers)

    await client.delete("/auth/users/me", headers=leaving.headers)

    assert (await client.get(f"/users/{user.id}")).json()["followers_count"] == 0
    assert (await client.get(f"/users/{other_user.id}")).json()["following_count"] == 0
    assert (await client.get(f"/users/{leaving.id}")).status_code == 404


async def test_counts_stay_exact_under_concurrent_follows(
    committing_client: AsyncClient,
) -> None:
    client = committing_client
    author = await create_user(client)
    fans = [await create_user(client) for _ in range(50)]
    url = f"/users/{author.id}/follow"

    await asyncio.gather(
        *(client.put(url, headers=fan.headers) for fan in fans for _ in range(2))
    )
    await asyncio.gather(
        *(client.delete(url, headers=fan.headers) for fan in fans[1::2])
    )

    profile: dict[str, Any] = (await client.get(f"/users/{author.id}")).json()
    assert profile["followers_count"] == 25
    following = [
        (await client.get(f"/users/{fan.id}")).json()["following_count"] for fan in fans
    ]
    assert following == [1, 0] * 25
