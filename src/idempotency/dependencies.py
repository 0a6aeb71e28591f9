"""The Idempotency-Key header on creating routes."""

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from src.database.unit_of_work import UnitOfWork, UnitsOfWork
from src.exceptions import raises
from src.idempotency import service
from src.idempotency.constants import (
    IDEMPOTENCY_HEADER,
    KEY_PATTERN,
    REPLAYED_RESPONSE_HEADERS,
)
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.web.dependencies import UnitOfWorkDep, UnitsOfWorkDep
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
    the route hands it its response, recorded with its writes."""

    def __init__(self, claim: UUID | None, uow: UnitOfWork, status_code: int) -> None:
        self._claim = claim
        self._uow = uow
        self._status_code = status_code

    async def remember[M: BaseModel](self, result: M, response: Response) -> M:
        """Record `result` (and the response's Location and ETag) in the
        request's unit of work as the answer to every repeat; returns it."""
        if self._claim is not None:
            await service.record_response(
                self._uow,
                self._claim,
                status_code=response.status_code or self._status_code,
                # As FastAPI answered it: by alias.
                body=result.model_dump_json(by_alias=True).encode(),
                headers={
                    name: response.headers[name]
                    for name in REPLAYED_RESPONSE_HEADERS
                    if name in response.headers
                },
            )
        return result


async def open_idempotency(
    request: Request,
    units: UnitsOfWork,
    uow: UnitOfWork,
    *,
    scope: str,
    key: str | None,
    body: bytes,
) -> Idempotency:
    """Claim `key` for this request (see `service.claim`); the claim is
    released if the request's unit of work rolls back."""
    route = request.scope.get("route")
    status_code = (route.status_code if isinstance(route, APIRoute) else None) or 200
    if key is None:
        return Idempotency(None, uow, status_code)
    claim = await service.claim(
        units,
        scope=scope,
        key=key,
        request_fingerprint=service.fingerprint(request.method, request.url.path, body),
    )
    uow.after_rollback(partial(service.release, units, claim))
    return Idempotency(claim, uow, status_code)


async def json_body_idempotency(
    request: Request,
    units: UnitsOfWork,
    uow: UnitOfWork,
    *,
    scope: str,
    key: str | None,
) -> Idempotency:
    """`open_idempotency` for a JSON body: the same request is the same
    JSON value. Without a key, the body is not read here."""
    body = service.canonical_json(await request.body()) if key is not None else b""
    return await open_idempotency(request, units, uow, scope=scope, key=key, body=body)


@raises(IdempotencyKeyInProgress)
async def _for_address(
    request: Request,
    units: UnitsOfWorkDep,
    uow: UnitOfWorkDep,
    key: KeyHeader = None,
) -> Idempotency:
    return await json_body_idempotency(
        request, units, uow, scope=f"address:{client_address(request)}", key=key
    )


# Keys scoped to the client address, on anonymous routes (a signed-in
# user's are `src.auth.dependencies.UserIdempotency`).
AddressIdempotency = Annotated[Idempotency, Depends(_for_address)]
