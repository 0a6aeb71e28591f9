"""API5:2023 Broken Function Level Authorization: moderation is for
superusers only, and no HTTP route grants the role."""

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_comment, create_post

pytestmark = pytest.mark.anyio


async def test_only_a_superuser_moderates_other_peoples_content(
    client: AsyncClient, user: AuthUser, other_user: AuthUser, superuser: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user)
    comment_url = f"/posts/{post['id']}/comments/{comment['id']}"

    as_user = await client.delete(comment_url, headers=other_user.headers)
    as_superuser = await client.delete(comment_url, headers=superuser.headers)
    post_as_user = await client.delete(
        f"/posts/{post['id']}", headers=other_user.headers
    )
    post_as_superuser = await client.delete(
        f"/posts/{post['id']}", headers=superuser.headers
    )

    assert (as_user.status_code, as_superuser.status_code) == (403, 204)
    assert (post_as_user.status_code, post_as_superuser.status_code) == (403, 204)


async def test_moderation_does_not_extend_to_editing(
    client: AsyncClient, user: AuthUser, superuser: AuthUser
) -> None:
    post = await create_post(client, user, title="Author's words")

    response = await client.patch(
        f"/posts/{post['id']}",
        json={"title": "Moderator's words"},
        headers=superuser.headers,
    )

    assert response.status_code == 403
    assert (await client.get(f"/posts/{post['id']}")).json()[
        "title"
    ] == "Author's words"


async def test_method_override_headers_are_ignored(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)

    response = await client.get(
        f"/posts/{post['id']}",
        headers=other_user.headers | {"X-HTTP-Method-Override": "DELETE"},
    )

    assert response.status_code == 200
    assert (await client.get(f"/posts/{post['id']}")).status_code == 200
