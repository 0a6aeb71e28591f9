from typing import Annotated
from uuid import UUID

from fastapi import Body, Depends, Form, Request
from fastapi.openapi.models import Example

from src.auth import service
from src.auth.config import AuthConfig
from src.auth.exceptions import MissingRefreshToken, UserNotFound
from src.auth.models import User
from src.auth.permissions import CallerId, CurrentUser, caller_id
from src.auth.schemas import RefreshTokenRequest
from src.exceptions import TooManyRequests, raises
from src.idempotency.dependencies import (
    Idempotency,
    KeyHeader,
    json_body_idempotency,
)
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.web.dependencies import (
    AppSettings,
    RateLimiterDep,
    ReadSession,
    UnitOfWorkDep,
    UnitsOfWorkDep,
)
from src.web.rate_limit import client_address

__all__ = ["CallerId", "CurrentUser", "caller_id"]


async def get_auth_settings(settings: AppSettings) -> AuthConfig:
    return settings.auth


AuthSettings = Annotated[AuthConfig, Depends(get_auth_settings)]


@raises(UserNotFound)
async def valid_user_id(user_id: UUID, session: ReadSession) -> User:
    user = await service.get_user(session, user_id)
    if user is None:
        raise UserNotFound
    return user


ValidUser = Annotated[User, Depends(valid_user_id)]


# Swagger UI pre-fills a body from the first example: an empty one, so that
# trying the route out uses the cookie instead of an invented token.
REFRESH_BODY_EXAMPLES: dict[str, Example] = {
    "cookie": Example(summary="Use the refresh cookie", value={}),
    "body": Example(
        summary="A refresh token from the login response",
        value={"refresh_token": "<the refresh_token of POST /auth/token>"},
    ),
}


# Optional, and an object when sent: generated clients take a
# `RefreshTokenRequest` or nothing, not "object or null".
RefreshBody = Annotated[
    RefreshTokenRequest,
    Body(openapi_examples=REFRESH_BODY_EXAMPLES, default_factory=RefreshTokenRequest),
]


async def refresh_token_optional(
    request: Request, config: AuthSettings, body: RefreshBody
) -> str | None:
    """The refresh token from the JSON body, else from the cookie.

    The cookie is set by the server and sent back by browsers: not a
    client-facing parameter, so not in the schema (the routes' descriptions
    name it), and its name is a setting.
    """
    cookie = request.cookies.get(config.REFRESH_TOKEN_KEY)
    return body.refresh_token or cookie or None


async def presented_refresh_tokens(
    request: Request, config: AuthSettings, body: RefreshBody
) -> set[str]:
    """Every refresh token the request presents: the body's and the cookie's."""
    presented = {body.refresh_token}
    presented.add(request.cookies.get(config.REFRESH_TOKEN_KEY))
    return {token for token in presented if token}


@raises(MissingRefreshToken)
async def refresh_token_required(
    token: Annotated[str | None, Depends(refresh_token_optional)],
) -> str:
    if not token:
        raise MissingRefreshToken
    return token


PresentedRefreshTokens = Annotated[set[str], Depends(presented_refresh_tokens)]
PresentedRefreshToken = Annotated[str, Depends(refresh_token_required)]


@raises(TooManyRequests)
async def limit_password_change(
    request: Request, user: CurrentUser, limiter: RateLimiterDep
) -> None:
    """Count a password change against its limit, per address and per user."""
    await limiter.hit("password_change", client_address(request))
    await limiter.hit("password_change", f"user:{user.id}")


@raises(IdempotencyKeyInProgress)
async def _user_idempotency(
    request: Request,
    units: UnitsOfWorkDep,
    uow: UnitOfWorkDep,
    user: CurrentUser,
    key: KeyHeader = None,
) -> Idempotency:
    return await json_body_idempotency(
        request, units, uow, scope=f"user:{user.id}", key=key
    )


# Idempotency-Key on a signed-in user's creating routes: keys are the user's.
UserIdempotency = Annotated[Idempotency, Depends(_user_idempotency)]


class LoginForm:
    """OAuth2's password form (RFC 6749, 4.3.2): `username` and `password`.
    The other fields OAuth2 defines are taken and ignored; none is required,
    and none has a default a generated client would have to send."""

    def __init__(
        self,
        *,
        username: Annotated[str, Form()],
        password: Annotated[str, Form(json_schema_extra={"format": "password"})],
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        scope: Annotated[str | None, Form()] = None,
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[
            str | None, Form(json_schema_extra={"format": "password"})
        ] = None,
    ) -> None:
        self.username = username
        self.password = password
        self.grant_type = grant_type
        self.scopes = (scope or "").split()
        self.client_id = client_id
        self.client_secret = client_secret
