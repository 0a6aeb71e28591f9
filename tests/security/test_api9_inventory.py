"""API9:2023 Improper Inventory Management: what is served is exactly what
is documented, under one published version; nothing undocumented answers."""

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

from src.auth.pages import CHANGE_EMAIL_PATH, RESET_PASSWORD_PATH, VERIFY_EMAIL_PATH
from src.config import Settings
from src.constants import VERSION
from src.main import create_app
from tests.utils import with_app_settings

DOCS_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _served(app: FastAPI) -> set[tuple[str, str]]:
    served: set[tuple[str, str]] = set()
    for route in app.routes:
        # Included routers keep their routes, and the prefix they were given.
        router = getattr(route, "original_router", None)
        context = getattr(route, "include_context", None)
        members = router.routes if router is not None else [route]
        prefix = context.prefix if context is not None else ""
        for member in members:
            if isinstance(member, APIRoute):
                served |= {(m, prefix + member.path) for m in member.methods or ()}
    return served


def test_every_served_route_is_documented_and_the_reverse(settings: Settings) -> None:
    app = create_app(settings)
    schema = app.openapi()

    documented = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }

    # The one undocumented route is another spelling of a documented one:
    # RealWorld front ends post new articles with a trailing slash.
    aliases = {("POST", "/api/articles/")}
    assert ("POST", "/api/articles") in documented
    # The pages an email's link opens are for browsers, not API clients:
    # docs/api.md lists them.
    pages = {
        (method, path)
        for path in (VERIFY_EMAIL_PATH, RESET_PASSWORD_PATH, CHANGE_EMAIL_PATH)
        for method in ("GET", "POST")
    }
    assert _served(app) == documented | aliases | pages
    # Beside the routes, what is mounted is for people, and docs/api.md and
    # docs/operations.md say so: the documentation's own files, and the
    # admin interface (on outside production only when asked for).
    mounted = {route.path for route in app.routes if isinstance(route, Mount)}
    assert mounted == {"/docs/assets", "/admin"}
    without_ui = create_app(with_app_settings(settings, ADMIN_UI_ENABLED=False))
    assert "/admin" not in {
        route.path for route in without_ui.routes if isinstance(route, Mount)
    }


def test_the_published_version_is_the_running_one(settings: Settings) -> None:
    assert create_app(settings).openapi()["info"]["version"] == (VERSION)
