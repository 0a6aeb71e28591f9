from enum import StrEnum

USERNAME_PATTERN = r"^[A-Za-z0-9_-]+$"
# At least one lowercase, one uppercase, one digit and one special character.
STRONG_PASSWORD_PATTERN = r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]).{8,}$"
BIO_MAX_LENGTH = 1000
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256
REFRESH_COOKIE_PATH = "/auth"


class ErrorCode:
    INVALID_CREDENTIALS = "Incorrect username or password"
    INVALID_TOKEN = "Invalid or expired access token"
    INVALID_REFRESH_TOKEN = "Invalid or expired refresh token"
    REFRESH_TOKEN_REQUIRED = "Refresh token required"
    EMAIL_TAKEN = "Email is already registered"
    USERNAME_TAKEN = "Username is already taken"
    WRONG_PASSWORD = "Current password is incorrect"
    USER_NOT_FOUND = "User not found"
    INVALID_EMAIL_TOKEN = "Invalid, expired or already used token"
    PASSWORD_CHECKS_BUSY = "Too many password checks at once; retry shortly"
    WEAK_PASSWORD = (
        "Password must contain at least one lowercase letter, one uppercase "
        "letter, one digit and one special character"
    )


class SessionTokenKind(StrEnum):
    """What a stored session token is for: a refresh token of the native
    API, or a token of the Conduit API (used as is on every request)."""

    REFRESH = "refresh"
    CONDUIT = "conduit"


class EmailTokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    PASSWORD_RESET = "password_reset"
    CHANGE_EMAIL = "change_email"


class MusicBand(StrEnum):
    AEROSMITH = "AEROSMITH"
    QUEEN = "QUEEN"
    ACDC = "AC/DC"
