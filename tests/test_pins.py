"""Where the code leans on the internals of FastAPI, uvicorn and SQLAlchemy,
pyproject.toml caps them below their next release; these tests name the
contract an upgrade must keep, and fail on the first release that breaks it
(docs/upgrading.md). The behaviour itself is tested end to end elsewhere
(tests/edge, tests/test_main.py, tests/test_pool.py)."""

import inspect
import re
import tomllib
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from src.cli.protocol import GuardedHttpToolsProtocol
from src.web.query import _query_names_of

pytestmark = [pytest.mark.anyio, pytest.mark.database_independent]

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@pytest.mark.parametrize("package", ["fastapi", "uvicorn", "sqlalchemy"])
def test_packages_whose_internals_are_used_are_capped(package: str) -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    # The name, then its extras or its version bounds (not a longer name).
    (requirement,) = [d for d in dependencies if re.match(rf"{package}[^a-z_-]", d)]

    assert "<" in requirement, f"{package} needs an upper bound: {requirement}"


# What GuardedHttpToolsProtocol overrides of uvicorn's protocol, each called
# by uvicorn (or by httptools) with these arguments.
OVERRIDDEN = [
    "connection_made",
    "connection_lost",
    "data_received",
    "send_400_response",
    "on_message_begin",
    "on_url",
    "on_header",
    "on_headers_complete",
    "on_message_complete",
    "on_response_complete",
]


@pytest.mark.parametrize("name", OVERRIDDEN)
def test_uvicorn_still_calls_what_the_guarded_protocol_overrides(name: str) -> None:
    theirs = inspect.signature(getattr(HttpToolsProtocol, name))
    ours = inspect.signature(getattr(GuardedHttpToolsProtocol, name))

    assert list(ours.parameters) == list(theirs.parameters)


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    """An ASGI app that is never called: the protocol only needs one."""


async def test_uvicorn_protocols_still_keep_the_state_the_guard_reads() -> None:
    config = Config(app=_app)
    config.load()
    protocol = HttpToolsProtocol(config, ServerState(), app_state={})

    # The guard finds the other connections, and whether one waits for a
    # request, in these.
    for attribute in ("loop", "connections", "pipeline", "cycle"):
        assert hasattr(protocol, attribute), attribute


def test_fastapi_dependants_still_list_their_query_parameters_by_alias() -> None:
    app = FastAPI()

    async def paging(size: Annotated[int, Query(alias="pageSize")] = 1) -> int:
        return size

    @app.get("/probe")
    async def probe(
        q: str | None = None, size: Annotated[int, Depends(paging)] = 1
    ) -> None:
        """A route with its own query parameter and one of a dependency."""

    (route,) = [r for r in app.routes if isinstance(r, APIRoute)]

    assert _query_names_of(route.dependant) == {"q", "pageSize"}
