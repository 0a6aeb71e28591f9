"""The exception hierarchy every domain's errors derive from.

Each class carries its status and a default message from `constants.py`; a
domain subclasses one and sets `DETAIL` (e.g. `PostNotFound(NotFound)`).
"""

from collections.abc import Callable
from typing import Any, ClassVar

from fastapi import HTTPException, status

from src.constants import ErrorMessage
from src.schemas import ErrorResponse, ValidationErrorResponse


class DetailedHTTPException(HTTPException):
    STATUS_CODE: ClassVar[int] = status.HTTP_500_INTERNAL_SERVER_ERROR
    DETAIL: ClassVar[str] = ErrorMessage.INTERNAL_SERVER_ERROR

    def __init__(
        self, detail: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(
            status_code=self.STATUS_CODE, detail=detail or self.DETAIL, headers=headers
        )


class BadRequest(DetailedHTTPException):
    STATUS_CODE = status.HTTP_400_BAD_REQUEST
    DETAIL = ErrorMessage.BAD_REQUEST


class NotAuthenticated(DetailedHTTPException):
    STATUS_CODE = status.HTTP_401_UNAUTHORIZED
    DETAIL = ErrorMessage.NOT_AUTHENTICATED

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class PermissionDenied(DetailedHTTPException):
    STATUS_CODE = status.HTTP_403_FORBIDDEN
    DETAIL = ErrorMessage.PERMISSION_DENIED


class NotFound(DetailedHTTPException):
    STATUS_CODE = status.HTTP_404_NOT_FOUND
    DETAIL = ErrorMessage.NOT_FOUND


class Conflict(DetailedHTTPException):
    STATUS_CODE = status.HTTP_409_CONFLICT
    DETAIL = ErrorMessage.CONFLICT


class PreconditionFailed(DetailedHTTPException):
    STATUS_CODE = status.HTTP_412_PRECONDITION_FAILED
    DETAIL = ErrorMessage.PRECONDITION_FAILED


class StaleEdit(PreconditionFailed):
    """`If-Match` names another version than the stored one."""

    DETAIL = ErrorMessage.STALE_EDIT


class ConcurrentEdit(Conflict):
    """Another edit changed the row between this edit's read and its write."""

    DETAIL = ErrorMessage.CONCURRENT_EDIT


class PayloadTooLarge(DetailedHTTPException):
    STATUS_CODE = status.HTTP_413_CONTENT_TOO_LARGE
    DETAIL = ErrorMessage.PAYLOAD_TOO_LARGE


class UnsupportedMediaType(DetailedHTTPException):
    STATUS_CODE = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    DETAIL = ErrorMessage.UNSUPPORTED_MEDIA_TYPE


class TooManyRequests(DetailedHTTPException):
    STATUS_CODE = status.HTTP_429_TOO_MANY_REQUESTS
    DETAIL = ErrorMessage.TOO_MANY_REQUESTS

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(retry_after, 1))})


class ServiceUnavailable(DetailedHTTPException):
    STATUS_CODE = status.HTTP_503_SERVICE_UNAVAILABLE
    DETAIL = ErrorMessage.SERVICE_UNAVAILABLE
    RETRY_AFTER_SECONDS: ClassVar[int] = 5

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(self.RETRY_AFTER_SECONDS)})


def responses(*errors: type[DetailedHTTPException]) -> dict[int | str, Any]:
    """OpenAPI `responses=` entries for the errors a route can answer with."""
    documented: dict[int | str, Any] = {}
    for error in errors:
        # A route's own 422 replaces FastAPI's: keep request validation in it.
        model = (
            ErrorResponse | ValidationErrorResponse
            if error.STATUS_CODE == status.HTTP_422_UNPROCESSABLE_CONTENT
            else ErrorResponse
        )
        entry = documented.setdefault(
            error.STATUS_CODE, {"model": model, "description": error.DETAIL}
        )
        if error.DETAIL not in entry["description"]:
            entry["description"] += f" / {error.DETAIL}"
    return documented


RAISES_ATTRIBUTE = "__raises__"


def raises[F: Callable[..., Any]](
    *errors: type[DetailedHTTPException],
) -> Callable[[F], F]:
    """Mark a dependency with the errors it can answer with: the OpenAPI
    document declares them on every route that depends on it, however
    deep (src/web/openapi.py)."""

    def mark(function: F) -> F:
        setattr(function, RAISES_ATTRIBUTE, (*raised_by(function), *errors))
        return function

    return mark


def raised_by(function: object) -> tuple[type[DetailedHTTPException], ...]:
    """The errors `function` was marked with (`raises`)."""
    marked: tuple[type[DetailedHTTPException], ...] = getattr(
        function, RAISES_ATTRIBUTE, ()
    )
    return marked


class DatabaseUnavailable(ServiceUnavailable):
    """The database did not answer (an outage, a full pool): 503."""
