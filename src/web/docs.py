"""`/docs` (Swagger UI) and `/redoc` served with their scripts and styles
from the API itself, so they work offline and behind a strict firewall.

The assets are the ones `fastapi-standalone-docs` ships (pinned in
pyproject.toml: upgrading it upgrades Swagger UI and ReDoc); only its files
are used, the pages are FastAPI's own.
"""

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = f"{DOCS_URL}/oauth2-redirect"
ASSETS_URL = f"{DOCS_URL}/assets"

_ASSETS = Path(str(files("fastapi_standalone_docs"))) / "static"


def _root_path(request: Request) -> str:
    # Behind a proxy that strips a prefix, every URL the pages name carries it.
    return str(request.scope.get("root_path", "")).rstrip("/")


def install(app: FastAPI) -> None:
    """Serve the docs pages and their assets, and at `/` where to find
    them, if the app publishes OpenAPI."""
    openapi_url = app.openapi_url
    if openapi_url is None:
        return
    app.mount(ASSETS_URL, StaticFiles(directory=_ASSETS), name="docs_assets")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root_path(request)
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/fastapi/favicon.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
        )

    async def oauth2_redirect(_: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        root = _root_path(request)
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/fastapi/favicon.png",
            with_google_fonts=False,
        )

    async def redoc_logo(_: Request) -> FileResponse:
        # ReDoc asks for its logo next to the page, not next to its script.
        return FileResponse(_ASSETS / "redoc" / "logo-mini.svg")

    async def root(request: Request) -> JSONResponse:
        # Whoever opens the server's address finds where to go next.
        root = _root_path(request)
        return JSONResponse(
            {
                "name": app.title,
                "version": app.version,
                "docs": root + DOCS_URL,
                "redoc": root + REDOC_URL,
                "openapi": root + openapi_url,
            }
        )

    app.add_route("/", root, include_in_schema=False)
    app.add_route(DOCS_URL, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_URL, oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC_URL, redoc, include_in_schema=False)
    app.add_route(f"{REDOC_URL}/logo-mini.svg", redoc_logo, include_in_schema=False)
