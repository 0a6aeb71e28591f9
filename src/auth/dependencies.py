from collections.abc import Callable, Iterable
from typing import Annotated, Any
from uuid import UUID

import jwt
from fastapi import APIRouter, Body, Depends, Form, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.models import Example
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer
from fastapi.security.utils import get_authorization_scheme_param

from src.auth import service, utils
from src.auth.config import AuthConfig
from src.auth.exceptions import InvalidToken, MissingRefreshToken, UserNotFound
from src.auth.models import User
from src.auth.schemas import RefreshTokenRequest
from src.exceptions import NotAuthenticated, TooManyRequests, raises
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
from src.web.openapi import DocumentPart
from src.web.rate_limit import client_address
from src.web.state import app_state

# auto_error=False: a missing token is our 401 (with WWW-Authenticate), not
# the library's.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def get_auth_settings(settings: AppSettings) -> AuthConfig:
    return settings.auth


AuthSettings = Annotated[AuthConfig, Depends(get_auth_settings)]


@raises(InvalidToken)
async def caller_id(request: Request) -> UUID | None:
    """Who is asking, from their access token, without a database lookup:
    None when no bearer token is sent (anonymous), 401 for an invalid one.

    One step, reading the header itself: it runs on every public read.
    """
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if not token or scheme.lower() != "bearer":
        return None
    try:
        config = app_state(request).settings.auth
        return UUID(utils.decode_access_token(token, config)["sub"])
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise InvalidToken from exc


# For public routes that answer the caller in particular (`favorited`,
# `following`, their own drafts); `optional_sign_in` documents them.
CallerId = Annotated[UUID | None, Depends(caller_id)]


@raises(NotAuthenticated)
async def parse_jwt_data(
    _: Annotated[str | None, Depends(oauth2_scheme)], caller: CallerId
) -> UUID:
    """The user id of a valid access token; 401 for any other, or none.
    (The scheme dependency is what marks the route as signed-in only in the
    OpenAPI document.)"""
    if caller is None:
        raise NotAuthenticated
    return caller


def _calls(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(sub.call is call or _calls(sub, call) for sub in dependant.dependencies)


def optional_sign_in(routers: Iterable[APIRouter]) -> DocumentPart:
    """An OpenAPI part: a route that reads `CallerId` but does not require
    sign-in says that its bearer token is optional (`security: [{}, ...]`)."""

    def document(schema: dict[str, Any]) -> None:
        bearer: dict[str, list[str]] = {oauth2_scheme.scheme_name: []}
        routes = [route for router in routers for route in router.routes]
        for route in routes:
            if isinstance(route, APIRoute) and _calls(route.dependant, caller_id):
                operations = schema["paths"][route.path_format]
                for method in route.methods or ():
                    operations[method.lower()].setdefault("security", [{}, bearer])

    return document


@raises(InvalidToken)
async def get_current_user(
    user_id: Annotated[UUID, Depends(parse_jwt_data)], session: ReadSession
) -> User:
    """The authenticated user; 401 if the account no longer exists."""
    user = await service.get_user(session, user_id)
    if user is None:
        raise InvalidToken
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


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
