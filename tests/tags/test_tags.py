"""Tags: normalised, limited, filtered on, and listed by use."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_post

pytestmark = pytest.mark.anyio


async def _tagged(client: AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/posts", params=params)
    assert response.status_code == 200, response.text
    return [post["title"] for post in response.json()["items"]]


async def test_tags_are_normalised_deduplicated_and_kept_in_order(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(
        client, user, tags=["  Python ", "web   Frameworks", "python", "C-2"]
    )

    assert post["tags"] == ["python", "web-frameworks", "c-2"]
    read = await client.get(f"/posts/{post['id']}")
    assert read.json()["tags"] == ["python", "web-frameworks", "c-2"]


@pytest.mark.parametrize(
    "tags",
    [
        ["x" * 33],
        [""],
        ["   "],
        ["semi;colon"],
        ["new\nline"],
        ["under_score"],
        ["café"],
        [f"tag{n}" for n in range(11)],
    ],
)
async def test_a_bad_tag_or_too_many_is_422(
    client: AsyncClient, user: AuthUser, tags: list[str]
) -> None:
    response = await client.post(
        "/posts",
        json={"title": "t", "content": "c", "tags": tags},
        headers=user.headers,
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "tags"]
    assert (await client.get("/posts")).json()["total"] == 0


async def test_tag_filters_alone_and_with_an_author(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    await create_post(client, user, title="A", tags=["python"])
    await create_post(client, other_user, title="B", tags=["python", "web"])
    await create_post(client, user, title="C", tags=["web"])

    assert await _tagged(client, tag="python") == ["B", "A"]
    assert await _tagged(client, tag=" Python ") == ["B", "A"]
    assert await _tagged(client, tag="web", creator_id=user.id) == ["C"]
    assert await _tagged(client, tag="missing") == []
    both = await client.get("/posts", params={"tag": "web", "creator_id": user.id})
    assert both.json()["total"] == 1
    assert (await client.get("/posts", params={"tag": "python"})).json()["total"] == 2
    bad = await client.get("/posts", params={"tag": "no;way"})
    assert bad.status_code == 422


async def test_editing_tags_replaces_them(client: AsyncClient, user: AuthUser) -> None:
    post = await create_post(client, user, tags=["old", "kept"])

    edited = await client.patch(
        f"/posts/{post['id']}", json={"tags": ["kept", "new"]}, headers=user.headers
    )

    assert edited.json()["tags"] == ["kept", "new"]
    assert await _tagged(client, tag="old") == []
    assert await _tagged(client, tag="new") == [post["title"]]


async def test_tags_are_listed_by_use_and_leave_when_unused(
    client: AsyncClient, user: AuthUser
) -> None:
    for tags in (["common", "rare"], ["common"], ["common", "middle"], ["middle"]):
        await create_post(client, user, tags=tags)
    gone = await create_post(client, user, tags=["gone"])
    await client.delete(f"/posts/{gone['id']}", headers=user.headers)

    page = (await client.get("/tags")).json()
    first = (await client.get("/tags", params={"limit": 2})).json()
    rest = (await client.get("/tags", params={"cursor": first["next_cursor"]})).json()

    assert page["items"] == [
        {"name": "common", "posts_count": 3},
        {"name": "middle", "posts_count": 2},
        {"name": "rare", "posts_count": 1},
    ]
    assert page["total"] == 3
    assert [t["name"] for t in first["items"] + rest["items"]] == [
        "common",
        "middle",
        "rare",
    ]
