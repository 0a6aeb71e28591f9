from typing import Annotated
from uuid import UUID

import jwt
from fastapi import Body, Depends, Request
from fastapi.openapi.models import Example
from fastapi.security import OAuth2PasswordBearer

from src.auth import service, utils
from src.auth.config import AuthConfig
from src.auth.exceptions import InvalidToken, MissingRefreshToken, UserNotFound
from src.auth.models import User
from src.auth.schemas import RefreshTokenRequest
from src.exceptions import NotAuthenticated
from src.idempotency.dependencies import (
    Idempotency,
    KeyHeader,
    json_body_idempotency,
)
from src.web.dependencies import (
    AppSettings,
    RateLimiterDep,
    ReadSession,
    UnitOfWorkDep,
    UnitsOfWorkDep,
)
from src.web.rate_limit import client_address

# auto_error=False: a missing token is our 401 (with WWW-Authenticate), not
# the library's.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def get_auth_settings(settings: AppSettings) -> AuthConfig:
    return settings.auth


AuthSettings = Annotated[AuthConfig, Depends(get_auth_settings)]


async def caller_id(
    token: Annotated[str | None, Depends(oauth2_scheme)], config: AuthSettings
) -> UUID | None:
    """Who is asking, from their access token, without a database lookup:
    None when no token is sent (anonymous), 401 for an invalid one."""
    if token is None:
        return None
    try:
        return UUID(utils.decode_access_token(token, config)["sub"])
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise InvalidToken from exc


# For public routes that answer the caller in particular (`favorited`,
# `following`, their own drafts).
CallerId = Annotated[UUID | None, Depends(caller_id)]


async def parse_jwt_data(caller: CallerId) -> UUID:
    """The user id of a valid access token; 401 for any other, or none."""
    if caller is None:
        raise NotAuthenticated
    return caller


async def get_current_user(
    user_id: Annotated[UUID, Depends(parse_jwt_data)], session: ReadSession
) -> User:
    """The authenticated user; 401 if the account no longer exists."""
    user = await service.get_user(session, user_id)
    if user is None:
        raise InvalidToken
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


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


async def refresh_token_required(
    token: Annotated[str | None, Depends(refresh_token_optional)],
) -> str:
    if not token:
        raise MissingRefreshToken
    return token


PresentedRefreshTokens = Annotated[set[str], Depends(presented_refresh_tokens)]
PresentedRefreshToken = Annotated[str, Depends(refresh_token_required)]


async def limit_password_change(
    request: Request, user: CurrentUser, limiter: RateLimiterDep
) -> None:
    """Count a password change against its limit, per address and per user."""
    await limiter.hit("password_change", client_address(request))
    await limiter.hit("password_change", f"user:{user.id}")


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
