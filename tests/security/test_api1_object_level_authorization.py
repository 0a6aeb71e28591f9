"""API1:2023 Broken Object Level Authorization: another user's ids."""

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_comment, create_post, upload_attachment

pytestmark = pytest.mark.anyio


async def test_another_users_post_cannot_be_edited_or_deleted(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user, title="Mine")
    url = f"/posts/{post['id']}"

    edit = await client.patch(url, json={"title": "Taken"}, headers=other_user.headers)
    delete = await client.delete(url, headers=other_user.headers)

    assert (edit.status_code, delete.status_code) == (403, 403)
    assert (await client.get(url)).json()["title"] == "Mine"


async def test_another_users_comment_cannot_be_edited_or_deleted(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, other_user)
    comment = await create_comment(client, post["id"], user, content="Mine")
    url = f"/posts/{post['id']}/comments/{comment['id']}"
    third = await client.post(
        "/posts", json={"title": "t", "content": "c"}, headers=other_user.headers
    )

    edit = await client.patch(url, json={"content": "x"}, headers=other_user.headers)
    # A comment id under a post it does not belong to is not found.
    elsewhere = await client.delete(
        f"/posts/{third.json()['id']}/comments/{comment['id']}", headers=user.headers
    )

    assert edit.status_code == 403
    assert elsewhere.status_code == 404
    assert (await client.get(url)).json()["content"] == "Mine"


async def test_another_users_notifications_are_invisible(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    await create_comment(client, post["id"], other_user)
    mine = (await client.get("/notifications", headers=user.headers)).json()["items"]

    read = await client.post(
        f"/notifications/{mine[0]['id']}/read", headers=other_user.headers
    )
    theirs = await client.get("/notifications", headers=other_user.headers)

    assert read.status_code == 404
    assert theirs.json()["total"] == 0
    unread = await client.get("/notifications?unread=true", headers=user.headers)
    assert unread.json()["total"] == 1


async def test_another_users_attachment_cannot_be_deleted(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    upload = await upload_attachment(
        client, post["id"], user, b"hello", "note.txt", "text/plain"
    )
    url = f"/posts/{post['id']}/attachments/{upload.json()['id']}"

    delete = await client.delete(url, headers=other_user.headers)
    foreign_upload = await upload_attachment(
        client, post["id"], other_user, b"x", "x.txt", "text/plain"
    )

    assert delete.status_code == 403
    assert foreign_upload.status_code == 403
    assert (await client.get(url)).status_code == 200
