from collections.abc import Sequence
from typing import Annotated, Any, Self

from fastapi import Depends, Query
from sqlalchemy import Row, Select
from sqlalchemy.ext.asyncio import AsyncSession

from src.schemas import CustomModel

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Keeps OFFSET inside a 32-bit integer on every database.
MAX_OFFSET = 2**31 - 1


class PaginationParams(CustomModel):
    limit: int
    offset: int


async def pagination_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")] = 0,
) -> PaginationParams:
    return PaginationParams(limit=limit, offset=offset)


PaginationDep = Annotated[PaginationParams, Depends(pagination_params)]


async def fetch_page[*Ts](
    session: AsyncSession,
    query: Select[*Ts],
    count: Select[int],
    pagination: PaginationParams,
) -> tuple[Sequence[Row[*Ts]], int]:
    """One page of `query`'s rows and the `count` of all: two statements."""
    total = await session.scalar(count)
    result = await session.execute(
        query.limit(pagination.limit).offset(pagination.offset)
    )
    return result.all(), total or 0


class Page[T](CustomModel):
    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def create(
        cls, items: Sequence[Any], total: int, pagination: PaginationParams
    ) -> Self:
        """A page of `items` (responses, ORM objects or dicts) out of `total`."""
        return cls.model_validate(
            {
                "items": items,
                "total": total,
                "limit": pagination.limit,
                "offset": pagination.offset,
            },
            from_attributes=True,
        )
