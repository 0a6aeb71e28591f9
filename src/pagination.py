"""Pages of a list: `limit` with either `offset` or an opaque `cursor`.

A cursor names the last item a client saw, by the list's order (a time or
a count, ties broken by id): the next page starts after it with a keyset
condition, so it costs the same at any depth and repeats or skips nothing
when rows are added or removed meanwhile. Cursors are signed, so a client
can neither forge a position nor slip anything into the query, and bound to
the list and filters they came from: used on another list, one is a 422.
"""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache, lru_cache
from typing import Annotated, Any, NamedTuple, Self
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Integer, bindparam, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from src.database.reads import Readable, Reader, Statement
from src.schemas import CustomModel
from src.web.state import app_state

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000
# Longer than any cursor this module makes.
MAX_CURSOR_LENGTH = 200
# Hex characters of the digest that names a list in its cursors.
LIST_KEY_CHARS = 12
SIGNATURE_BYTES = 16

# Where a page starts: after the item with this sort value (a time or a
# count) and id.
type SortValue = datetime | int
type Position = tuple[SortValue, UUID]


class Cursor(NamedTuple):
    """What a cursor says: the list it belongs to, and a position in it."""

    list_key: str
    position: Position


def _encode_value(value: SortValue) -> str:
    return "d" + value.isoformat() if isinstance(value, datetime) else f"i{value}"


def _decode_value(text: str) -> SortValue:
    return datetime.fromisoformat(text[1:]) if text[0] == "d" else int(text[1:])


class CursorSigner:
    """Encodes positions as opaque, signed cursors, and decodes them back."""

    def __init__(self, secret: str) -> None:
        # A key of its own, derived from the application's secret.
        self._key = hmac.digest(secret.encode(), b"pagination-cursor", "sha256")

    def _sign(self, payload: bytes) -> bytes:
        return hmac.digest(self._key, payload, hashlib.sha256)[:SIGNATURE_BYTES]

    def encode(self, cursor: Cursor) -> str:
        value, item_id = cursor.position
        payload = json.dumps(
            [cursor.list_key, _encode_value(value), item_id.hex]
        ).encode()
        return _b64(payload) + "." + _b64(self._sign(payload))

    def decode(self, cursor: str) -> Cursor:
        """What `cursor` says; ValueError if it is not one of ours."""
        encoded, _, signature = cursor.partition(".")
        try:
            payload = _unb64(encoded)
            valid = hmac.compare_digest(_unb64(signature), self._sign(payload))
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise ValueError("malformed cursor") from exc
        if not valid:
            raise ValueError("cursor signature does not match")
        list_key, value, item_id = json.loads(payload)
        return Cursor(list_key, (_decode_value(value), UUID(hex=item_id)))


@cache
def cursor_signer(secret: str) -> CursorSigner:
    """The signer for `secret`, made once: its key is derived, not per request."""
    return CursorSigner(secret)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class PaginationParams:
    limit: int
    # None on a page fetched by cursor.
    offset: int | None
    after: Cursor | None
    signer: CursorSigner


def _invalid(message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", "cursor"), "msg": message}]
    )


async def pagination_params(
    request: Request,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page")
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int | None,
        Query(ge=0, le=MAX_OFFSET, description="Items to skip (not with `cursor`)"),
    ] = None,
    cursor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_CURSOR_LENGTH,
            description="The `next_cursor` of the previous page (not with `offset`)",
        ),
    ] = None,
) -> PaginationParams:
    # Integers as the document says one is written: digits (Pydantic also
    # takes "0.0", " 5", "+5" and "1_000").
    for name in ("limit", "offset"):
        written = request.query_params.get(name)
        if written is not None and not (written.isascii() and written.isdigit()):
            raise RequestValidationError(
                [
                    {
                        "type": "int_parsing",
                        "loc": ("query", name),
                        "msg": "Must be digits",
                    }
                ]
            )
    signer = cursor_signer(app_state(request).settings.auth.JWT_SECRET)
    if cursor is None:
        return PaginationParams(limit, offset or 0, None, signer)
    if offset is not None:
        raise _invalid("Send either cursor or offset, not both")
    try:
        after = signer.decode(cursor)
    except (ValueError, TypeError, IndexError) as exc:
        raise _invalid("Invalid cursor") from exc
    return PaginationParams(limit, None, after, signer)


PaginationDep = Annotated[PaginationParams, Depends(pagination_params)]


