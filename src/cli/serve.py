"""The application as `serve` runs it in each worker process.

Beyond `src.main.create_app`, one process-wide setting: the garbage
collector's (docs/decisions/gc-tuning.md). It is applied here, where the
worker process starts, not by the app factory, which tests call many times.
"""

import gc

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from src.config import load_settings
from src.main import create_app

# Young-generation collections run every this many new container objects
# (Python's default is 2000; a request makes hundreds).
GC_YOUNG_THRESHOLD = 10_000


def settle_garbage_collector() -> None:
    """What exists after start-up (routes, schemas, mappers, the engine) lives
    as long as the process: keep it out of every later collection, and
    collect young objects less often.
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, oldest)


class _SettleAfterStartup:
    """Settles the collector once the app's lifespan has started."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_settled(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                settle_garbage_collector()
            await send(message)

        await self.app(scope, receive, send_settled)


def create_served_app() -> ASGIApp:
    """The app for one `serve` worker (uvicorn's `--factory`)."""
    settings = load_settings()
    app = create_app(settings)
    return _SettleAfterStartup(app) if settings.app.SERVE_GC_TUNING else app
