from enum import StrEnum

PREFIX = "/api"
TOKEN_SCHEME = "Token"
DEFAULT_LIMIT = 20


class ErrorCode(StrEnum):
    # A new address must be confirmed by its owner: not through this API.
    EMAIL_CHANGE = "cannot be changed here"
    FILTERS_COMBINED = "cannot be combined with tag or author"
