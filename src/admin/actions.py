"""What the admin interface's views share: who is signed in, read-only
views, and actions that change the selected rows through the services."""

from collections.abc import Awaitable, Callable

from sqladmin import Flash, ModelView, action
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from src.auth.models import User
from src.database.unit_of_work import UnitOfWork
from src.exceptions import DetailedHTTPException
from src.web.state import app_state

# Set in the request's scope by the sign-in backend (src/admin/site.py).
STAFF_KEY = "publishing.admin_user"


def staff(request: Request) -> User:
    """The moderator or admin signed in to the interface."""
    user: User = request.scope[STAFF_KEY]
    return user


class ReadOnlyView(ModelView):
    """Listed, searched and shown; never created or edited in place."""

    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
    page_size = 25
    page_size_options = (25, 50, 100)


type Change = Callable[[UnitOfWork, str, User], Awaitable[None]]


async def each_selected(request: Request, change: Change, done: str) -> Response:
    """Apply `change` to each selected row, one unit of work each, then go
    back where the moderator was; a refused change is shown, not a crash."""
    user = staff(request)
    pks = [pk for pk in request.query_params.get("pks", "").split(",") if pk]
    units = app_state(request).units_of_work
    changed = 0
    for pk in pks:
        try:
            async with units() as uow:
                await change(uow, pk, user)
            changed += 1
        except DetailedHTTPException as exc:
            Flash.error(request, str(exc.detail))
    if changed:
        Flash.success(request, f"{done}: {changed}")
    back = request.headers.get("referer") or str(request.url_for("admin:index"))
    return RedirectResponse(back, status_code=303)


class HidingActions:
    """The hide and show actions of a view whose rows moderators hide; the
    view says how (`set_hidden`)."""

    async def set_hidden(
        self, uow: UnitOfWork, pk: str, *, hidden: bool, by: User
    ) -> None:
        raise NotImplementedError

    async def _visibility(self, request: Request, *, hidden: bool) -> Response:
        async def change(uow: UnitOfWork, pk: str, by: User) -> None:
            await self.set_hidden(uow, pk, hidden=hidden, by=by)

        return await each_selected(request, change, "Hidden" if hidden else "Shown")

    @action(
        "hide", "Hide", "Hide the selected from everyone but authors and moderators?"
    )
    async def hide(self, request: Request) -> Response:
        return await self._visibility(request, hidden=True)

    @action("show", "Show again")
    async def show(self, request: Request) -> Response:
        return await self._visibility(request, hidden=False)
