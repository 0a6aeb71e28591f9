"""Every status a route can answer with is in the OpenAPI document, with
the error schema: the errors its dependencies are marked with (`raises`,
and each mark lists what the dependency raises itself), what the endpoint
raises itself, 413 on every body, 503 wherever the database is used, 429
wherever a limit counts."""

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from src.config import Settings
from src.exceptions import DatabaseUnavailable, DetailedHTTPException, raised_by
from src.main import create_app
from src.web.openapi import _api_routes, error_status, raised_errors

pytestmark = pytest.mark.database_independent

ERROR_SCHEMAS = {
    "#/components/schemas/ErrorResponse",
    "#/components/schemas/ValidationErrorResponse",
    "#/components/schemas/ConduitErrors",
}


@pytest.fixture(scope="module")
def app(test_settings: Settings) -> FastAPI:
    return create_app(test_settings)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _raised_in(function: Callable[..., Any]) -> set[type[DetailedHTTPException]]:
    """The errors `function` raises in its own body (`raise X`, `raise X(...)`)."""
    function = inspect.unwrap(function)
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return set()
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name):
                error = function.__globals__.get(target.id)
                if isinstance(error, type) and issubclass(error, DetailedHTTPException):
                    found.add(error)
    return found


def _operations(app: FastAPI) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    paths = app.openapi()["paths"]
    for path, route in _api_routes(app.routes):
        for method in route.methods or ():
            yield f"{method} {path}", route, paths[path][method.lower()]


def test_each_dependency_is_marked_with_the_errors_it_raises(app: FastAPI) -> None:
    unmarked = {
        f"{call.__module__}.{getattr(call, '__qualname__', call)}: {error.__name__}"
        for _, route, _ in _operations(app)
        for call in _calls(route.dependant)
        for error in _raised_in(call) - set(raised_by(call))
    }

    assert unmarked == set()


def test_every_error_a_route_raises_is_declared(app: FastAPI) -> None:
    undeclared = set()
    for name, route, operation in _operations(app):
        errors = set(raised_errors(route.dependant)) | _raised_in(route.endpoint)
        for error in errors:
            if (
                str(error_status(route, error.STATUS_CODE))
                not in operation["responses"]
            ):
                undeclared.add(f"{name}: {error.STATUS_CODE} {error.__name__}")

    assert undeclared == set()


def test_bodies_declare_413_and_the_database_503(app: FastAPI) -> None:
    missing = set()
    for name, route, operation in _operations(app):
        statuses = operation["responses"]
        if "requestBody" in operation and "413" not in statuses:
            missing.add(f"{name}: 413")
        if (
            DatabaseUnavailable in raised_errors(route.dependant)
            and "503" not in statuses
        ):
            missing.add(f"{name}: 503")

    assert missing == set()


def test_every_route_but_liveness_and_metrics_can_say_503(app: FastAPI) -> None:
    without = {name for name, _, op in _operations(app) if "503" not in op["responses"]}

    assert without == {"GET /health", "GET /metrics"}


def test_readiness_answers_503_with_what_is_down(app: FastAPI) -> None:
    down = app.openapi()["paths"]["/health/ready"]["get"]["responses"]["503"]

    schema = down["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ReadinessResponse"}


def test_every_error_status_has_the_error_schema(app: FastAPI) -> None:
    bare = set()
    for name, _, operation in _operations(app):
        for code, response in operation["responses"].items():
            if int(code) < 400 or name == "GET /health/ready":
                continue
            schema = (
                response.get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            refs = {schema.get("$ref")} | {
                option.get("$ref") for option in schema.get("anyOf", [])
            }
            if not refs & ERROR_SCHEMAS:
                bare.add(f"{name}: {code}")

    assert bare == set()


def test_the_login_form_needs_only_a_username_and_a_password(app: FastAPI) -> None:
    form = app.openapi()["components"]["schemas"]["Body_login"]

    assert form["required"] == ["username", "password"]
    assert all("default" not in field for field in form["properties"].values())
