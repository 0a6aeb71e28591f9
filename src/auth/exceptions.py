from src.auth.constants import ErrorCode
from src.exceptions import (
    BadRequest,
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
)


class InvalidCredentials(NotAuthenticated):
    DETAIL = ErrorCode.INVALID_CREDENTIALS


class InvalidToken(NotAuthenticated):
    DETAIL = ErrorCode.INVALID_TOKEN


class InvalidRefreshToken(NotAuthenticated):
    DETAIL = ErrorCode.INVALID_REFRESH_TOKEN


class MissingRefreshToken(NotAuthenticated):
    DETAIL = ErrorCode.REFRESH_TOKEN_REQUIRED


class EmailTaken(Conflict):
    DETAIL = ErrorCode.EMAIL_TAKEN


class UsernameTaken(Conflict):
    DETAIL = ErrorCode.USERNAME_TAKEN


class WrongPassword(BadRequest):
    DETAIL = ErrorCode.WRONG_PASSWORD


class InvalidEmailToken(BadRequest):
    DETAIL = ErrorCode.INVALID_EMAIL_TOKEN


class UserNotFound(NotFound):
    DETAIL = ErrorCode.USER_NOT_FOUND


class PasswordChecksBusy(ServiceUnavailable):
    """A worker's queue of password hashes is full: 503 with Retry-After."""

    DETAIL = ErrorCode.PASSWORD_CHECKS_BUSY


_INSUFFICIENT_SCOPE = 'Bearer error="insufficient_scope"'


class AccountSuspended(NotAuthenticated):
    DETAIL = ErrorCode.ACCOUNT_SUSPENDED


class RoleRequired(PermissionDenied):
    DETAIL = ErrorCode.ROLE_REQUIRED


class SessionRequired(PermissionDenied):
    """An API key on a route that manages the account."""

    DETAIL = ErrorCode.SESSION_REQUIRED

    def __init__(self) -> None:
        super().__init__(headers={"WWW-Authenticate": _INSUFFICIENT_SCOPE})


class InsufficientScope(PermissionDenied):
    """An API key without the scope the route needs."""

    DETAIL = ErrorCode.INSUFFICIENT_SCOPE

    def __init__(self, scope: str) -> None:
        super().__init__(
            headers={"WWW-Authenticate": f'{_INSUFFICIENT_SCOPE}, scope="{scope}"'}
        )


class ApiKeyNotFound(NotFound):
    DETAIL = ErrorCode.API_KEY_NOT_FOUND


class TooManyApiKeys(Conflict):
    DETAIL = ErrorCode.TOO_MANY_API_KEYS
