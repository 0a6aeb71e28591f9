"""One line, not a traceback, when a command meets a configuration or
connection problem: what is wrong, which variable names it, what to do."""

import socket
import sys
import traceback
from collections.abc import Callable, Iterator

from sqlalchemy import exc as sa_exc

from src.config import ConfigurationError

# Exit status of a command stopped by a problem this module recognises.
EXIT_PROBLEM = 1
EXIT_CONFIGURATION = 2

_UNMIGRATED = ("no such table", "does not exist")
_MIGRATE = "run `python -m src.cli migrate` first"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what caused it, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = (
            orig
            if isinstance(orig, BaseException)
            else current.__cause__ or current.__context__
        )


def _service(exc: BaseException) -> str:
    """Which service a connection error came from, by the code that raised it."""
    files = " ".join(
        frame.filename for frame in traceback.extract_tb(exc.__traceback__)
    )
    if "/redis/" in files or "/taskiq_redis/" in files:
        return "Redis (REDIS_URL)"
    if "botocore" in files:
        return "the object store (AWS_ENDPOINT_URL, AWS_S3_BUCKET)"
    if "aiosmtplib" in files:
        return "the mail server (SMTP_HOST, SMTP_PORT)"
    return "the database (DATABASE_URL)"


def _unreachable(error: BaseException) -> str | None:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, TimeoutError):
        return "timed out"
    if type(error).__name__ == "ConnectionError" and "redis" in type(error).__module__:
        return "connection failed"
    return None


def _database(chain: list[BaseException]) -> str | None:
    texts = " ".join(str(error) for error in chain).lower()
    for error in chain:
        name = type(error).__name__
        if name == "InvalidCatalogNameError":
            return (
                "The database named in DATABASE_URL does not exist: create it "
                "(createdb) or correct DATABASE_URL."
            )
        if name in {"InvalidPasswordError", "InvalidAuthorizationSpecificationError"}:
            return (
                "The database refused the user or password in DATABASE_URL: "
                "correct DATABASE_URL."
            )
        if name == "UndefinedTableError" or (
            isinstance(error, sa_exc.DBAPIError)
            and ("no such table" in texts or "relation" in texts)
            and any(marker in texts for marker in _UNMIGRATED)
        ):
            return f"The database in DATABASE_URL has no tables yet: {_MIGRATE}."
        if "unable to open database file" in str(error):
            return (
                "Cannot open the SQLite file named in DATABASE_URL: check that "
                "its directory exists and is writable."
            )
        if isinstance(error, sa_exc.ArgumentError):
            return f"DATABASE_URL is not a database URL: {error}"
    return None


def describe(exc: BaseException) -> str | None:
    """The one line for `exc`, or None if it is not a problem of setup."""
    chain = list(_chain(exc))
    for error in chain:
        if isinstance(error, ConfigurationError):
            return f"Configuration error: {error}"
    if line := _database(chain):
        return line
    for error in chain:
        if reason := _unreachable(error):
            return (
                f"Cannot connect to {_service(exc)}: {reason}. Check the "
                "address, and that the server is running."
            )
    return None


def run(command: Callable[[], object]) -> None:
    """Run a command; a setup problem ends it with one line on stderr."""
    try:
        command()
    except Exception as exc:
        line = describe(exc)
        if line is None:
            raise
        print(line, file=sys.stderr)  # noqa: T201
        code = EXIT_CONFIGURATION if line.startswith("Configuration") else EXIT_PROBLEM
        sys.exit(code)
