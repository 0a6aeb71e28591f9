"""`If-None-Match` on the reads of single resources: 304, with no body and
the same ETag, while nothing in the answer changed; 200 with a new ETag
once anything a client sees did (counts and per-caller fields included)."""

import pytest
from httpx import AsyncClient

from tests.factories import (
    AuthUser,
    create_comment,
    create_post,
    create_user,
    upload_attachment,
)

pytestmark = pytest.mark.anyio


async def _revalidated(
    client: AsyncClient, url: str, headers: dict[str, str] | None = None
) -> tuple[str, int, str]:
    """The ETag of a first read, then the status and ETag of a second read
    that sends it as If-None-Match."""
    first = await client.get(url, headers=headers)
    assert first.status_code == 200, first.text
    tag = first.headers["ETag"]
    again = await client.get(url, headers=(headers or {}) | {"If-None-Match": tag})
    if again.status_code == 304:
        assert again.content == b""
    return tag, again.status_code, again.headers["ETag"]


@pytest.mark.parametrize(
    "resource",
    ["post", "post by slug", "comment", "attachment", "profile", "by username"],
)
async def test_a_current_etag_gets_304_with_no_body(
    client: AsyncClient, user: AuthUser, resource: str
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user)
    attachment = (await upload_attachment(client, post["id"], user)).json()
    url = {
        "post": f"/posts/{post['id']}",
        "post by slug": f"/posts/by-slug/{post['slug']}",
        "comment": f"/posts/{post['id']}/comments/{comment['id']}",
        "attachment": f"/posts/{post['id']}/attachments/{attachment['id']}",
        "profile": f"/users/{user.id}",
        "by username": f"/users/by-username/{user.username}",
    }[resource]

    tag, status, same = await _revalidated(client, url)

    assert status == 304
    assert same == tag


@pytest.mark.parametrize(
    "held",
    ["{tag}", "W/{tag}", '"other", {tag}', "*"],
    ids=["exact", "weak", "in-a-list", "any"],
)
async def test_if_none_match_compares_weakly_and_takes_lists(
    client: AsyncClient, user: AuthUser, held: str
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    tag = (await client.get(url)).headers["ETag"]

    response = await client.get(url, headers={"If-None-Match": held.format(tag=tag)})

    assert response.status_code == 304


async def test_another_etag_gets_the_post(client: AsyncClient, user: AuthUser) -> None:
    post = await create_post(client, user)

    response = await client.get(
        f"/posts/{post['id']}", headers={"If-None-Match": '"1"'}
    )

    assert response.status_code == 200
    assert response.json()["id"] == post["id"]


async def test_a_new_comment_or_favorite_makes_the_held_copy_stale(
    client: AsyncClient, user: AuthUser
) -> None:
    other = await create_user(client)
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    tag = (await client.get(url)).headers["ETag"]
    await create_comment(client, post["id"], other)

    commented = await client.get(url, headers={"If-None-Match": tag})
    await client.put(f"{url}/favorite", headers=other.headers)
    favorited = await client.get(
        url, headers={"If-None-Match": commented.headers["ETag"]}
    )

    assert commented.status_code == 200
    assert commented.json()["comments_count"] == 1
    assert favorited.status_code == 200
    assert favorited.json()["favorites_count"] == 1
    # An edit based on the first read still applies: only the text is judged.
    edit = await client.patch(
        url, json={"title": "New"}, headers=user.headers | {"If-Match": tag}
    )
    assert edit.status_code == 200


async def test_callers_who_see_different_answers_never_share_an_etag(
    client: AsyncClient, user: AuthUser
) -> None:
    fan = await create_user(client)
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    await client.put(f"{url}/favorite", headers=fan.headers)

    mine = await client.get(url, headers=fan.headers)
    anonymous = await client.get(url, headers={"If-None-Match": mine.headers["ETag"]})

    assert mine.json()["favorited"] is True
    assert anonymous.status_code == 200
    assert anonymous.json()["favorited"] is False
    assert anonymous.headers["ETag"] != mine.headers["ETag"]


async def test_a_follow_makes_the_profile_stale(
    client: AsyncClient, user: AuthUser
) -> None:
    fan = await create_user(client)
    url = f"/users/{user.id}"
    tag = (await client.get(url)).headers["ETag"]
    await client.put(f"{url}/follow", headers=fan.headers)

    response = await client.get(url, headers={"If-None-Match": tag})

    assert response.status_code == 200
    assert response.json()["followers_count"] == 1


async def test_an_edit_makes_the_comment_stale(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user)
    url = f"/posts/{post['id']}/comments/{comment['id']}"
    tag = (await client.get(url)).headers["ETag"]
    await client.patch(url, json={"content": "Edited"}, headers=user.headers)

    response = await client.get(url, headers={"If-None-Match": tag})

    assert response.status_code == 200
    assert response.json()["content"] == "Edited"
