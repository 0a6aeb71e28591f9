"""Anonymous reads answered from the cache before routing
(src/web/cached_reads.py) answer exactly as their routes do."""

import pytest
from httpx import AsyncClient, Response

from tests.factories import AuthUser, create_post

pytestmark = pytest.mark.anyio

ORIGIN = "http://localhost:5173"


def _as_sent(response: Response) -> tuple[int, bytes, dict[str, str]]:
    headers = dict(response.headers)
    del headers["x-request-id"]
    return response.status_code, response.content, headers


@pytest.mark.parametrize("path", ["/posts/{post}", "/users/{user}", "/posts"])
async def test_a_cache_hit_answers_as_the_route_did(
    client: AsyncClient, user: AuthUser, path: str
) -> None:
    post = await create_post(client, user)
    url = path.format(post=post["id"], user=user.id)
    headers = {"Origin": ORIGIN}

    routed = await client.get(url, headers=headers)
    cached = await client.get(url, headers=headers)

    assert routed.status_code == 200
    assert _as_sent(cached) == _as_sent(routed)
    assert cached.headers["access-control-allow-origin"] == ORIGIN
    assert cached.headers["x-request-id"] != routed.headers["x-request-id"]


async def test_a_cached_page_answers_its_limit_and_no_other_query(
    client: AsyncClient, user: AuthUser
) -> None:
    for title in ("One", "Two"):
        await create_post(client, user, title=title)
    await client.get("/posts", params={"limit": 1})

    one = await client.get("/posts", params={"limit": 1})
    both = await client.get("/posts")
    unknown = await client.get("/posts", params={"limit": 1, "sort": "x"})
    too_many = await client.get("/posts", params={"limit": 101})

    assert [item["title"] for item in one.json()["items"]] == ["Two"]
    assert len(both.json()["items"]) == 2
    assert unknown.status_code == too_many.status_code == 422


async def test_a_post_read_with_another_query_or_spelling_goes_to_its_route(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    await client.get(f"/posts/{post['id']}")

    upper = await client.get(f"/posts/{post['id'].upper()}")
    queried = await client.get(f"/posts/{post['id']}", params={"x": "1"})

    assert upper.json() == post
    assert queried.status_code == 422


async def test_a_read_with_a_credential_is_never_the_anonymous_answer(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    await client.get(url)

    bad_token = await client.get(url, headers={"Authorization": "Bearer nonsense"})
    bad_key = await client.get(url, headers={"X-API-Key": "pk_nonsense"})

    assert bad_token.status_code == bad_key.status_code == 401
