"""Errors on the Conduit routes, in the RealWorld shape:
`{"errors": {"<field>": ["<message>"]}}`. A conflict or a bad request is a
422 there (RealWorld clients show a 422's messages beside the form); 401,
403, 404, 429 and 503 keep their status and headers."""

from collections.abc import Callable, Coroutine, Sequence
from typing import Any, ClassVar

from fastapi import HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from src.auth.exceptions import EmailTaken, InvalidCredentials, UsernameTaken
from src.conduit.constants import TOKEN_SCHEME, ErrorCode
from src.exceptions import BadRequest, NotAuthenticated, NotFound
from src.schemas import CustomModel

_AS_422 = (status.HTTP_400_BAD_REQUEST, status.HTTP_409_CONFLICT)


class ConduitErrors(CustomModel):
    errors: dict[str, list[str]]


class ConduitUnauthorized(NotAuthenticated):
    """No Conduit token, or not a live one."""

    DETAIL = "a valid token is required (Authorization: Token <token>)"

    def __init__(self) -> None:
        super().__init__()
        self.headers = {"WWW-Authenticate": TOKEN_SCHEME}


class EmailChangeRefused(BadRequest):
    DETAIL = ErrorCode.EMAIL_CHANGE


class ProfileNotFound(NotFound):
    DETAIL = "profile not found"


class ArticleNotFound(NotFound):
    DETAIL = "article not found"


class FiltersCombined(BadRequest):
    DETAIL = ErrorCode.FILTERS_COMBINED


# The field a native error is about, where it is about one.
_FIELDS: dict[type[HTTPException], str] = {
    EmailTaken: "email",
    UsernameTaken: "username",
    EmailChangeRefused: "email",
}


def errors_response(
    status_code: int,
    errors: dict[str, list[str]],
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse({"errors": errors}, status_code=status_code, headers=headers)


def _field(location: Sequence[Any]) -> str:
    # ("body", "article", "title") -> "title"; ("query", "limit") -> "limit".
    named = [str(part) for part in location if not isinstance(part, int)]
    return named[-1] if len(named) > 1 else "body"


def _validation(errors: Sequence[Any]) -> JSONResponse:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field(error.get("loc", ())), []).append(error["msg"])
    return errors_response(status.HTTP_422_UNPROCESSABLE_CONTENT, fields)


def _http(exc: HTTPException) -> JSONResponse:
    if isinstance(exc, InvalidCredentials):
        field, message = "email or password", "is invalid"
    else:
        field = next((f for t, f in _FIELDS.items() if isinstance(exc, t)), "body")
        message = str(exc.detail)
    code = (
        status.HTTP_422_UNPROCESSABLE_CONTENT
        if exc.status_code in _AS_422
        else exc.status_code
    )
    return errors_response(
        code, {field: [message]}, dict(exc.headers) if exc.headers else None
    )


class ConduitError(Exception):
    """An error of a Conduit route, with its RealWorld answer. Raised, not
    returned, so that the request's unit of work sees it and rolls back."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


async def conduit_error_response(_: Request, exc: Exception) -> Response:
    """The app's handler of `ConduitError`."""
    if not isinstance(exc, ConduitError):  # pragma: no cover - registered for it
        raise exc
    return exc.response


class ConduitRoute(APIRoute):
    """A route whose errors, its dependencies' included, are answered in
    the RealWorld shape; the native routes keep theirs."""

    # How the OpenAPI document declares the errors its dependencies raise
    # (src/web/openapi.py): in this shape, a 400 or 409 as a 422.
    error_content: ClassVar[dict[str, Any]] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/ConduitErrors"}}
    }

    @staticmethod
    def error_status(code: int) -> int:
        return status.HTTP_422_UNPROCESSABLE_CONTENT if code in _AS_422 else code

    def get_route_handler(
        self,
    ) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def conduit_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise ConduitError(_validation(exc.errors())) from exc
            except HTTPException as exc:
                raise ConduitError(_http(exc)) from exc

        return conduit_handler
