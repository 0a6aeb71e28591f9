"""Every post has a readable, unique slug made from its title; an earlier
slug keeps leading to the post."""

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_post

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("How to train your dragon!", "how-to-train-your-dragon"),
        ("Café Müller über alles", "cafe-muller-uber-alles"),
        ("  Spaces   and   dots... ", "spaces-and-dots"),
        ("🎉🎉", "post"),
    ],
)
async def test_a_slug_is_made_from_the_title(
    client: AsyncClient, user: AuthUser, title: str, slug: str
) -> None:
    post = await create_post(client, user, title=title)

    assert post["slug"] == slug
    found = await client.get(f"/posts/by-slug/{slug}")
    assert found.status_code == 200
    assert found.json()["id"] == post["id"]


async def test_a_long_title_makes_a_slug_of_at_most_80_characters(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user, title="word " * 50)

    assert len(post["slug"]) <= 80
    assert post["slug"].startswith("word-word")
    assert not post["slug"].endswith("-")


async def test_the_same_title_twice_gets_two_slugs(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    first = await create_post(client, user, title="Hello world")
    second = await create_post(client, other_user, title="Hello world")
    third = await create_post(client, user, title="Hello, World")

    assert first["slug"] == "hello-world"
    slugs = {second["slug"], third["slug"]}
    assert len(slugs) == 2
    assert all(s.startswith("hello-world-") and len(s) == 18 for s in slugs)
    for post in (first, second, third):
        found = await client.get(f"/posts/by-slug/{post['slug']}")
        assert found.json()["id"] == post["id"]


async def test_a_new_title_makes_a_new_slug_and_the_old_one_redirects(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user, title="First title")

    edited = await client.patch(
        f"/posts/{post['id']}", json={"title": "Second title"}, headers=user.headers
    )
    old = await client.get("/posts/by-slug/first-title", follow_redirects=False)
    current = await client.get("/posts/by-slug/second-title")

    assert edited.json()["slug"] == "second-title"
    assert old.status_code == 301
    assert old.headers["Location"] == "/posts/by-slug/second-title"
    assert current.status_code == 200
    assert current.json()["id"] == post["id"]
    # Back to the first title: its slug is the post's again, not taken.
    again = await client.patch(
        f"/posts/{post['id']}", json={"title": "First title"}, headers=user.headers
    )
    assert again.json()["slug"] == "first-title"
    redirected = await client.get("/posts/by-slug/second-title", follow_redirects=False)
    assert redirected.headers["Location"] == "/posts/by-slug/first-title"


async def test_an_earlier_slug_is_not_given_to_another_post(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user, title="Taken")
    await client.patch(
        f"/posts/{post['id']}", json={"title": "Renamed"}, headers=user.headers
    )

    other = await create_post(client, user, title="Taken")

    assert other["slug"] != "taken"
    old = await client.get("/posts/by-slug/taken", follow_redirects=False)
    assert old.headers["Location"] == "/posts/by-slug/renamed"


async def test_an_unknown_slug_is_404(client: AsyncClient) -> None:
    response = await client.get("/posts/by-slug/no-such-post")

    assert response.status_code == 404
    assert response.json() == {"detail": "Post not found"}


async def test_a_deleted_posts_slugs_lead_nowhere(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user, title="Short lived")
    await client.delete(f"/posts/{post['id']}", headers=user.headers)

    assert (await client.get("/posts/by-slug/short-lived")).status_code == 404
    # And the slug is free for a new post.
    assert (await create_post(client, user, title="Short lived"))["slug"] == (
        "short-lived"
    )
