"""The pages an email's link opens, as a browser without script uses them:
a GET shows a form and changes nothing, the form's POST spends the token.
(tests/browser/test_email_pages.py follows the links in Chromium.)"""

import dataclasses
import re
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient, Response

from src.config import Settings
from src.constants import Environment
from src.mail.client import plain_text
from tests.factories import AuthUser, login, user_payload
from tests.smtp import Inbox, link_of
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "Brand-n3w-pass!"


def _path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def _form(page: Response) -> dict[str, str]:
    """The hidden fields of the page's form."""
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text))


async def _registered(client: AsyncClient, inbox: Inbox) -> tuple[dict[str, str], str]:
    payload = user_payload()
    await client.post("/auth/users", json=payload)
    return payload, link_of(inbox.to(payload["email"])[0], "verify-email")


async def _verified(client: AsyncClient, username: str) -> bool:
    # Logging in clears the client's cookies: the page's form keeps its own.
    kept = list(client.cookies.jar)
    tokens = await login(client, username)
    for cookie in kept:
        client.cookies.jar.set_cookie(cookie)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = await client.get("/auth/users/me", headers=headers)
    verified: bool = me.json()["email_verified"]
    return verified


async def test_emails_are_html_with_a_plain_text_part(
    client: AsyncClient, smtp_inbox: Inbox
) -> None:
    payload, link = await _registered(client, smtp_inbox)

    (message,) = smtp_inbox.to(payload["email"])

    assert message.get_content_type() == "multipart/alternative"
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert f"Hello {payload['first_name']}," in html.get_content()
    assert f'href="{link}"' in html.get_content()
    assert link in plain_text(message)
    assert "24 hours" in plain_text(message)


async def test_a_verification_link_opens_a_form_that_confirms_the_address(
    client: AsyncClient, smtp_inbox: Inbox
) -> None:
    payload, link = await _registered(client, smtp_inbox)

    page = await client.get(_path(link))

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Confirm my email address" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    # Opening the link changed nothing.
    assert await _verified(client, payload["username"]) is False
    done = await client.post("/verify-email", data=_form(page))
    assert done.status_code == 200
    assert "Your email address is confirmed." in done.text
    assert await _verified(client, payload["username"]) is True
    again = await client.post("/verify-email", data=_form(page))
    assert again.status_code == 400
    assert "expired or was already used" in again.text


@pytest.mark.parametrize("forged", ["no cookie", "other token", "cross-site"])
async def test_a_form_posted_from_elsewhere_is_refused_and_spends_nothing(
    client: AsyncClient, smtp_inbox: Inbox, forged: str
) -> None:
    payload, link = await _registered(client, smtp_inbox)
    form = _form(await client.get(_path(link)))
    headers = {}
    if forged == "no cookie":
        client.cookies.clear()
    elif forged == "other token":
        form["csrf_token"] = "guessed"
    else:
        headers["Sec-Fetch-Site"] = "cross-site"

    response = await client.post("/verify-email", data=form, headers=headers)

    assert response.status_code == 403
    assert "Open the link from the email again" in response.text
    assert await _verified(client, payload["username"]) is False


async def test_a_link_without_its_token_says_so(client: AsyncClient) -> None:
    for page in ("/verify-email", "/reset-password?token="):
        response = await client.get(page)

        assert response.status_code == 400
        assert "This link is incomplete" in response.text


async def _reset_page(
    client: AsyncClient, user: AuthUser, inbox: Inbox
) -> dict[str, str]:
    await client.post("/auth/password-reset", json={"email": user.email})
    (message,) = [m for m in inbox.to(user.email) if "Reset" in m["Subject"]]
    page = await client.get(_path(link_of(message, "reset-password")))
    assert page.status_code == 200
    assert 'autocomplete="new-password"' in page.text
    return _form(page)


async def test_a_reset_link_opens_a_form_that_sets_the_password(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    form = await _reset_page(client, user, smtp_inbox)

    done = await client.post(
        "/reset-password",
        data=form | {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )

    assert done.status_code == 200
    assert "Your password is changed" in done.text
    await login(client, user.username, NEW_PASSWORD)
    old = await client.post(
        "/auth/token", data={"username": user.username, "password": user.password}
    )
    assert old.status_code == 401


@pytest.mark.parametrize(
    ("new", "again", "says"),
    [
        (NEW_PASSWORD, "Brand-n3w-pass?", "The two passwords differ."),
        ("alllowercase", "alllowercase", "at least one lowercase letter, one upper"),
        ("Sh0rt!", "Sh0rt!", "at least 8 characters"),
    ],
)
async def test_a_refused_password_shows_the_form_again_and_keeps_the_link(
    client: AsyncClient,
    user: AuthUser,
    smtp_inbox: Inbox,
    new: str,
    again: str,
    says: str,
) -> None:
    form = await _reset_page(client, user, smtp_inbox)

    refused = await client.post(
        "/reset-password", data=form | {"new_password": new, "confirm_password": again}
    )

    assert refused.status_code == 422
    assert says in refused.text
    assert 'name="new_password"' in refused.text
    retry = await client.post(
        "/reset-password",
        data=_form(refused)
        | {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert retry.status_code == 200
    await login(client, user.username, NEW_PASSWORD)


async def test_the_pages_are_off_when_the_front_end_owns_them(
    app_factory: AppFactory, settings: Settings
) -> None:
    email = settings.email.model_copy(update={"EMAIL_PAGES_ENABLED": False})
    app = app_factory(settings=dataclasses.replace(settings, email=email))

    async with app_client(app) as client:
        for page in ("/verify-email?token=x", "/reset-password?token=x"):
            assert (await client.get(page)).status_code == 404


async def test_the_root_points_to_the_docs_where_they_are_served(
    app_factory: AppFactory,
) -> None:
    async with app_client(app_factory()) as client:
        local = await client.get("/")
    async with app_client(app_factory(ENVIRONMENT=Environment.PRODUCTION)) as client:
        production = await client.get("/")

    assert local.status_code == 200
    assert local.json()["docs"] == "/docs"
    assert local.json()["openapi"] == "/openapi.json"
    assert production.status_code == 404
