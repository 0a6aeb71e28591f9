"""Hiding posts and comments: out of every list and count for everyone, 404
to all but the author and moderators, back in place when shown again."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_comment, create_post, create_user

pytestmark = pytest.mark.anyio


async def _get(client: AsyncClient, path: str, who: AuthUser | None = None) -> Any:
    response = await client.get(path, headers=who.headers if who else {})
    assert response.status_code == 200, (path, response.text)
    return response.json()


async def _what_readers_see(
    client: AsyncClient, post: dict[str, Any], author: AuthUser, fan: AuthUser
) -> dict[str, Any]:
    """Every list and count a post appears in, as its readers see them."""

    def ids(page: dict[str, Any]) -> list[str]:
        return [item["id"] for item in page["items"]]

    everyone = await _get(client, "/posts")
    by_author = await _get(client, f"/users/{author.id}/posts")
    tagged = await _get(client, "/posts?tag=gardening")
    searched = await _get(client, "/posts?q=tomatoes")
    feed = await _get(client, "/feed", fan)
    favorites = await _get(client, f"/users/{fan.id}/favorites")
    tags = await _get(client, "/tags")
    return {
        "everyone": (post["id"] in ids(everyone), everyone["total"]),
        "by_author": (post["id"] in ids(by_author), by_author["total"]),
        "tagged": (post["id"] in ids(tagged), tagged["total"]),
        "searched": (post["id"] in ids(searched), searched["total"]),
        "feed": (post["id"] in ids(feed), feed["total"]),
        "favorites": (post["id"] in ids(favorites), favorites["total"]),
        "tags": {tag["name"]: tag["posts_count"] for tag in tags["items"]},
    }


async def _published_post_with_readers(
    client: AsyncClient, author: AuthUser
) -> tuple[dict[str, Any], AuthUser]:
    fan = await create_user(client)
    post = await create_post(
        client, author, title="Growing tomatoes", tags=["gardening"]
    )
    await create_post(client, author, title="Another post", tags=["gardening"])
    assert (
        await client.put(f"/users/{author.id}/follow", headers=fan.headers)
    ).status_code in (200, 204)
    assert (
        await client.put(f"/posts/{post['id']}/favorite", headers=fan.headers)
    ).status_code in (200, 204)
    return post, fan


async def test_a_hidden_post_leaves_every_list_and_count_and_comes_back(
    client: AsyncClient, user: AuthUser, moderator: AuthUser
) -> None:
    post, fan = await _published_post_with_readers(client, user)
    before = await _what_readers_see(client, post, user, fan)

    hidden = await client.put(
        f"/moderation/posts/{post['id']}/hidden",
        json={"reason": "Spam"},
        headers=moderator.headers,
    )
    while_hidden = await _what_readers_see(client, post, user, fan)
    shown = await client.delete(
        f"/moderation/posts/{post['id']}/hidden", headers=moderator.headers
    )
    after = await _what_readers_see(client, post, user, fan)

    assert hidden.status_code == 204
    assert shown.status_code == 204
    assert before == {
        "everyone": (True, 2),
        "by_author": (True, 2),
        "tagged": (True, 2),
        "searched": (True, 1),
        "feed": (True, 2),
        "favorites": (True, 1),
        "tags": {"gardening": 2},
    }
    assert while_hidden == {
        "everyone": (False, 1),
        "by_author": (False, 1),
        "tagged": (False, 1),
        "searched": (False, 0),
        "feed": (False, 1),
        "favorites": (False, 0),
        "tags": {"gardening": 1},
    }
    assert after == before


async def test_a_hidden_post_is_404_to_all_but_its_author_and_moderators(
    client: AsyncClient, user: AuthUser, other_user: AuthUser, moderator: AuthUser
) -> None:
    post = await create_post(client, user)
    await create_comment(client, post["id"], other_user)
    await client.put(
        f"/moderation/posts/{post['id']}/hidden", headers=moderator.headers
    )

    for who in (None, other_user):
        headers = who.headers if who else {}
        for path in (
            f"/posts/{post['id']}",
            f"/posts/by-slug/{post['slug']}",
            f"/posts/{post['id']}/comments",
        ):
            response = await client.get(path, headers=headers)
            assert response.status_code == 404, (path, who)
        favorite = await client.put(f"/posts/{post['id']}/favorite", headers=headers)
        assert favorite.status_code in (401, 404)
    for who in (user, moderator):
        seen = await client.get(f"/posts/{post['id']}", headers=who.headers)
        assert seen.status_code == 200
        assert seen.json()["status"] == "hidden"


async def test_the_author_cannot_show_their_hidden_post_again(
    client: AsyncClient, user: AuthUser, moderator: AuthUser
) -> None:
    post = await create_post(client, user)
    await client.put(
        f"/moderation/posts/{post['id']}/hidden", headers=moderator.headers
    )

    edited = await client.patch(
        f"/posts/{post['id']}",
        json={"status": "published", "title": "Edited"},
        headers=user.headers,
    )
    as_hidden = await client.patch(
        f"/posts/{post['id']}", json={"status": "hidden"}, headers=user.headers
    )
    created_hidden = await client.post(
        "/posts",
        json={"title": "t", "content": "c", "status": "hidden"},
        headers=user.headers,
    )

    assert edited.status_code == 200
    assert edited.json()["status"] == "hidden"
    assert edited.json()["title"] == "Edited"
    assert (await client.get(f"/posts/{post['id']}")).status_code == 404
    assert as_hidden.status_code == 422
    assert created_hidden.status_code == 422


async def test_hiding_twice_counts_once_and_a_draft_is_not_theirs_to_hide(
    client: AsyncClient, user: AuthUser, moderator: AuthUser, superuser: AuthUser
) -> None:
    post = await create_post(client, user)
    draft = await create_post(client, user, status="draft")
    path = f"/moderation/posts/{post['id']}/hidden"

    first = await client.put(path, headers=moderator.headers)
    second = await client.put(path, headers=moderator.headers)
    draft_hidden = await client.put(
        f"/moderation/posts/{draft['id']}/hidden", headers=moderator.headers
    )
    audit = await client.get(
        "/admin/audit", params={"target_id": post["id"]}, headers=superuser.headers
    )

    assert (first.status_code, second.status_code) == (204, 204)
    assert draft_hidden.status_code == 404
    assert (await _get(client, "/posts"))["total"] == 0
    assert [entry["action"] for entry in audit.json()["items"]] == ["post_hidden"]


async def test_a_hidden_comment_leaves_its_post_and_count_and_comes_back(
    client: AsyncClient, user: AuthUser, other_user: AuthUser, moderator: AuthUser
) -> None:
    post = await create_post(client, user)
    kept = await create_comment(client, post["id"], user, "Kept")
    hidden = await create_comment(client, post["id"], other_user, "Rude")
    path = f"/posts/{post['id']}/comments/{hidden['id']}"

    response = await client.put(
        f"/moderation/comments/{hidden['id']}/hidden", headers=moderator.headers
    )
    listed = await _get(client, f"/posts/{post['id']}/comments")
    count = (await _get(client, f"/posts/{post['id']}"))["comments_count"]
    anonymous = await client.get(path)
    post_author = await client.get(path, headers=user.headers)
    writer = await client.get(path, headers=other_user.headers)
    seen_by_moderator = await client.get(path, headers=moderator.headers)
    await client.delete(
        f"/moderation/comments/{hidden['id']}/hidden", headers=moderator.headers
    )

    assert response.status_code == 204
    assert [c["id"] for c in listed["items"]] == [kept["id"]]
    assert (listed["total"], count) == (1, 1)
    assert (anonymous.status_code, post_author.status_code) == (404, 404)
    assert writer.status_code == 200
    assert writer.json()["hidden"] is True
    assert seen_by_moderator.status_code == 200
    again = await _get(client, f"/posts/{post['id']}/comments")
    assert [c["id"] for c in again["items"]] == [kept["id"], hidden["id"]]
    assert (await _get(client, f"/posts/{post['id']}"))["comments_count"] == 2
    assert again["items"][1]["hidden"] is False


async def test_members_cannot_moderate(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user)

    for method, path in (
        ("PUT", f"/moderation/posts/{post['id']}/hidden"),
        ("DELETE", f"/moderation/posts/{post['id']}/hidden"),
        ("PUT", f"/moderation/comments/{comment['id']}/hidden"),
        ("PUT", f"/moderation/users/{user.id}/suspended"),
    ):
        refused = await client.request(method, path, headers=other_user.headers)
        anonymous = await client.request(method, path)
        assert refused.status_code == 403, path
        assert refused.json()["detail"] == "Your role does not allow this"
        assert anonymous.status_code == 401, path
    assert (await _get(client, f"/posts/{post['id']}"))["status"] == "published"


async def test_moderators_delete_any_content_and_it_is_audited(
    client: AsyncClient, user: AuthUser, moderator: AuthUser, superuser: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user)
    own = await create_post(client, user)

    deleted_comment = await client.delete(
        f"/posts/{post['id']}/comments/{comment['id']}", headers=moderator.headers
    )
    deleted_post = await client.delete(
        f"/posts/{post['id']}", headers=moderator.headers
    )
    by_author = await client.delete(f"/posts/{own['id']}", headers=user.headers)
    audit = await _get(client, "/admin/audit", superuser)

    assert (deleted_comment.status_code, deleted_post.status_code) == (204, 204)
    assert by_author.status_code == 204
    entries = [
        (e["action"], e["target_id"], e["actor"]["id"])
        for e in audit["items"]
        if e["action"].endswith("_deleted")
    ]
    assert entries == [
        ("post_deleted", post["id"], moderator.id),
        ("comment_deleted", comment["id"], moderator.id),
    ]
