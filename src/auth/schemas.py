import re
from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    MISSING,
    AfterValidator,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from src.auth.constants import (
    API_KEY_NAME_MAX_LENGTH,
    BIO_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    STRONG_PASSWORD_PATTERN,
    USERNAME_PATTERN,
    ApiKeyScope,
    ErrorCode,
    MusicBand,
    Role,
)
from src.schemas import (
    NON_BLANK_PATTERN,
    SINGLE_LINE_SCHEMA,
    CustomModel,
    RequestModel,
    UTCDatetime,
    example,
    single_line,
)

_STRONG_PASSWORD = re.compile(STRONG_PASSWORD_PATTERN, re.DOTALL)


def _strong_password(password: str) -> str:
    if not _STRONG_PASSWORD.match(password):
        raise ValueError(ErrorCode.WEAK_PASSWORD)
    return password


type Username = Annotated[
    str, StringConstraints(min_length=3, max_length=32, pattern=USERNAME_PATTERN)
]
type FirstName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=NON_BLANK_PATTERN),
    AfterValidator(single_line),
    Field(json_schema_extra=SINGLE_LINE_SCHEMA),
]
type Bio = Annotated[str, Field(max_length=BIO_MAX_LENGTH)]
type Age = Annotated[int, Field(ge=18, le=150)]
_HTTP_URL = TypeAdapter(HttpUrl)


def _http_url(value: str) -> str:
    # Checked as a URL, kept as sent: normalising (a trailing slash,
    # punycode) could make it longer than the documented and stored limit.
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError as exc:
        raise ValueError("must be an http or https URL") from exc
    return value


type Website = Annotated[
    str,
    StringConstraints(max_length=2048, pattern=r"^[hH][tT][tT][pP][sS]?://"),
    AfterValidator(_http_url),
    Field(json_schema_extra={"format": "uri"}),
]
type NewPassword = Annotated[
    str,
    Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH),
    AfterValidator(_strong_password),
]
type AnyPassword = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)]


# Request examples that work as they stand, in this order, in Swagger UI's
# "Try it out": register, change the password, ask for a reset.
EXAMPLE_EMAIL = "ada@example.com"
EXAMPLE_PASSWORD = "Analytical-Engine-1843"
EXAMPLE_NEW_PASSWORD = "Difference-Engine-1822"
EXAMPLE_EMAIL_TOKEN = "<the token from the link in the email>"
EXAMPLE_NEW_EMAIL = "ada.lovelace@example.com"


class UserCreate(RequestModel):
    model_config = example(
        email=EXAMPLE_EMAIL,
        username="ada",
        password=EXAMPLE_PASSWORD,
        first_name="Ada",
        age=36,
        favorite_band=MusicBand.QUEEN.value,
        website="https://ada.example.com",
    )

    email: EmailStr = Field(max_length=320)
    username: Username
    password: NewPassword
    first_name: FirstName
    age: Age | None = None
    favorite_band: MusicBand | None = None
    website: Website | None = None


class UserUpdate(RequestModel):
    """Fields absent from the body are left as they are; null clears an
    optional field (`age`, `favorite_band`, `website`, `image`)."""

    model_config = example(first_name="Augusta Ada", bio="Poetical science.")

    # Optional, but not nullable (see PostUpdate).
    username: Username | MISSING = MISSING
    first_name: FirstName | MISSING = MISSING
    bio: Bio | MISSING = MISSING
    age: Age | None = None
    favorite_band: MusicBand | None = None
    website: Website | None = None
    image: Website | None = Field(default=None, description="A picture's URL")


class PasswordChange(RequestModel):
    model_config = example(
        current_password=EXAMPLE_PASSWORD, new_password=EXAMPLE_NEW_PASSWORD
    )

    current_password: AnyPassword
    new_password: NewPassword


class EmailChange(RequestModel):
    model_config = example(new_email=EXAMPLE_NEW_EMAIL, password=EXAMPLE_PASSWORD)

    new_email: EmailStr = Field(max_length=320)
    password: AnyPassword = Field(description="The account's current password")


class EmailTokenConfirm(RequestModel):
    model_config = example(token=EXAMPLE_EMAIL_TOKEN)

    token: str = Field(min_length=1, max_length=256)


class PasswordResetRequest(RequestModel):
    model_config = example(email=EXAMPLE_EMAIL)

    email: EmailStr = Field(max_length=320)


class PasswordResetConfirm(RequestModel):
    model_config = example(token=EXAMPLE_EMAIL_TOKEN, new_password=EXAMPLE_NEW_PASSWORD)

    token: str = Field(min_length=1, max_length=256)
    new_password: NewPassword


class RefreshTokenRequest(RequestModel):
    # Empty: the refresh cookie is the token (the routes offer both examples).
    model_config = example()

    refresh_token: str | None = Field(default=None, max_length=256)


class UserPublic(CustomModel):
    """A user as others see them: no email, no role, no age."""

    id: UUID
    username: str
    first_name: str
    bio: str
    image: str | None
    favorite_band: MusicBand | None
    website: str | None
    created_at: UTCDatetime
    followers_count: int
    following_count: int
    following: bool = Field(description="Whether you follow them (false anonymously)")


class UserPrivate(CustomModel):
    id: UUID
    email: str
    username: str
    first_name: str
    bio: str
    image: str | None
    age: int | None
    favorite_band: MusicBand | None
    website: str | None
    role: Role
    is_superuser: bool = Field(description="Whether you are an admin")
    email_verified: bool
    created_at: UTCDatetime
    updated_at: UTCDatetime | None


class UserSummary(CustomModel):
    """How other resources show a user: `{id, username}`."""

    id: UUID
    username: str


class AcceptedResponse(CustomModel):
    detail: str


class TokenResponse(CustomModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Access token lifetime in seconds")
    refresh_token: str


class ApiKeyCreate(RequestModel):
    model_config = example(name="Nightly import", scopes=["posts:read", "posts:write"])

    name: Annotated[
        str,
        StringConstraints(
            min_length=1, max_length=API_KEY_NAME_MAX_LENGTH, pattern=NON_BLANK_PATTERN
        ),
        AfterValidator(single_line),
        Field(json_schema_extra=SINGLE_LINE_SCHEMA),
    ]
    scopes: list[ApiKeyScope] = Field(min_length=1, max_length=len(ApiKeyScope))
    expires_at: UTCDatetime | None = Field(
        default=None, description="When it stops working; never, if absent"
    )

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value <= datetime.now(UTC):
            raise ValueError("must be in the future")
        return value


class ApiKeyResponse(CustomModel):
    id: UUID
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it")
    scopes: list[ApiKeyScope]
    created_at: UTCDatetime
    last_used_at: UTCDatetime | None = Field(
        description="To the minute: uses within a minute are recorded once"
    )
    expires_at: UTCDatetime | None


class ApiKeyCreated(ApiKeyResponse):
    key: str = Field(
        description="The key itself, shown only this once: send it as "
        "`Authorization: Bearer <key>` or `X-API-Key`"
    )
