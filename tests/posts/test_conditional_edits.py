"""ETag and If-Match on posts and comments: an edit based on a stale read is
refused instead of silently overwriting someone else's."""

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_comment, create_post

pytestmark = pytest.mark.anyio


async def test_a_post_carries_an_etag_that_changes_with_each_edit(
    client: AsyncClient, user: AuthUser
) -> None:
    created = await client.post(
        "/posts", json={"title": "T", "content": "C"}, headers=user.headers
    )
    url = created.headers["Location"]
    read = await client.get(url)

    edited = await client.patch(url, json={"title": "T2"}, headers=user.headers)

    assert created.headers["ETag"] == read.headers["ETag"]
    assert edited.headers["ETag"] != read.headers["ETag"]
    assert (await client.get(url)).headers["ETag"] == edited.headers["ETag"]


async def test_an_edit_with_the_current_etag_applies(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    tag = (await client.get(url)).headers["ETag"]

    response = await client.patch(
        url, json={"title": "New"}, headers=user.headers | {"If-Match": tag}
    )

    assert response.status_code == 200
    assert (await client.get(url)).json()["title"] == "New"


async def test_an_edit_with_a_stale_etag_is_412_and_changes_nothing(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user, title="Original")
    url = f"/posts/{post['id']}"
    stale = (await client.get(url)).headers["ETag"]
    await client.patch(url, json={"title": "First edit"}, headers=user.headers)

    response = await client.patch(
        url, json={"title": "Second edit"}, headers=user.headers | {"If-Match": stale}
    )

    assert response.status_code == 412
    assert response.json() == {
        "detail": "Changed since you read it (If-Match); fetch it again and retry"
    }
    assert (await client.get(url)).json()["title"] == "First edit"


@pytest.mark.parametrize(
    ("if_match", "status"),
    [("*", 200), ('"999", "1"', 200), ('W/"1"', 412), ('"999"', 412), ("1", 412)],
)
async def test_if_match_forms(
    client: AsyncClient, user: AuthUser, if_match: str, status: int
) -> None:
    post = await create_post(client, user)

    response = await client.patch(
        f"/posts/{post['id']}",
        json={"content": "Changed"},
        headers=user.headers | {"If-Match": if_match},
    )

    assert response.status_code == status


async def test_a_comment_edit_with_a_stale_etag_is_412(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user, content="Original")
    url = f"/posts/{post['id']}/comments/{comment['id']}"
    read = await client.get(url)
    first = await client.patch(
        url,
        json={"content": "First"},
        headers=user.headers | {"If-Match": read.headers["ETag"]},
    )

    second = await client.patch(
        url,
        json={"content": "Second"},
        headers=user.headers | {"If-Match": read.headers["ETag"]},
    )

    assert first.status_code == 200
    assert first.headers["ETag"] != read.headers["ETag"]
    assert second.status_code == 412
    assert (await client.get(url)).json()["content"] == "First"


async def test_a_new_comment_does_not_make_the_post_etag_stale(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    tag = (await client.get(url)).headers["ETag"]
    await create_comment(client, post["id"], other_user)

    response = await client.patch(
        url, json={"title": "Still mine"}, headers=user.headers | {"If-Match": tag}
    )

    assert response.status_code == 200


@pytest.mark.parametrize("if_match", ["", '"999"'])
@pytest.mark.parametrize("resource", ["post", "comment"])
async def test_an_invalid_body_is_422_before_its_precondition(
    client: AsyncClient, user: AuthUser, if_match: str, resource: str
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    body = {"title": ""}
    if resource == "comment":
        comment = await create_comment(client, post["id"], user)
        url += f"/comments/{comment['id']}"
        body = {"content": ""}

    response = await client.patch(
        url, json=body, headers=user.headers | {"If-Match": if_match}
    )

    assert response.status_code == 422
