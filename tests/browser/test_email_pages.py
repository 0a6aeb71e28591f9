"""The links of the emails as a new user follows them: the API served on
the embedded default (no PUBLIC_BASE_URL: the links follow the port it
listens on), its emails delivered to a real SMTP server, each link opened
in Debian's Chromium, with every request outside the API refused."""

import time
from collections.abc import Iterator
from email.message import EmailMessage

import httpx
import pytest
from playwright.sync_api import Page

from tests.browser.conftest import browser_page
from tests.factories import user_payload
from tests.smtp import Inbox, link_of, start_smtp_server
from tests.utils import running_server

pytestmark = [pytest.mark.slow, pytest.mark.database_independent]

NEW_PASSWORD = "Brand-n3w-pass!"
# The API sends its email from a job, just after it answers.
EMAIL_DEADLINE_SECONDS = 30


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = start_smtp_server(inbox)
    inbox.config = inbox.config.model_copy(update={"SMTP_PORT": controller.port})
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def api(committed_module_database: str, inbox: Inbox) -> Iterator[str]:
    env = {
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(inbox.config.SMTP_PORT),
    }
    with running_server(committed_module_database, env=env) as (_, base_url):
        yield base_url


@pytest.fixture
def page(api: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    with browser_page(request, api) as (page, outside):
        yield page
    assert outside == [], f"the page asked for what is not the API: {outside}"


def _email(inbox: Inbox, to: str, subject: str) -> EmailMessage:
    deadline = time.monotonic() + EMAIL_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        for message in inbox.to(to):
            if message["Subject"] == subject:
                return message
        time.sleep(0.05)
    raise AssertionError(f"no {subject!r} email to {to}")


def _logs_in(api: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{api}/auth/token", data={"username": username, "password": password}
    )


def test_a_new_user_confirms_the_address_and_resets_the_password_in_a_browser(
    api: str, inbox: Inbox, page: Page
) -> None:
    user = user_payload()
    assert httpx.post(f"{api}/auth/users", json=user).status_code == 201
    link = link_of(
        _email(inbox, user["email"], "Confirm your email address"), "verify-email"
    )
    assert link.startswith(f"{api}/verify-email?token=")

    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()

    page.get_by_text("Your email address is confirmed.").wait_for()
    token = _logs_in(api, user["username"], user["password"]).json()["access_token"]
    me = httpx.get(f"{api}/auth/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email_verified"] is True

    httpx.post(f"{api}/auth/password-reset", json={"email": user["email"]})
    link = link_of(
        _email(inbox, user["email"], "Reset your password"), "reset-password"
    )
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password, again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()

    page.get_by_text("Your password is changed").wait_for()
    assert _logs_in(api, user["username"], NEW_PASSWORD).status_code == 200
    assert _logs_in(api, user["username"], user["password"]).status_code == 401
