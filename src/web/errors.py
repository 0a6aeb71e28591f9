"""How errors the routes do not handle themselves are answered."""

from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from src.constants import REQUEST_ID_HEADER, ErrorMessage
from src.database.base import foreign_key_violation, transactions_collided
from src.exceptions import ServiceUnavailable
from src.logging_config import request_id

logger = structlog.get_logger(__name__)

# Errors that mean "a dependency is unreachable", not "our code is wrong".
DEPENDENCY_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def _request_id_headers() -> dict[str, str]:
    current = request_id.get()
    return {REQUEST_ID_HEADER: current} if current else {}


def _internal_error(exc: Exception, headers: dict[str, str]) -> JSONResponse:
    logger.error("unhandled_exception", exc_info=exc)
    return JSONResponse(
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        content={"detail": ErrorMessage.INTERNAL_SERVER_ERROR},
        headers=headers,
    )


async def _unhandled_exception_handler(_: Request, exc: Exception) -> JSONResponse:
    # Starlette runs the handler of `Exception` outside every middleware,
    # the request id's included: add the header here.
    return _internal_error(exc, _request_id_headers())


def validation_error_items(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Where and what is wrong, without what was sent: a rejected password
    must not come back in a response, and a value JSON cannot represent
    (NaN) must not turn a 422 into a 500.
    """
    return [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in errors
    ]


async def _validation_error_handler(_: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": validation_error_items(errors)},
    )


async def _dependency_error_handler(_: Request, exc: Exception) -> JSONResponse:
    logger.error("dependency_unavailable", error=repr(exc))
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": ErrorMessage.SERVICE_UNAVAILABLE},
        headers={"Retry-After": str(ServiceUnavailable.RETRY_AFTER_SECONDS)},
    )


async def _database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    # A connection lost mid-statement surfaces as a plain DBAPIError that
    # SQLAlchemy marks as a disconnect (and invalidates the pool for).
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return await _dependency_error_handler(request, exc)
    # Every row a write refers to was checked before it; if it is gone at
    # the INSERT or the COMMIT, it was deleted meanwhile: what the request
    # was about does not exist (any more).
    if isinstance(exc, sa_exc.IntegrityError) and foreign_key_violation(exc):
        logger.info("write_lost_its_parent", error=str(exc.orig))
        return JSONResponse(
            status_code=status.HTTP_404_NOT_FOUND,
            content={"detail": ErrorMessage.NOT_FOUND},
        )
    # The database failed this transaction for a concurrent one: nothing
    # was written, and a retry may go through.
    if isinstance(exc, sa_exc.DBAPIError) and transactions_collided(exc):
        logger.warning("transactions_collided", error=str(exc.orig))
        return JSONResponse(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            content={"detail": ErrorMessage.SERVICE_UNAVAILABLE},
            headers={"Retry-After": "1"},
        )
    # Inside the middleware, which adds the request id itself.
    return _internal_error(exc, {})


def install(app: FastAPI) -> None:
    """422 without the submitted values, 500 for bugs, 503 with `Retry-After`
    for an unreachable dependency."""
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(Exception, _unhandled_exception_handler)
    app.add_exception_handler(sa_exc.DBAPIError, _database_error_handler)
    for error in DEPENDENCY_ERRORS:
        app.add_exception_handler(error, _dependency_error_handler)
