"""Anonymous reads answered before routing (src/web/public_reads.py), from
the cache or not, answer exactly as their routes do."""

import pytest
from httpx import AsyncClient, Response
from pydantic_core import to_json
from sqlalchemy.ext.asyncio import AsyncConnection

from src.pagination import Page, PaginationParams, cursor_signer
from src.posts import cache, lists
from src.posts.schemas import PostResponse
from src.posts.utils import post_response
from tests.factories import AuthUser, create_post, create_user
from tests.utils import AppFactory, app_client

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


@pytest.mark.parametrize("path", ["/posts/{post}", "/users/{user}", "/posts"])
async def test_without_the_cache_an_anonymous_read_is_a_strangers_answer(
    app_factory: AppFactory, path: str
) -> None:
    async with app_client(app_factory(READ_CACHE_ENABLED=False)) as client:
        author, stranger = await create_user(client), await create_user(client)
        post = await create_post(client, author)
        url = path.format(post=post["id"], user=author.id)

        anonymous = await client.get(url)
        routed = await client.get(url, headers=stranger.headers)
        again = await client.get(
            url, headers={"If-None-Match": anonymous.headers.get("ETag", "")}
        )

    assert anonymous.status_code == routed.status_code == 200
    assert anonymous.json() == routed.json()
    assert anonymous.headers.get("ETag") == routed.headers.get("ETag")
    assert again.status_code == (200 if path == "/posts" else 304)


async def test_without_the_cache_what_is_not_public_is_the_routes_404(
    app_factory: AppFactory,
) -> None:
    async with app_client(app_factory(READ_CACHE_ENABLED=False)) as client:
        author, stranger = await create_user(client), await create_user(client)
        draft = await create_post(client, author, status="draft")
        unknown = "00000000-0000-4000-8000-000000000000"

        anonymous = [await client.get(f"/posts/{draft['id']}")]
        anonymous.append(await client.get(f"/posts/{unknown}"))
        anonymous.append(await client.get(f"/users/{unknown}"))
        routed = await client.get(f"/posts/{draft['id']}", headers=stranger.headers)
        by_author = await client.get(f"/posts/{draft['id']}", headers=author.headers)

    assert [read.status_code for read in anonymous] == [404, 404, 404]
    assert anonymous[0].json() == anonymous[1].json() == routed.json()
    assert anonymous[2].json() == {"detail": "User not found"}
    assert by_author.status_code == 200


async def test_a_public_answer_is_the_models_own_json_byte_for_byte(
    client: AsyncClient, user: AuthUser, connection: AsyncConnection
) -> None:
    # Written from the rows' fields without building the models (faster):
    # the bytes must be those the models write, whatever the text holds.
    texts = ['Quotes " and \\ back\\slash', "é, 漢字 and 😀", "Tab\tnew\nline\r"]
    for n, text in enumerate(texts):
        await create_post(
            client,
            user,
            title=f'Title {n}: « é » "quoted"',
            description="Ça, 漢字",
            content=text,
            tags=["one", f"tag {n}"],
        )
    favorite = await create_post(client, user)
    await client.put(f"/posts/{favorite['id']}/favorite", headers=user.headers)
    pagination = PaginationParams(2, 0, None, cursor_signer("x" * 40))

    page = await cache.read_first_page(None, connection, pagination)
    model = Page[PostResponse].create(
        [post_response(row) for row in page.fetched.items], page.fetched, pagination
    )
    every = await lists.list_posts(
        connection, pagination=PaginationParams(10, 0, None, pagination.signer)
    )

    assert page.fetched.next_cursor is not None
    assert page.body == to_json(model, by_alias=True)
    assert len(every.items) == 4
    for row in every.items:
        read = await cache.read_post(None, connection, row.id)
        assert read is not None
        assert read.body == to_json(post_response(row), by_alias=True)
