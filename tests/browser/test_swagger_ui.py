"""The docs page as a new user meets it: Debian's Chromium, driven by
Playwright, against the API served as in production, with every request
outside the API refused (no CDN, no network).

The journey uses Swagger UI's own controls: "Try it out" with the
pre-filled examples left as they are, the "Authorize" dialog, the upload
form and the download link. On failure a screenshot of the page is written
to `test-artifacts/` and named in the error.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import FilePayload, Locator, Page

from tests.browser.conftest import browser_page
from tests.utils import running_server

# What it checks (the document, the pages, the client) is the same on either
# database: it runs once, in the SQLite pass.
pytestmark = [pytest.mark.slow, pytest.mark.database_independent]

PASSWORD = "Analytical-Engine-1843"  # the register example's


@pytest.fixture(scope="module")
def api(committed_module_database: str) -> Iterator[str]:
    with running_server(committed_module_database) as (_, base_url):
        yield base_url


@pytest.fixture
def page(api: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser page that can reach the API and nothing else."""
    with browser_page(request, api) as (page, outside):
        yield page
    assert outside == [], f"the page asked for what is not the API: {outside}"


def _try_out(page: Page, operation_id: str) -> Locator:
    block = page.locator(f"[id$='-{operation_id}'].opblock")
    block.locator(".opblock-summary").first.click()
    block.locator(".try-out__btn").click()
    return block


def _execute(block: Locator) -> tuple[int, str]:
    """Press Execute; the status and body Swagger UI shows."""
    block.locator(".execute").click()
    row = block.locator(".live-responses-table tbody tr.response").first
    status = row.locator(".response-col_status")
    status.wait_for()
    return int(status.inner_text()), row.locator("pre").first.inner_text()


def _fill(block: Locator, parameter: str, value: str) -> None:
    block.locator(f"tr[data-param-name='{parameter}'] input").fill(value)


def _log_in(page: Page, username: str) -> str:
    """Log in with the Authorize dialog; the refresh token it was given."""
    page.locator(".auth-wrapper .authorize").click()
    page.fill("#oauth_username", username)
    page.fill("#oauth_password", PASSWORD)
    with page.expect_response(
        lambda r: r.url.endswith("/auth/token") and r.request.method == "POST"
    ) as login:
        # The OAuth2 scheme's (the dialog also offers the Conduit token's).
        page.get_by_role("button", name="Apply given OAuth2 credentials").click()
    assert login.value.status == 200
    page.locator(".auth-btn-wrapper .btn-done").first.click()
    return str(login.value.json()["refresh_token"])


def test_a_new_user_goes_through_the_api_from_the_docs_page(
    api: str, page: Page
) -> None:
    page.goto(f"{api}/docs")

    # Register with the example exactly as Swagger UI pre-fills it.
    register = _try_out(page, "register")
    status, body = _execute(register)
    assert status == 201, body
    username = json.loads(body)["username"]

    refresh_token = _log_in(page, username)
    status, body = _execute(_try_out(page, "get_me"))
    assert status == 200, body
    assert json.loads(body)["username"] == username

    status, body = _execute(_try_out(page, "create_post"))
    assert status == 201, body
    post_id = json.loads(body)["id"]

    upload = _try_out(page, "create_attachment")
    _fill(upload, "post_id", post_id)
    content = b"Written in the docs page\n"
    upload.locator("input[type=file]").set_input_files(
        FilePayload(name="notes.txt", mimeType="text/plain", buffer=content)
    )
    status, body = _execute(upload)
    assert status == 201, body
    attachment_id = json.loads(body)["id"]

    download = _try_out(page, "download_attachment")
    _fill(download, "post_id", post_id)
    _fill(download, "attachment_id", attachment_id)
    download.locator(".execute").click()
    with page.expect_download() as downloaded:
        download.get_by_text("Download file").click()
    assert downloaded.value.suggested_filename == "notes.txt"
    assert Path(downloaded.value.path()).read_bytes() == content

    # Log out with the pre-filled body: the refresh cookie is what it revokes.
    status, body = _execute(_try_out(page, "logout"))
    assert status == 204, body

    refresh = _try_out(page, "refresh_tokens")
    refresh.locator("textarea.body-param__text").fill(
        json.dumps({"refresh_token": refresh_token})
    )
    status, body = _execute(refresh)
    assert status == 401, body
    # And not only as the page saw it.
    assert (
        httpx.put(
            f"{api}/auth/token", json={"refresh_token": refresh_token}
        ).status_code
        == 401
    )


def test_redoc_renders_the_document_offline(api: str, page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{api}/redoc")

    # ReDoc gives every operation a section once the document is read whole.
    operations = page.locator("[data-section-id^='operation/']")
    operations.first.wait_for()
    assert page.locator("h2", has_text="Create a post").count() == 1
    assert operations.count() == len(_operation_ids(api))
    assert errors == []


def _operation_ids(api: str) -> list[str]:
    document = httpx.get(f"{api}/openapi.json").json()
    return [
        operation["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
    ]
