"""Dependencies every route shares."""

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

_query_names: dict[int, frozenset[str]] = {}


def _query_names_of(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names_of(dependency)
    return names


def _declared_query_names(route: APIRoute) -> frozenset[str]:
    names = _query_names.get(id(route))
    if names is None:
        names = frozenset(_query_names_of(route.dependant))
        _query_names[id(route)] = names
    return names


async def known_query_parameters(request: Request) -> None:
    """Refuse query parameters the route does not declare (422).

    A misspelt filter (`?creatorid=`) would otherwise be ignored silently and
    answer with every post.
    """
    if not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = _declared_query_names(route)
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
