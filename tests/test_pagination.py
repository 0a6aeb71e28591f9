from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from src.pagination import Page, PaginationDep
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio


def _add_list_route(app: FastAPI) -> None:
    @app.get("/numbers")
    async def numbers(pagination: PaginationDep) -> Page[int]:
        values = list(range(250))
        window = values[pagination.offset : pagination.offset + pagination.limit]
        return Page(
            items=window,
            total=len(values),
            limit=pagination.limit,
            offset=pagination.offset,
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
        {"offset": 2**31},
        {"limit": "ten"},
    ],
)
async def test_out_of_range_values_are_422(
    list_client: AsyncClient, params: dict[str, int | str]
) -> None:
    response = await list_client.get("/numbers", params=params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"
