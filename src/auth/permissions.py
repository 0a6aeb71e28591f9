"""Who is calling, and what they may do: each route declares it once.

A request's credential (an access token, or an API key as a bearer token or
in `X-API-Key`) is resolved once per request by `authenticate`, with one
statement: the user (and the key), so that a suspended account is refused
at once whatever it presents. Routes then declare:

- `Require(scope)`: what an API key must be allowed to call the route.
  A route without it refuses every key (deny by default: managing the
  account, moderation and administration are for signed-in sessions only).
  Sessions have every scope.
- `RequireRole(role)`: the least role that may call it (403 otherwise).

Both mark the route for the OpenAPI document (`document_permissions`).
"""

from collections.abc import Callable, Sequence
from typing import Annotated, Any, NamedTuple
from uuid import UUID

import jwt
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import bindparam, select

from src.auth import api_keys, utils
from src.auth.constants import ApiKeyScope, Role
from src.auth.exceptions import (
    AccountSuspended,
    InsufficientScope,
    InvalidToken,
    RoleRequired,
    SessionRequired,
)
from src.auth.models import User
from src.database.reads import AnySelect, fetch_one, statement
from src.exceptions import DatabaseUnavailable, NotAuthenticated, raises
from src.web.dependencies import read_bind
from src.web.state import app_state

SCOPE_DESCRIPTIONS = {
    ApiKeyScope.POSTS_READ: "Read posts, comments, profiles, feeds and lists as you",
    ApiKeyScope.POSTS_WRITE: "Write posts, their attachments and tags; favorite",
    ApiKeyScope.COMMENTS_WRITE: "Write and delete comments",
    ApiKeyScope.FOLLOWS_WRITE: "Follow and unfollow",
    ApiKeyScope.NOTIFICATIONS_READ: "Read notifications",
    ApiKeyScope.NOTIFICATIONS_WRITE: "Mark notifications read",
}

# auto_error=False: a missing token is our 401 (with WWW-Authenticate), not
# the library's.
oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/auth/token",
    auto_error=False,
    scopes={scope.value: text for scope, text in SCOPE_DESCRIPTIONS.items()},
)
API_KEY_HEADER = "X-API-Key"
api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER,
    scheme_name="ApiKey",
    description="An API key (`pk_...`); also accepted as `Authorization: Bearer`",
    auto_error=False,
)
# Where a route's declarations are kept on the dependency that made them.
SCOPE_ATTRIBUTE = "__api_key_scope__"
ROLE_ATTRIBUTE = "__required_role__"
# On a dependency that signs the caller in by other means than a session or
# a key (a stream ticket): the OpenAPI security scheme it stands for.
CREDENTIAL_ATTRIBUTE = "__other_credential__"
# In the request's own scope (never shared state): the caller `authenticate`
# found, and whether a `Require` allowed their key.
_CALLER = "publishing.caller"
_KEY_ALLOWED = "publishing.api_key_allowed"


_COLUMN = {column.key: index for index, column in enumerate(User.__table__.columns)}


class Caller:
    """The signed-in user (their columns, made a `User` only for a route
    that asks for one) and the API key they called with (None: a session,
    which may do everything the user may)."""

    __slots__ = ("_user", "key", "values")

    def __init__(self, values: Sequence[Any], key: api_keys.KeyGrant | None) -> None:
        self.values = values
        self.key = key
        self._user: User | None = None

    @property
    def id(self) -> UUID:
        user_id: UUID = self.values[_COLUMN["id"]]
        return user_id

    @property
    def role(self) -> Role:
        role: Role = self.values[_COLUMN["role"]]
        return role

    @property
    def suspended(self) -> bool:
        return self.values[_COLUMN["suspended_at"]] is not None

    @property
    def user(self) -> User:
        if self._user is None:
            self._user = api_keys.user_from_row(self.values)
        return self._user


@statement("caller_by_id", tuple)
def _user_by_id() -> AnySelect:
    return select(*api_keys.user_columns()).where(User.id == bindparam("user_id"))


def presented_credential(request: Request) -> str | None:
    """The access token or API key the request carries, if any."""
    key = request.headers.get(API_KEY_HEADER)
    if key:
        return key
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if not token or scheme.lower() != "bearer":
        return None
    return token


@raises(InvalidToken, AccountSuspended, DatabaseUnavailable)
async def authenticate(request: Request) -> Caller | None:
    """The caller, from their credential: None when none is sent; 401 for an
    invalid one, or for a suspended account's. One statement (none without
    a credential); FastAPI runs it once per request, and `caller_id` and
    `viewer` read what it found. It reaches the database through the
    request, not through dependencies of its own: every route runs it."""
    credential = presented_credential(request)
    if credential is None:
        request.scope[_CALLER] = None
        return None
    bind = read_bind(request)
    if api_keys.looks_like_key(credential):
        found = await api_keys.find_key(bind, credential)
        if found is None:
            raise InvalidToken
        grant, values = found
        caller = Caller(values, grant)
    else:
        config = app_state(request).settings.auth
        try:
            user_id = UUID(utils.decode_access_token(credential, config)["sub"])
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise InvalidToken from exc
        found_user = await fetch_one(bind, _user_by_id, user_id=user_id)
        if found_user is None:
            raise InvalidToken
        caller = Caller(found_user, None)
    if caller.suspended:
        raise AccountSuspended
    if caller.key is not None:
        await api_keys.note_use(app_state(request).units_of_work, caller.key)
    request.scope[_CALLER] = caller
    return caller


