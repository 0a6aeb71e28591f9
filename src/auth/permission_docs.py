"""What the OpenAPI document says of each route's permissions, read from
the declarations of src/auth/permissions.py: a generated client learns
which scope an API key needs, which routes take a session only, and the
least role of a route."""

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from src.auth.constants import Role
from src.auth.permissions import (
    CREDENTIAL_ATTRIBUTE,
    ROLE_ATTRIBUTE,
    SCOPE_ATTRIBUTE,
    api_key_scheme,
    authenticate,
    caller_id,
    get_current_user,
    oauth2_scheme,
    viewer,
)
from src.web.openapi import DocumentPart


def _declared(dependant: Dependant, attribute: str) -> list[Any]:
    found = []
    for sub in dependant.dependencies:
        if (value := getattr(sub.call, attribute, None)) is not None:
            found.append(value)
        found.extend(_declared(sub, attribute))
    return found


def _calls(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(sub.call is call or _calls(sub, call) for sub in dependant.dependencies)


def document_permissions(routers: Iterable[APIRouter]) -> DocumentPart:
    """An OpenAPI part: each route's security says what it takes. A route
    with a `Require(scope)` takes a session or a key with that scope (and
    nothing, if it does not need sign-in); a route that needs sign-in and
    declares no scope takes a session only; one whose dependency signs in
    by other means (`signs_in_with`) takes that too. `x-required-role` names the
    least role of a `RequireRole` route."""
    session = oauth2_scheme.scheme_name
    key = api_key_scheme.scheme_name

    def document(schema: dict[str, Any]) -> None:
        schema.setdefault("components", {}).setdefault("securitySchemes", {})[key] = (
            api_key_scheme.model.model_dump(
                mode="json", by_alias=True, exclude_none=True
            )
        )
        for router in routers:
            for route in router.routes:
                if not isinstance(route, APIRoute):
                    continue
                scopes = sorted(
                    {
                        scope.value
                        for scope in _declared(route.dependant, SCOPE_ATTRIBUTE)
                    }
                )
                roles = _declared(route.dependant, ROLE_ATTRIBUTE)
                reads_caller = any(
                    _calls(route.dependant, reader) for reader in (caller_id, viewer)
                )
                if reads_caller and not scopes:
                    raise RuntimeError(f"{route.path_format} reads its caller: Require")
                if not _calls(route.dependant, authenticate):
                    continue
                others = _declared(route.dependant, CREDENTIAL_ATTRIBUTE)
                schemes = schema["components"]["securitySchemes"]
                schemes.update(dict(others))
                required = bool(others) or _calls(route.dependant, get_current_user)
                operations = schema["paths"][route.path_format]
                for method in route.methods or ():
                    operation = operations[method.lower()]
                    security: list[dict[str, list[str]]] = [] if required else [{}]
                    security.append({session: scopes})
                    if scopes:
                        security.append({key: scopes})
                    security.extend({name: []} for name, _ in others)
                    operation["security"] = security
                    if roles:
                        operation["x-required-role"] = max(
                            roles, key=lambda role: list(Role).index(role)
                        ).value

    return document
