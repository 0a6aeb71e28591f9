"""A write whose parent is deleted meanwhile answers 404, never 500: comments
and uploads racing their post's deletion, posts and uploads racing their
author's account deletion. Real, separately committed transactions, many
rounds, on either database."""

import asyncio

import pytest
from httpx import AsyncClient, Response

from tests.factories import AuthUser, create_post, create_user, upload_attachment

pytestmark = pytest.mark.anyio

ROUNDS = 100
WRITES = 5


async def _comment(client: AsyncClient, post_id: str, user: AuthUser) -> Response:
    return await client.post(
        f"/posts/{post_id}/comments", json={"content": "Racing"}, headers=user.headers
    )


async def test_comments_and_uploads_racing_the_post_deletion(
    committing_client: AsyncClient,
) -> None:
    author = await create_user(committing_client)
    reader = await create_user(committing_client)
    seen: dict[int, int] = {}
    for _ in range(ROUNDS):
        post = await create_post(committing_client, author)
        writes = [
            _comment(committing_client, post["id"], reader) for _ in range(WRITES)
        ]
        upload = upload_attachment(committing_client, post["id"], author)
        deletion = committing_client.delete(
            f"/posts/{post['id']}", headers=author.headers
        )

        *answers, deleted = await asyncio.gather(*writes, upload, deletion)

        assert deleted.status_code == 204
        for answer in answers:
            seen[answer.status_code] = seen.get(answer.status_code, 0) + 1
            assert answer.status_code in {201, 404}, answer.text
            if answer.status_code == 404:
                assert answer.json()["detail"] in {"Not found", "Post not found"}
        # Nothing a 201 promised outlives the post.
        gone = await committing_client.get(f"/posts/{post['id']}/comments")
        assert gone.status_code == 404

    assert set(seen) <= {201, 404}


async def test_posts_and_uploads_racing_the_account_deletion(
    committing_client: AsyncClient,
) -> None:
    for _ in range(ROUNDS // 2):
        author = await create_user(committing_client)
        post = await create_post(committing_client, author)
        creates = [
            committing_client.post(
                "/posts",
                json={"title": "Racing", "content": "x"},
                headers=author.headers,
            )
            for _ in range(WRITES)
        ]
        upload = upload_attachment(committing_client, post["id"], author)
        deletion = committing_client.delete("/auth/users/me", headers=author.headers)

        *answers, deleted = await asyncio.gather(*creates, upload, deletion)

        assert deleted.status_code == 204, deleted.text
        for answer in answers:
            # The account is gone: its token finds no one (401), or the
            # write found its parent gone (404).
            assert answer.status_code in {201, 401, 404}, answer.text
        listed = await committing_client.get(f"/users/{author.id}/posts")
        assert listed.status_code == 404
