import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

# The id of the request being served (set by src.web.middleware), added to
# every log line written while it is.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Marks the root handler `setup_logging` installs.
_OURS = "_publishing_api_handler"


# Records whose message is this logger's ready event dict (the access line).
ACCESS_LOGGER = "src.access"


class _Formatter(structlog.stdlib.ProcessorFormatter):
    """Renders records as structlog does; the access line on a short path.

    The access line is written once per request: it is logged as a ready
    event dict on the standard logger and only stamped and rendered here,
    instead of going through structlog's chain and then this formatter's
    copy of the record and its chain (about 90 of the 500 microseconds a
    cached read costs, docs/benchmarks.md).
    """

    def __init__(self, renderer: Processor, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._render = renderer

    def format(self, record: logging.LogRecord) -> str:
        if record.name != ACCESS_LOGGER or not isinstance(record.msg, dict):
            return super().format(record)
        event_dict = {
            **record.msg,
            "level": record.levelname.lower(),
            "logger": record.name,
            "timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat()
            .replace("+00:00", "Z"),
        }
        rendered = self._render(None, record.levelname.lower(), event_dict)
        return rendered if isinstance(rendered, str) else str(rendered)


def _add_request_id(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    if (current := request_id.get()) is not None:
        event_dict.setdefault("request_id", current)
    return event_dict


def setup_logging(log_level: str = "INFO", *, json: bool | None = None) -> None:
    """Route structlog and the standard library through one renderer.

    Logs are JSON when stderr is not a terminal (or `json=True`), readable
    colour output on a terminal; every line of a request carries its id.
    """
    if json is None:
        json = not sys.stderr.isatty()
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            # Drop disabled levels before the chain runs: the access line
            # is built on every request even when only warnings are kept.
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = _Formatter(
        renderer,
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([structlog.processors.format_exc_info] if json else []),
            renderer,
        ],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # Replace the handler an earlier call installed; leave others' (a test
    # runner's capture) in place.
    root.handlers[:] = [
        *(h for h in root.handlers if not getattr(h, _OURS, False)),
        handler,
    ]
    setattr(handler, _OURS, True)
    root.setLevel(log_level.upper())
    # No line shows where it was logged from: skip the stack walk that finds
    # the caller of every record (the logging HOWTO's "Optimization").
    logging._srcfile = None
    # Uvicorn installs its own handlers; send its records through ours, and
    # drop its access log: the app writes one access line per request itself.
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # The SQLite driver traces every statement with its parameters at DEBUG
    # (a login's username, a token's digest): never log submitted values.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    # The pool says at INFO when it is disposed or recreated (every command's
    # last lines), Alembic which plugins it loads: neither is news.
    for name in ("sqlalchemy.pool", "src.database.pool", "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    # taskiq logs every task it starts, with its arguments, at INFO; the job
    # runner logs each job's outcome itself.
    logging.getLogger("taskiq").setLevel(max(logging.WARNING, root.level))
