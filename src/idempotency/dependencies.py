"""The Idempotency-Key header on creating routes."""

from typing import Annotated

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.dependencies import CurrentUser
from src.database.session import UnitOfWork
from src.idempotency import service
from src.idempotency.constants import (
    IDEMPOTENCY_HEADER,
    KEY_PATTERN,
    REPLAYED_RESPONSE_HEADERS,
)
from src.idempotency.models import IdempotencyRecord
from src.web.rate_limit import client_address

KeyHeader = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        pattern=KEY_PATTERN,
        description="Makes a retry safe: a repeat with the same key and body "
        "within 24 hours gets the first response (and creates nothing); "
        "409 while the first is in progress; 422 with a different body.",
        examples=["6f1c2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b"],
    ),
]


class Idempotency:
    """The request's claim on its Idempotency-Key (none without the header):
    the route hands it its response, stored with its writes."""

    def __init__(self, record: IdempotencyRecord | None, status_code: int) -> None:
        self._record = record
        self._status_code = status_code

    def remember[M: BaseModel](self, result: M, response: Response) -> M:
        """Store `result` (and the response's Location and ETag) as the
        answer to every repeat; returns `result`."""
        if self._record is not None:
            service.remember(
                self._record,
                status_code=response.status_code or self._status_code,
                body=result.model_dump_json().encode(),
                headers={
                    name: response.headers[name]
                    for name in REPLAYED_RESPONSE_HEADERS
                    if name in response.headers
                },
            )
        return result


async def open_idempotency(
    request: Request,
    session: AsyncSession,
    *,
    scope: str,
    key: str | None,
    body: bytes,
) -> Idempotency:
    """Claim `key` for this request (see `service.begin`)."""
    route = request.scope.get("route")
    status_code = route.status_code if isinstance(route, APIRoute) else None
    if key is None:
        return Idempotency(None, status_code or 200)
    record = await service.begin(
        session,
        scope=scope,
        key=key,
        request_fingerprint=service.fingerprint(request.method, request.url.path, body),
    )
    return Idempotency(record, status_code or 200)


async def _for_user(
    request: Request, session: UnitOfWork, user: CurrentUser, key: KeyHeader = None
) -> Idempotency:
    body = service.canonical_json(await request.body())
    return await open_idempotency(
        request, session, scope=f"user:{user.id}", key=key, body=body
    )


async def _for_address(
    request: Request, session: UnitOfWork, key: KeyHeader = None
) -> Idempotency:
    body = service.canonical_json(await request.body())
    return await open_idempotency(
        request, session, scope=f"address:{client_address(request)}", key=key, body=body
    )


# Keys scoped to the signed-in user, and (anonymous routes) to the address.
UserIdempotency = Annotated[Idempotency, Depends(_for_user)]
AddressIdempotency = Annotated[Idempotency, Depends(_for_address)]
