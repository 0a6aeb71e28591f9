"""Refusing query parameters a route does not declare."""

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute


def _query_names_of(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names_of(dependency)
    return names


def declare_query_names(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Record the query parameters of every route of `routers`, as included.

    Keyed by the route's id: a request's `scope["route"]` is the route of the
    included router (not a copy), and the app holds its routers, so no id
    can be reused while the app lives.
    """
    app.state.query_names = {
        id(route): frozenset(_query_names_of(route.dependant))
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    }


async def known_query_parameters(request: Request) -> None:
    """Refuse query parameters the route does not declare (422).

    A misspelt filter (`?creatorid=`) would otherwise be ignored silently and
    answer with every post.
    """
    if not request.query_params:
        return
    declared: frozenset[str] | None = request.app.state.query_names.get(
        id(request.scope.get("route"))
    )
    if declared is None:
        return
    unknown = [name for name in request.query_params if name not in declared]
    if unknown:
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": "Unknown query parameter",
                    "input": request.query_params[name],
                }
                for name in unknown
            ]
        )
