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
    ACCOUNT_SUSPENDED = "This account is suspended"
    ROLE_REQUIRED = "Your role does not allow this"
    INSUFFICIENT_SCOPE = "This API key's scopes do not allow this"
    SESSION_REQUIRED = "Managing the account takes a signed-in session, not an API key"
    API_KEY_NOT_FOUND = "API key not found"
    TOO_MANY_API_KEYS = "Too many API keys; revoke one first"
    PASSWORD_CHECKS_BUSY = "Too many password checks at once; retry shortly"
    WEAK_PASSWORD = (
        "Password must contain at least one lowercase letter, one uppercase "
        "letter, one digit and one special character"
    )


class Role(StrEnum):
    """What a user may do beyond their own content, in increasing order:
    each role may do everything the ones before it may."""

    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"

    def at_least(self, other: "Role") -> bool:
        """Whether this role may do what `other` may."""
        order = list(Role)
        return order.index(self) >= order.index(other)


class ApiKeyScope(StrEnum):
    """What an API key may do; a signed-in session may do all of it."""

    POSTS_READ = "posts:read"
    # Posts, their attachments and tags, and favorites.
    POSTS_WRITE = "posts:write"
    COMMENTS_WRITE = "comments:write"
    FOLLOWS_WRITE = "follows:write"
    NOTIFICATIONS_READ = "notifications:read"
    NOTIFICATIONS_WRITE = "notifications:write"


API_KEY_PREFIX = "pk_"
API_KEY_BYTES = 32
# How much of a key is stored in clear and listed, to recognise it by.
API_KEY_SHOWN_LENGTH = 10
API_KEY_NAME_MAX_LENGTH = 100
API_KEYS_PER_USER = 50
SUSPENSION_REASON_MAX_LENGTH = 500


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


# The read cache's name for what public reads show of authors (their
# usernames, their accounts' existence): a change to it drops every cached
# post and list page (src/posts/cache.py).
AUTHORS_CACHE_NAME = "authors"
