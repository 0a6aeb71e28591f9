"""What the published OpenAPI document promises beyond each route's own
declarations (the headers every response carries, the 400 and 413 of every
body, the errors of the dependencies a route uses), and the 405 `Allow`
header, computed from that same document."""

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, compile_path

from src.constants import REQUEST_ID_HEADER
from src.exceptions import DetailedHTTPException, PayloadTooLarge, raised_by
from src.schemas import ValidationErrorResponse

# A part of the document a package adds once FastAPI has generated it.
type DocumentPart = Callable[[dict[str, Any]], None]


def header(
    description: str, *, required: bool = True, **schema: str | list[str]
) -> dict[str, Any]:
    """An OpenAPI header object."""
    return {
        "description": description,
        "required": required,
        "schema": {"type": "string", **schema},
    }


# Headers a route's success response carries, declared by the route with
# `headers(...)`: generated clients and readers of the document learn them.
ETAG = {
    "ETag": header(
        "This answer's tag: send it as `If-None-Match` to get 304 while it is "
        "current, and (for posts and comments) as `If-Match` to edit only what "
        "you read"
    )
}
LOCATION = {"Location": header("The path of the new resource", format="uri-reference")}
CONTENT_DISPOSITION = {
    "Content-Disposition": header("`attachment` with the uploaded file name")
}


def headers(*declared: dict[str, Any]) -> dict[str, Any]:
    """A `responses=` entry that documents the headers of a response."""
    merged: dict[str, Any] = {}
    for header in declared:
        merged |= header
    return {"headers": merged}