class Fetched[T](NamedTuple):
    """One page of a list, as the database gave it."""

    items: list[T]
    total: int
    next_cursor: str | None


class PageMode(StrEnum):
    FIRST = "first"
    OFFSET = "offset"
    AFTER = "after"


# A list's order: a time or a count, then an id to break ties.
type Order = tuple[InstrumentedAttribute[Any], InstrumentedAttribute[UUID]]


# Bounded: one entry per list, way of paging and direction.
@lru_cache(maxsize=128)
def _page_statement(
    rows: Statement[Any], order: Order, descending: bool, mode: PageMode
) -> Statement[tuple[Any, ...]]:
    """`rows` in `order`, with its paging as bound parameters: one compiled
    statement per list and mode, whatever the page. Its rows end with the
    order's two columns (the cursor's position).
    """
    sort_by, item_id = order

    def build() -> Any:
        keyed = rows.select.add_columns(sort_by, item_id).order_by(
            *((sort_by.desc(), item_id.desc()) if descending else (sort_by, item_id))
        )
        if mode is PageMode.AFTER:
            after = tuple_(sort_by, item_id)
            position = tuple_(
                bindparam("after_value", type_=sort_by.type),
                bindparam("after_id", type_=item_id.type),
            )
            keyed = keyed.where(after < position if descending else after > position)
        elif mode is PageMode.OFFSET:
            keyed = keyed.offset(bindparam("page_offset", type_=Integer))
        return keyed.limit(bindparam("page_limit", type_=Integer))

    return Statement(f"{rows.name}.{mode}", build, tuple)


def _list_key(rows: Statement[Any], parameters: Mapping[str, Any]) -> str:
    """Names one list with its filters: what a cursor of it is bound to."""
    described = json.dumps([rows.name, sorted(parameters.items())], default=str)
    return hashlib.sha256(described.encode()).hexdigest()[:LIST_KEY_CHARS]


async def fetch_page[R](
    readable: Readable,
    rows: Statement[R],
    count: Statement[int],
    pagination: PaginationParams,
    *,
    order: Order,
    descending: bool,
    parameters: Mapping[str, Any],
    custom_plans: bool = False,
) -> Fetched[R]:
    """One page of `rows`, in `order` (a time or a count, then an id), and
    the `count` of all: two statements on one connection.

    Both take their values from `parameters` as bound parameters.
    `custom_plans` when the best plan depends on those values (`Reader`).
    A cursor of another list (or of the same list with other filters) is a 422.
    """
    list_key = _list_key(rows, parameters)
    arguments = dict(parameters, page_limit=pagination.limit + 1)
    if pagination.after is not None:
        if pagination.after.list_key != list_key:
            raise _invalid("This cursor belongs to another list or other filters")
        mode = PageMode.AFTER
        arguments["after_value"], arguments["after_id"] = pagination.after.position
    elif pagination.offset:
        mode = PageMode.OFFSET
        arguments["page_offset"] = pagination.offset
    else:
        mode = PageMode.FIRST
    statement = _page_statement(rows, order, descending, mode)
    async with Reader(readable, custom_plans=custom_plans) as reader:
        # One row more than the page tells whether another page follows.
        fetched = await reader.all(statement, arguments)
        total = await reader.one(count, parameters)
    page = fetched[: pagination.limit]
    next_cursor = (
        pagination.signer.encode(Cursor(list_key, (page[-1][-2], page[-1][-1])))
        if len(fetched) > pagination.limit
        else None
    )
    return Fetched([rows.make(row[:-2]) for row in page], int(total or 0), next_cursor)


class Page[T](CustomModel):
    items: list[T]
    total: int
    limit: int
    offset: int | None
    next_cursor: str | None

    @staticmethod
    def fields(
        items: Sequence[Any], fetched: Fetched[Any], pagination: PaginationParams
    ) -> dict[str, Any]:
        """A page's fields, in the schema's order (what `create` validates)."""
        return {
            "items": items,
            "total": fetched.total,
            "limit": pagination.limit,
            "offset": pagination.offset,
            "next_cursor": fetched.next_cursor,
        }

    @classmethod
    def create(
        cls, items: Sequence[Any], fetched: Fetched[Any], pagination: PaginationParams
    ) -> Self:
        """A page of `items` (responses, ORM objects or dicts) of a list."""
        return cls.model_validate(
            cls.fields(items, fetched, pagination), from_attributes=True
        )