AuthenticatedCaller = Annotated[Caller | None, Depends(authenticate)]


def allowed(request: Request, caller: Caller | None) -> Caller | None:
    """The caller, if the route lets them in: a key only where a `Require`
    of the route allowed it."""
    key_allowed = request.scope.get(_KEY_ALLOWED, False)
    if caller is not None and caller.key is not None and not key_allowed:
        raise SessionRequired
    return caller


def _found(request: Request) -> Caller | None:
    # Only a parameter of its own: FastAPI walks a dependency's whole tree at
    # each use, and the hottest reads use the caller twice (docs/benchmarks.md).
    try:
        caller: Caller | None = request.scope[_CALLER]
    except KeyError:
        raise RuntimeError(
            "A route that reads its caller declares Require(scope), which "
            "authenticates first (src/auth/permissions.py)"
        ) from None
    return allowed(request, caller)


def caller_of(request: Request) -> UUID | None:
    """`caller_id` as a plain call, for a dependency or a hot route that
    takes the request anyway."""
    caller = _found(request)
    return None if caller is None else caller.id


@raises(SessionRequired)
async def caller_id(request: Request) -> UUID | None:
    """Who is asking: None when anonymous. For public routes that answer the
    caller in particular (`favorited`, `following`, their own drafts); the
    route's `Require` has authenticated them."""
    return caller_of(request)


CallerId = Annotated[UUID | None, Depends(caller_id)]


class Viewer(NamedTuple):
    """Who reads: their id (None: anonymous), and whether they see what
    moderators see (hidden posts and comments). Keys never moderate."""

    id: UUID | None
    moderator: bool


@raises(SessionRequired)
async def viewer(request: Request) -> Viewer:
    """The reader, for routes that show hidden content to moderators (the
    route's `Require` has authenticated them)."""
    return viewer_of(request)


def viewer_of(request: Request) -> Viewer:
    """`viewer` as a plain call, for a dependency that takes the request."""
    caller = _found(request)
    if caller is None:
        return Viewer(None, moderator=False)
    moderator = caller.key is None and caller.role.at_least(Role.MODERATOR)
    return Viewer(caller.id, moderator=moderator)


CurrentViewer = Annotated[Viewer, Depends(viewer)]


@raises(NotAuthenticated, SessionRequired)
async def get_current_user(
    request: Request,
    _: Annotated[str | None, Depends(oauth2_scheme)],
    caller: AuthenticatedCaller,
) -> User:
    """The signed-in user; 401 without a valid credential. (The scheme
    dependency marks the route as signed-in only in the OpenAPI document.)"""
    if caller is None:
        raise NotAuthenticated
    allowed(request, caller)
    return caller.user


CurrentUser = Annotated[User, Depends(get_current_user)]


def Require(scope: ApiKeyScope) -> Any:  # noqa: N802 (reads as a declaration)
    """A route dependency: an API key may call the route if it has `scope`.
    Anonymous callers and sessions pass (the route's own dependencies say
    whether it needs sign-in)."""

    @raises(InsufficientScope)
    async def require_scope(request: Request, caller: AuthenticatedCaller) -> None:
        if caller is None or caller.key is None:
            return
        if scope not in caller.key.scopes:
            raise InsufficientScope(scope)
        request.scope[_KEY_ALLOWED] = True

    setattr(require_scope, SCOPE_ATTRIBUTE, scope)
    return Depends(require_scope)


def signs_in_with[F: Callable[..., Any]](
    name: str, scheme: dict[str, Any]
) -> Callable[[F], F]:
    """Mark a dependency that takes the caller's credential of its own
    (OpenAPI security scheme `scheme`, called `name`): its route needs
    sign-in, by a session, a key, or that."""

    def mark(dependency: F) -> F:
        setattr(dependency, CREDENTIAL_ATTRIBUTE, (name, scheme))
        return dependency

    return mark


def RequireRole(role: Role) -> Any:  # noqa: N802 (reads as a declaration)
    """A dependency giving the signed-in user, if their role is `role` or
    above (403 otherwise); API keys are refused."""

    @raises(RoleRequired)
    async def require_role(user: CurrentUser) -> User:
        if not user.role.at_least(role):
            raise RoleRequired
        return user

    setattr(require_role, ROLE_ATTRIBUTE, role)
    return Depends(require_role)
