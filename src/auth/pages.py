"""The pages an email's link opens: confirm an address, choose a new
password, take a new address. Server-rendered, no script, nothing loaded
from elsewhere, for deployments whose front end does not own these pages
(`EMAIL_PAGES_ENABLED=false` removes them).

Opening a link changes nothing (mail scanners open links too): the page
shows a form, and its POST spends the token.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse
from pydantic import TypeAdapter, ValidationError

from src.auth import email_tokens
from src.auth.constants import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from src.auth.dependencies import AuthSettings
from src.auth.exceptions import EmailTaken, InvalidEmailToken, PasswordChecksBusy
from src.auth.schemas import NewPassword
from src.web.dependencies import UnitOfWorkDep
from src.web.forms import new_csrf_token, page, same_site_form
from src.web.templates import templates

VERIFY_EMAIL_PATH = "/verify-email"
RESET_PASSWORD_PATH = "/reset-password"
CHANGE_EMAIL_PATH = "/change-email"
SERVICE = "Publishing API"

router = APIRouter(include_in_schema=False)
_new_password = TypeAdapter(NewPassword)
# A form field longer than any token or password is not one.
FieldText = Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)]
OptionalText = Annotated[str | None, Form(max_length=PASSWORD_MAX_LENGTH)]

EXPIRED = (
    "This link has expired or was already used. Ask for a new one where you signed up."
)
INCOMPLETE = "This link is incomplete: open it again from the email, whole."
RESUBMIT = (
    "This form has expired or was sent from elsewhere. Open the link from "
    "the email again."
)


def _render(
    request: Request,
    name: str,
    *,
    status_code: int = status.HTTP_200_OK,
    csrf: str | None = None,
    **context: Any,
) -> HTMLResponse:
    html = (
        templates("src.auth")
        .get_template(f"pages/{name}.html")
        .render(service=SERVICE, action=request.url.path, csrf_token=csrf, **context)
    )
    return page(request, html, status_code=status_code, csrf=csrf)


def _message(
    request: Request, title: str, message: str, *, status_code: int = 200
) -> HTMLResponse:
    return _render(
        request,
        "message",
        status_code=status_code,
        title=title,
        message=message,
        error=status_code >= status.HTTP_400_BAD_REQUEST,
    )


def _confirm_page(
    request: Request, token: str | None, *, title: str, button: str
) -> HTMLResponse:
    if not token or len(token) > PASSWORD_MAX_LENGTH:
        return _message(request, title, INCOMPLETE, status_code=400)
    return _render(
        request,
        "confirm",
        csrf=new_csrf_token(),
        title=title,
        token=token,
        button=button,
    )


async def _spend_link(
    request: Request,
    csrf_token: str | None,
    spend: Callable[[], Awaitable[None]],
    *,
    title: str,
    done: tuple[str, str],
) -> HTMLResponse:
    """A confirming form's POST: `spend` the link's token if the form came
    from our page, and say how it went."""
    if not same_site_form(request, csrf_token):
        return _message(request, title, RESUBMIT, status_code=403)
    try:
        await spend()
    except InvalidEmailToken:
        return _message(request, title, EXPIRED, status_code=400)
    except EmailTaken:
        return _message(
            request, title, "Another account has this address now.", status_code=409
        )
    return _message(request, *done)


@router.get(VERIFY_EMAIL_PATH)
async def verify_email_page(request: Request, token: str | None = None) -> HTMLResponse:
    return _confirm_page(
        request, token, title="Confirm your email", button="Confirm my email address"
    )


@router.post(VERIFY_EMAIL_PATH)
async def verify_email(
    request: Request,
    uow: UnitOfWorkDep,
    token: FieldText,
    csrf_token: OptionalText = None,
) -> HTMLResponse:
    return await _spend_link(
        request,
        csrf_token,
        lambda: email_tokens.confirm_email(uow, token=token),
        title="Confirm your email",
        done=("Email confirmed", "Your email address is confirmed."),
    )


@router.get(CHANGE_EMAIL_PATH)
async def change_email_page(request: Request, token: str | None = None) -> HTMLResponse:
    return _confirm_page(
        request, token, title="Confirm your new email", button="Use this address"
    )


@router.post(CHANGE_EMAIL_PATH)
async def change_email(
    request: Request,
    uow: UnitOfWorkDep,
    token: FieldText,
    csrf_token: OptionalText = None,
) -> HTMLResponse:
    return await _spend_link(
        request,
        csrf_token,
        lambda: email_tokens.confirm_email_change(uow, token=token),
        title="Confirm your new email",
        done=("Email changed", "Your account's email address is now this one."),
    )


def _password_form(
    request: Request, token: str, *, errors: list[str], status_code: int = 200
) -> HTMLResponse:
    return _render(
        request,
        "reset_password",
        status_code=status_code,
        csrf=new_csrf_token(),
        title="Choose a new password",
        token=token,
        errors=errors,
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
    )


@router.get(RESET_PASSWORD_PATH)
async def reset_password_page(
    request: Request, token: str | None = None
) -> HTMLResponse:
    if not token or len(token) > PASSWORD_MAX_LENGTH:
        return _message(request, "Choose a new password", INCOMPLETE, status_code=400)
    return _password_form(request, token, errors=[])


@router.post(RESET_PASSWORD_PATH)
async def reset_password(
    request: Request,
    uow: UnitOfWorkDep,
    config: AuthSettings,
    token: FieldText,
    new_password: FieldText,
    confirm_password: FieldText,
    csrf_token: OptionalText = None,
) -> HTMLResponse:
    title = "Choose a new password"
    if not same_site_form(request, csrf_token):
        return _message(request, title, RESUBMIT, status_code=403)
    if new_password != confirm_password:
        return _password_form(
            request, token, errors=["The two passwords differ."], status_code=422
        )
    try:
        _new_password.validate_python(new_password)
    except ValidationError as exc:
        errors = [error["msg"].removeprefix("Value error, ") for error in exc.errors()]
        return _password_form(request, token, errors=errors, status_code=422)
    try:
        await email_tokens.reset_password(
            uow, token=token, password=new_password, config=config
        )
    except InvalidEmailToken:
        return _message(request, title, EXPIRED, status_code=400)
    except PasswordChecksBusy:
        return _message(
            request,
            title,
            "Too many requests at once: try again in a moment.",
            status_code=503,
        )
    return _message(
        request,
        "Password changed",
        "Your password is changed, and every device signed in to your account "
        "is signed out. Sign in with the new password.",
    )
