import uuid

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_comment, create_post

pytestmark = pytest.mark.anyio


async def test_create_comment(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)

    response = await client.post(
        f"/posts/{post['id']}/comments",
        json={"content": "Great!"},
        headers=other_user.headers,
    )

    assert response.status_code == 201
    comment = response.json()
    assert (
        response.headers["Location"] == f"/posts/{post['id']}/comments/{comment['id']}"
    )
    assert comment["post_id"] == post["id"]
    assert comment["content"] == "Great!"
    assert comment["creator_id"] == other_user.id
    assert comment["creator"] == {"id": other_user.id, "username": other_user.username}
    assert comment["updated_at"] is None


async def test_comment_on_a_missing_post_is_404(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.post(
        f"/posts/{uuid.uuid4()}/comments", json={"content": "x"}, headers=user.headers
    )

    assert response.status_code == 404


@pytest.mark.parametrize("content", ["", "c" * 10_001, None])
async def test_comment_validates(
    client: AsyncClient, user: AuthUser, content: str | None
) -> None:
    post = await create_post(client, user)

    response = await client.post(
        f"/posts/{post['id']}/comments", json={"content": content}, headers=user.headers
    )

    assert response.status_code == 422


async def test_comment_needs_a_token(client: AsyncClient, user: AuthUser) -> None:
    post = await create_post(client, user)

    response = await client.post(f"/posts/{post['id']}/comments", json={"content": "x"})

    assert response.status_code == 401


async def test_list_comments_oldest_first(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    ids = [
        (await create_comment(client, post["id"], other_user, f"c{i}"))["id"]
        for i in range(4)
    ]
    await create_comment(client, (await create_post(client, user))["id"], user)

    response = await client.get(
        f"/posts/{post['id']}/comments", params={"limit": 3, "offset": 1}
    )

    body = response.json()
    assert response.status_code == 200
    assert [c["id"] for c in body["items"]] == ids[1:4]
    assert (body["total"], body["limit"], body["offset"]) == (4, 3, 1)


async def test_list_comments_of_a_missing_post_is_404(client: AsyncClient) -> None:
    response = await client.get(f"/posts/{uuid.uuid4()}/comments")

    assert response.status_code == 404


async def test_get_comment(client: AsyncClient, user: AuthUser) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user)

    response = await client.get(f"/posts/{post['id']}/comments/{comment['id']}")

    assert response.status_code == 200
    assert response.json() == comment


async def test_comment_under_another_post_is_404(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    other_post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user)

    response = await client.get(f"/posts/{other_post['id']}/comments/{comment['id']}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Comment not found"}


async def test_author_edits_a_comment(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], other_user)

    response = await client.patch(
        f"/posts/{post['id']}/comments/{comment['id']}",
        json={"content": "Edited"},
        headers=other_user.headers,
    )

    assert response.status_code == 200
    assert response.json()["content"] == "Edited"
    assert response.json()["updated_at"] is not None


async def test_only_the_author_edits_a_comment(
    client: AsyncClient, user: AuthUser, other_user: AuthUser, superuser: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], other_user)

    for intruder in (user, superuser):
        response = await client.patch(
            f"/posts/{post['id']}/comments/{comment['id']}",
            json={"content": "Hacked"},
            headers=intruder.headers,
        )
        assert response.status_code == 403


@pytest.mark.parametrize("deleter", ["author", "post_creator", "superuser"])
async def test_who_may_delete_a_comment(
    client: AsyncClient,
    user: AuthUser,
    other_user: AuthUser,
    superuser: AuthUser,
    deleter: str,
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], other_user)
    who = {"author": other_user, "post_creator": user, "superuser": superuser}[deleter]

    response = await client.delete(
        f"/posts/{post['id']}/comments/{comment['id']}", headers=who.headers
    )

    assert response.status_code == 204
    gone = await client.get(f"/posts/{post['id']}/comments/{comment['id']}")
    assert gone.status_code == 404
    assert (await client.get(f"/posts/{post['id']}")).json()["comments_count"] == 0


async def test_a_bystander_cannot_delete_a_comment(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user)

    response = await client.delete(
        f"/posts/{post['id']}/comments/{comment['id']}", headers=other_user.headers
    )

    assert response.status_code == 403
    assert (await client.get(f"/posts/{post['id']}")).json()["comments_count"] == 1