def conditional_read() -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries of a read that carries an ETag and honours
    `If-None-Match`."""
    return {
        200: headers(ETAG),
        304: {
            "description": "Not modified: `If-None-Match` names the current "
            "`ETag` (no body)",
            **headers(ETAG),
        },
    }


HEADERS_REF = "#/components/headers/"
# Headers that responses carry whatever the route, added to the document here.
COMMON_HEADERS = {
    REQUEST_ID_HEADER: header(
        "The request's id (the client's `X-Request-ID` if it sent a sane one), "
        "also in every log line of the request"
    ),
    "Retry-After": header(
        "Seconds to wait before trying again", required=False, pattern="^[0-9]+$"
    ),
}


def _document_common_headers(schema: dict[str, Any]) -> None:
    schema.setdefault("components", {}).setdefault("headers", {}).update(COMMON_HEADERS)
    for operations in schema["paths"].values():
        for operation in operations.values():
            for code, response in operation["responses"].items():
                named = response.setdefault("headers", {})
                named[REQUEST_ID_HEADER] = {"$ref": HEADERS_REF + REQUEST_ID_HEADER}
                # 429 and 503 say when to come back.
                if code in {"429", "503"}:
                    named["Retry-After"] = {"$ref": HEADERS_REF + "Retry-After"}


ERROR_CONTENT = {
    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
}
MALFORMED_BODY = {
    "description": "The body is not valid JSON, form data or UTF-8",
    "content": ERROR_CONTENT,
}


def _declare(
    operation: dict[str, Any],
    error: type[DetailedHTTPException],
    route: APIRoute | None = None,
) -> None:
    # A route class may answer errors in a shape and with statuses of its
    # own (`error_content`, `error_status`).
    content = getattr(route, "error_content", ERROR_CONTENT)
    code = error_status(route, error.STATUS_CODE)
    entry = operation["responses"].setdefault(
        str(code), {"description": error.DETAIL, "content": content}
    )
    if error.DETAIL not in entry["description"]:
        entry["description"] += f" / {error.DETAIL}"


def error_status(route: APIRoute | None, code: int) -> int:
    """The status `route` answers an error of status `code` with."""
    mapped: Callable[[int], int] | None = getattr(route, "error_status", None)
    return mapped(code) if mapped is not None else code


def _document_body_limits(schema: dict[str, Any], operation: dict[str, Any]) -> None:
    # FastAPI answers an unparseable body 400 before validation, and
    # RequestMiddleware one past its limit 413 before it is read.
    operation["responses"].setdefault("400", MALFORMED_BODY)
    _declare(operation, PayloadTooLarge)
    # Multipart bodies take only their declared parts (`form_limits`).
    form = operation["requestBody"]["content"].get("multipart/form-data")
    if form is not None and "$ref" in form["schema"]:
        name = form["schema"]["$ref"].rsplit("/", 1)[1]
        schema["components"]["schemas"][name]["additionalProperties"] = False


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[tuple[str, APIRoute]]:
    """Each documented route with its path as published."""
    for route in routes:
        # Included routers keep their routes, and the prefix they were given.
        router = getattr(route, "original_router", None)
        context = getattr(route, "include_context", None)
        prefix = context.prefix if context is not None else ""
        for member in router.routes if router is not None else [route]:
            if isinstance(member, APIRoute) and member.include_in_schema:
                yield prefix + member.path_format, member


def raised_errors(dependant: Dependant) -> list[type[DetailedHTTPException]]:
    """The errors the dependencies of a route are marked with (`raises`),
    however deep, each once."""
    found: dict[type[DetailedHTTPException], None] = {}
    for sub in dependant.dependencies:
        found |= dict.fromkeys(raised_by(sub.call))
        found |= dict.fromkeys(raised_errors(sub))
    return list(found)


def _document_raised_errors(
    schema: dict[str, Any], routes: Iterable[BaseRoute]
) -> None:
    for path, route in _api_routes(routes):
        errors = raised_errors(route.dependant)
        for method in route.methods or ():
            operation = schema["paths"][path][method.lower()]
            for error in errors:
                _declare(operation, error, route)


_FASTAPI_422 = "#/components/schemas/HTTPValidationError"
_OUR_422 = "#/components/schemas/ValidationErrorResponse"


def _one_validation_schema(schema: dict[str, Any]) -> None:
    # FastAPI documents every 422 with its own schema, whose items carry
    # `input` and `ctx`; ours never echo the input (src/web/errors.py).
    # Publish one: ours (declared by `src.exceptions.responses`).
    for operations in schema["paths"].values():
        for operation in operations.values():
            content = operation["responses"].get("422", {}).get("content", {})
            body = content.get("application/json", {}).get("schema", {})
            if body.get("$ref") == _FASTAPI_422:
                body["$ref"] = _OUR_422
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    # Routes refer to it; none declares it as a model, so publish it here.
    published = ValidationErrorResponse.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    components.update(published.pop("$defs", {}))
    components[_OUR_422.rsplit("/", 1)[1]] = published


def _errors_are_json(schema: dict[str, Any]) -> None:
    # FastAPI files a route's declared errors under its response class's
    # media type; an event stream's errors are JSON like every other.
    for operations in schema["paths"].values():
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if int(code) >= 400 and "application/json" not in content:
                    response["content"] = {
                        "application/json": next(iter(content.values()), {})
                    }


def install(app: FastAPI, parts: Iterable[DocumentPart] = ()) -> None:
    """Document the 400 every body can get and the headers every response
    carries, then apply the `parts` the packages add; answer 405 with all
    methods."""
    parts = tuple(parts)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for operations in schema["paths"].values():
                for operation in operations.values():
                    if "requestBody" in operation:
                        _document_body_limits(schema, operation)
            _document_raised_errors(schema, app.routes)
            _errors_are_json(schema)
            _one_validation_schema(schema)
            _document_common_headers(schema)
            for part in parts:
                part(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    @cache
    def documented_methods() -> list[tuple[re.Pattern[str], str]]:
        methods = []
        for path, operations in openapi()["paths"].items():
            pattern, _, _ = compile_path(path)
            methods.append((pattern, ", ".join(m.upper() for m in operations)))
        return methods

    async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        # Starlette names only the methods of the first route matching the
        # path; a path served by several routes (GET and POST /posts) has more.
        starlette_allow = (
            (exc.headers or {}).get("Allow", "")
            if isinstance(exc, StarletteHTTPException)
            else ""
        )
        allow = next(
            (m for p, m in documented_methods() if p.match(request.url.path)),
            starlette_allow,
        )
        return JSONResponse(
            {"detail": "Method Not Allowed"},
            status_code=status.HTTP_405_METHOD_NOT_ALLOWED,
            headers={"Allow": allow},
        )

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, method_not_allowed)
