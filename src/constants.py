from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    try:
        return version("publishing-api")
    except PackageNotFoundError:  # run from a copy of the sources, not installed
        return "0+unknown"


# The installed version (pyproject.toml): `--version`, the OpenAPI document.
VERSION = _version()


class Environment(StrEnum):
    LOCAL = "local"
    STAGING = "staging"
    PRODUCTION = "production"

    @property
    def is_deployed(self) -> bool:
        return self is not Environment.LOCAL


# Settings are read from the environment, then from this file if it exists.
ENV_FILE = ".env"

SHOW_DOCS_ENVIRONMENTS = frozenset({Environment.LOCAL, Environment.STAGING})

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_MAX_LENGTH = 128


class ErrorMessage:
    INTERNAL_SERVER_ERROR = "Internal server error"
    SERVICE_UNAVAILABLE = "Service temporarily unavailable"
    NOT_AUTHENTICATED = "Not authenticated"
    PERMISSION_DENIED = "Permission denied"
    NOT_FOUND = "Not found"
    CONFLICT = "Conflict"
    PRECONDITION_FAILED = "Precondition failed"
    BAD_REQUEST = "Bad request"
    PAYLOAD_TOO_LARGE = "Request body too large"
    UNSUPPORTED_MEDIA_TYPE = "Unsupported media type"
    TOO_MANY_REQUESTS = "Too many requests"
    STALE_EDIT = "Changed since you read it (If-Match); fetch it again and retry"
    CONCURRENT_EDIT = "Changed by another edit at the same time; fetch it and retry"
