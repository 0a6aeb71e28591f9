from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from src.pagination import Page, PaginationDep
from tests.factories import AuthUser, create_post
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio


def _add_list_route(app: FastAPI) -> None:
    @app.get("/numbers")
    async def numbers(pagination: PaginationDep) -> Page[int]:
        values = list(range(250))
        start = pagination.offset or 0
        return Page(
            items=values[start : start + pagination.limit],
            total=len(values),
            limit=pagination.limit,
            offset=pagination.offset,
            next_cursor=None,
        )


@pytest.fixture
async def list_client(app_factory: AppFactory) -> AsyncIterator[AsyncClient]:
    app = app_factory()
    _add_list_route(app)
    async with app_client(app) as client:
        yield client


async def test_defaults_are_limit_20_offset_0(list_client: AsyncClient) -> None:
    response = await list_client.get("/numbers")

    assert response.status_code == 200
    body = response.json()
    assert body["items"] == list(range(20))
    assert (body["total"], body["limit"], body["offset"]) == (250, 20, 0)


async def test_limit_and_offset_select_the_window(list_client: AsyncClient) -> None:
    response = await list_client.get("/numbers", params={"limit": 100, "offset": 200})

    assert response.json()["items"] == list(range(200, 250))


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": -1},
        {"offset": -1},
        {"offset": 10_001},
        {"limit": "ten"},
        {"cursor": ""},
        {"cursor": "not-a-cursor"},
        {"cursor": "x" * 201},
    ],
)
async def test_out_of_range_values_are_422(
    list_client: AsyncClient, params: dict[str, int | str]
) -> None:
    response = await list_client.get("/numbers", params=params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


async def test_offset_and_cursor_together_are_422(list_client: AsyncClient) -> None:
    response = await list_client.get("/numbers", params={"offset": 0, "cursor": "x"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


async def test_a_cursor_is_bound_to_its_list_and_filters(
    client: AsyncClient, user: AuthUser
) -> None:
    for n in range(3):
        await create_post(client, user, title=f"Post {n}", tags=["garden"])
    first = (await client.get("/posts", params={"limit": 1})).json()
    cursor = first["next_cursor"]

    same = await client.get("/posts", params={"limit": 1, "cursor": cursor})
    tagged = await client.get("/posts", params={"tag": "garden", "cursor": cursor})
    by_author = await client.get(f"/users/{user.id}/posts", params={"cursor": cursor})
    searched = await client.get("/posts", params={"q": "post", "cursor": cursor})

    assert same.status_code == 200
    assert [r.status_code for r in (tagged, by_author, searched)] == [422, 422, 422]
