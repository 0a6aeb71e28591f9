from src.auth.constants import ErrorCode
from src.exceptions import (
    BadRequest,
    Conflict,
    NotAuthenticated,
    NotFound,
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
