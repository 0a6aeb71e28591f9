"""The moderators' web interface at /admin, made with sqladmin
(docs/decisions/admin-ui.md) when its first request comes (src/admin/ui.py):
signed in with a moderator's or an admin's own username and password,
members refused. What each role may do there
is `GRANTS`; the views and their actions are in src/admin/views.py.

Cross-site request forgery is refused twice over: the interface's session
cookie is `SameSite=Strict` (a request another site starts carries none),
and a change (any method but GET and HEAD, and sqladmin's actions, which
are GETs) whose `Sec-Fetch-Site` or `Origin` says another site sent it is
refused before it reaches sqladmin.
"""

import hashlib
from uuid import UUID

from sqladmin import Admin
from sqladmin.authentication import AuthenticationBackend
from sqladmin.authorization import AuthorizationBackend, custom_action, matches_grant
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from src.admin import actions, views
from src.auth import service as auth_service
from src.auth.constants import Role
from src.auth.exceptions import AccountSuspended, InvalidCredentials
from src.auth.models import User
from src.config import Settings
from src.web.rate_limit import client_address
from src.web.state import app_state

SESSION_COOKIE = "admin_session"
SESSION_SECONDS = 8 * 60 * 60
REFUSED_ROLE = "Your role does not allow the admin interface."

_MODERATOR_GRANTS = {
    ("*", "list"),
    ("*", "details"),
    *((name, "delete") for name in ("post", "comment", "attachment")),
    *(
        (name, custom_action(slug))
        for name in ("post", "comment")
        for slug in ("hide", "show")
    ),
    ("user", custom_action("suspend")),
    ("user", custom_action("unsuspend")),
}
GRANTS: dict[Role, set[tuple[str, str]]] = {
    Role.MODERATOR: _MODERATOR_GRANTS,
    Role.ADMIN: _MODERATOR_GRANTS
    | {("user", custom_action(f"make-{role.value}")) for role in Role},
}


def _fingerprint(user: User) -> str:
    # A session ends when the password changes: it is bound to the hash.
    return hashlib.sha256(user.hashed_password.encode()).hexdigest()[:32]


class StaffSignIn(AuthenticationBackend):
    """Moderators and admins sign in with their own credentials; the
    session is checked on every request (a suspension, a demotion or a new
    password ends it)."""

    def __init__(self, settings: Settings, path: str) -> None:
        super().__init__(
            secret_key=hashlib.sha256(
                f"admin-session:{settings.auth.JWT_SECRET}".encode()
            ).hexdigest(),
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_SECONDS,
            path=path,
            same_site="strict",
            https_only=settings.auth.SECURE_COOKIES,
        )
        self.admin: Admin | None = None

    async def login(self, request: Request) -> Response | bool:
        state = app_state(request)
        # The API's login limit, per address: one more door is not a way
        # around it.
        await state.rate_limiter.hit("login", client_address(request))
        form = await request.form()
        async with state.read_sessionmaker() as session:
            try:
                found = await auth_service.authenticate(
                    session,
                    login=str(form.get("username", "")),
                    password=str(form.get("password", "")),
                    config=state.settings.auth,
                )
            except (InvalidCredentials, AccountSuspended):
                return False
        user = found.user
        if not user.role.at_least(Role.MODERATOR):
            if self.admin is None:  # pragma: no cover - set by `install`
                return PlainTextResponse(REFUSED_ROLE, status_code=403)
            return await self.admin.templates.TemplateResponse(
                request, "sqladmin/login.html", {"error": REFUSED_ROLE}, status_code=403
            )
        request.session.clear()
        request.session.update({"user_id": str(user.id), "key": _fingerprint(user)})
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        user_id = request.session.get("user_id")
        if not user_id:
            return False
        async with app_state(request).read_sessionmaker() as session:
            user = await auth_service.get_user(session, UUID(user_id))
        if (
            user is None
            or user.suspended_at is not None
            or not user.role.at_least(Role.MODERATOR)
            or request.session.get("key") != _fingerprint(user)
        ):
            request.session.clear()
            return False
        request.scope[actions.STAFF_KEY] = user
        return True


class RoleGrants(AuthorizationBackend):
    """What the signed-in user's role allows (`GRANTS`)."""

    def has_permission(
        self, request: Request, identity: str, action: str, obj: object = None
    ) -> bool:
        user = request.scope.get(actions.STAFF_KEY)
        if user is None:
            return False
        return bool(matches_grant(GRANTS.get(user.role, set()), identity, str(action)))


class SameSiteChangesOnly:
    """Refuse a change another site started (see the module's docstring)."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._changes(scope) and self._cross_site(scope):
            response = PlainTextResponse(
                "Refused: this change was sent from another site.", status_code=403
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _changes(self, scope: Scope) -> bool:
        return scope["method"] not in self.SAFE or "/action/" in scope["path"]

    def _cross_site(self, scope: Scope) -> bool:
        headers = {
            k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
        }
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None:
            return fetch_site not in ("same-origin", "none")
        origin = headers.get("origin")
        if origin is None:
            # No fetch metadata and no origin: not a browser's cross-site
            # request (the session cookie would not come with one anyway).
            return False
        scheme = scope.get("scheme", "http")
        return bool(origin != f"{scheme}://{headers.get('host', '')}")


def build(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], *, path: str
) -> Starlette:
    """The interface, as an application to mount at `path`, reading through
    `sessions` (src/admin/ui.py mounts it)."""
    sign_in = StaffSignIn(settings, path)
    # sqladmin mounts what it builds on the app it is given: this one is
    # only where to take it from.
    admin = Admin(
        Starlette(),
        session_maker=sessions,
        base_url=path,
        title="Publishing admin",
        authentication_backend=sign_in,
        authorization_backend=RoleGrants(),
        middlewares=[Middleware(SameSiteChangesOnly)],
    )
    sign_in.admin = admin
    for view in views.VIEWS:
        admin.add_view(view)
    return admin.admin
