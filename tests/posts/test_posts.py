import uuid
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from src.comments.models import Comment
from src.posts.models import Post
from tests.factories import AuthUser, create_comment, create_post
from tests.utils import StatementCounter

pytestmark = pytest.mark.anyio


async def test_create_post(client: AsyncClient, user: AuthUser) -> None:
    response = await client.post(
        "/posts",
        json={
            "title": "  Hello  ",  # stored as sent: not trimmed
            "content": "World",
        },
        headers=user.headers,
    )

    assert response.status_code == 201
    post = response.json()
    assert response.headers["Location"] == f"/posts/{post['id']}"
    assert post["title"] == "  Hello  "
    assert post["content"] == "World"
    assert post["creator_id"] == user.id
    assert post["creator"] == {"id": user.id, "username": user.username}
    assert post["comments_count"] == 0
    assert post["created_at"].endswith("Z")
    assert post["updated_at"] is None


@pytest.mark.parametrize("status", ["published", "draft"])
async def test_a_created_post_is_answered_as_a_read_gives_it(
    client: AsyncClient, user: AuthUser, status: str
) -> None:
    # The creation answers without reading the post back: what it builds
    # must be what every later read gives, taken slug included.
    body = {
        "title": "Same title",
        "description": "About it",
        "content": "Text",
        "tags": ["Python", "web-dev"],
        "status": status,
    }
    first = await client.post("/posts", json=body, headers=user.headers)
    created = await client.post("/posts", json=body, headers=user.headers)

    assert first.status_code == created.status_code == 201
    read = await client.get(f"/posts/{created.json()['id']}", headers=user.headers)
    assert read.status_code == 200
    assert created.json() == read.json()
    assert created.headers["ETag"] == read.headers["ETag"]
    assert created.json()["slug"] != first.json()["slug"]
    assert created.json()["tags"] == ["python", "web-dev"]


async def test_create_post_needs_a_token(client: AsyncClient) -> None:
    response = await client.post("/posts", json={"title": "t", "content": "c"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "content": "c"},
        {"title": "   ", "content": "c"},
        {"title": "t" * 256, "content": "c"},
        {"title": "t", "content": ""},
        {"title": "t", "content": "c" * 50_001},
        {"title": "t"},
        {"content": "c"},
        {"title": "nul\x00", "content": "c"},
    ],
)
async def test_create_post_validates(
    client: AsyncClient, user: AuthUser, body: dict[str, str]
) -> None:
    response = await client.post("/posts", json=body, headers=user.headers)

    assert response.status_code == 422


async def test_limits_are_inclusive(client: AsyncClient, user: AuthUser) -> None:
    response = await client.post(
        "/posts",
        json={"title": "t" * 255, "content": "c" * 50_000},
        headers=user.headers,
    )

    assert response.status_code == 201


async def test_get_post(client: AsyncClient, user: AuthUser) -> None:
    post = await create_post(client, user)

    response = await client.get(f"/posts/{post['id']}")

    assert response.status_code == 200
    assert response.json() == post


async def test_get_missing_post_is_404(client: AsyncClient) -> None:
    response = await client.get(f"/posts/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Post not found"}


async def test_get_post_with_a_bad_id_is_422(client: AsyncClient) -> None:
    assert (await client.get("/posts/123")).status_code == 422


async def test_list_posts_newest_first_with_total(
    client: AsyncClient, user: AuthUser
) -> None:
    ids = [(await create_post(client, user, title=f"p{i}"))["id"] for i in range(5)]

    response = await client.get("/posts", params={"limit": 2, "offset": 1})

    body = response.json()
    assert response.status_code == 200
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 1)
    assert [p["id"] for p in body["items"]] == [ids[3], ids[2]]


async def test_list_posts_by_creator(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    mine = await create_post(client, user)
    await create_post(client, other_user)

    response = await client.get("/posts", params={"creator_id": user.id})

    assert [p["id"] for p in response.json()["items"]] == [mine["id"]]
    assert response.json()["total"] == 1


async def test_search_is_a_case_insensitive_substring(
    client: AsyncClient, user: AuthUser
) -> None:
    in_title = await create_post(client, user, title="All about FastAPI")
    in_content = await create_post(client, user, content="I like fastapi a lot")
    await create_post(client, user, title="Unrelated", content="Nothing of note")
    literal = await create_post(client, user, title="Save 50%off", content="x")

    found = await client.get("/posts", params={"q": "FASTapi"})
    # `%` is a character here, not a wildcard (which would find "of note").
    percent = await client.get("/posts", params={"q": "%of"})

    assert {p["id"] for p in found.json()["items"]} == {
        in_title["id"],
        in_content["id"],
    }
    assert [p["id"] for p in percent.json()["items"]] == [literal["id"]]


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "ab"},
        {"q": "x" * 201},
        {"q": "nul\x00"},
        {"creator_id": "nope"},
    ],
)
async def test_list_filters_validate(
    client: AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/posts", params=params)

    assert response.status_code == 422


async def test_list_is_a_constant_number_of_statements(
    client: AsyncClient,
    user: AuthUser,
    other_user: AuthUser,
    connection: AsyncConnection,
) -> None:
    async def statements_for_list() -> int:
        with StatementCounter(connection) as counter:
            response = await client.get("/posts", params={"limit": 100})
        assert response.status_code == 200
        return counter.count

    first = await create_post(client, user)
    await create_comment(client, first["id"], other_user)
    few = await statements_for_list()
    for i in range(15):
        post = await create_post(client, other_user if i % 2 else user)
        await create_comment(client, post["id"], user)
    many = await statements_for_list()

    assert few == many
    assert many <= 4


async def test_comments_count(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    for _ in range(3):
        await create_comment(client, post["id"], other_user)

    single = await client.get(f"/posts/{post['id']}")
    listed = await client.get("/posts")

    assert single.json()["comments_count"] == 3
    assert listed.json()["items"][0]["comments_count"] == 3


async def test_creator_edits_a_post(client: AsyncClient, user: AuthUser) -> None:
    post = await create_post(client, user)

    response = await client.patch(
        f"/posts/{post['id']}", json={"title": "New title"}, headers=user.headers
    )

    body = response.json()
    assert response.status_code == 200
    assert body["title"] == "New title"
    assert body["content"] == post["content"]
    assert body["updated_at"] is not None
    assert body["updated_at"] >= body["created_at"]
    assert (await client.get(f"/posts/{post['id']}")).json() == body


@pytest.mark.parametrize("body", [{"title": None}, {"content": None}, {"title": ""}])
async def test_edit_validates(
    client: AsyncClient, user: AuthUser, body: dict[str, None]
) -> None:
    post = await create_post(client, user)

    response = await client.patch(
        f"/posts/{post['id']}", json=body, headers=user.headers
    )

    assert response.status_code == 422


async def test_others_cannot_edit_a_post(
    client: AsyncClient, user: AuthUser, other_user: AuthUser, superuser: AuthUser
) -> None:
    post = await create_post(client, user)

    for intruder in (other_user, superuser):
        response = await client.patch(
            f"/posts/{post['id']}", json={"title": "Hacked"}, headers=intruder.headers
        )
        assert response.status_code == 403
    assert (await client.get(f"/posts/{post['id']}")).json()["title"] == post["title"]


async def test_edit_refuses_server_owned_fields(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)

    response = await client.patch(
        f"/posts/{post['id']}",
        json={
            "creator_id": other_user.id,
            "id": str(uuid.uuid4()),
            "comments_count": 9,
        },
        headers=user.headers,
    )

    assert response.status_code == 422
    assert (await client.get(f"/posts/{post['id']}")).json() == post


async def test_delete_post_removes_its_comments(
    client: AsyncClient, user: AuthUser, other_user: AuthUser, session: AsyncSession
) -> None:
    post = await create_post(client, user)
    await create_comment(client, post["id"], other_user)

    response = await client.delete(f"/posts/{post['id']}", headers=user.headers)

    assert response.status_code == 204
    assert (await client.get(f"/posts/{post['id']}")).status_code == 404
    comments = await session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.post_id == UUID(post["id"]))
    )
    assert comments == 0


async def test_only_creator_or_superuser_deletes_a_post(
    client: AsyncClient, user: AuthUser, other_user: AuthUser, superuser: AuthUser
) -> None:
    post = await create_post(client, user)

    denied = await client.delete(f"/posts/{post['id']}", headers=other_user.headers)
    allowed = await client.delete(f"/posts/{post['id']}", headers=superuser.headers)
    again = await client.delete(f"/posts/{post['id']}", headers=superuser.headers)

    assert denied.status_code == 403
    assert allowed.status_code == 204
    assert again.status_code == 404


async def test_deleting_a_user_removes_their_posts_and_comments(
    client: AsyncClient, user: AuthUser, other_user: AuthUser, session: AsyncSession
) -> None:
    their_post = await create_post(client, other_user)
    my_post = await create_post(client, user)
    await create_comment(client, my_post["id"], other_user)
    await create_comment(client, their_post["id"], user)

    await client.delete("/auth/users/me", headers=other_user.headers)

    assert (await client.get(f"/posts/{their_post['id']}")).status_code == 404
    remaining = await client.get(f"/posts/{my_post['id']}")
    assert remaining.json()["comments_count"] == 0
    posts = await session.scalar(
        select(func.count())
        .select_from(Post)
        .where(Post.creator_id == UUID(other_user.id))
    )
    assert posts == 0


async def test_user_posts(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    first = await create_post(client, user)
    second = await create_post(client, user)
    await create_post(client, other_user)

    response = await client.get(f"/users/{user.id}/posts")

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["items"]] == [second["id"], first["id"]]
    assert response.json()["total"] == 2


async def test_user_posts_of_a_missing_user_is_404(client: AsyncClient) -> None:
    response = await client.get(f"/users/{uuid.uuid4()}/posts")

    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}


@pytest.mark.parametrize("title", ["Two\nlines", "A\rreturn", "A\ttab", "Null\x00"])
async def test_a_title_is_one_line_without_control_characters(
    client: AsyncClient, user: AuthUser, title: str
) -> None:
    response = await client.post(
        "/posts",
        json={"title": title, "content": "Lines\nare fine here"},
        headers=user.headers,
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "title"]
