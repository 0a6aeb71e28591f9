"""The RealWorld project's own Angular front end, unmodified, in Debian's
Chromium against the API served as in production: two people sign up, one
writes an article with tags, comments and favorites it, the other follows
the writer and finds it in "Your Feed". The front end is served from
another origin (so CORS is part of the test); every request that is
neither the page's nor the API's (its CDN styles) is refused.

The built front end lives outside the project (the shared conformance
directory): the test skips, saying so, where it is absent. On failure a
screenshot is written to `test-artifacts/`.
"""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import browser_page
from tests.smtp import free_port
from tests.utils import running_server, wait_until_answers

pytestmark = [pytest.mark.slow, pytest.mark.database_independent]

FRONT_END = (
    Path(
        os.environ.get("REALWORLD_CONFORMANCE_DIR")
        or Path(__file__).resolve().parents[3] / "shared" / "conformance" / "realworld"
    )
    / "frontend"
)
PASSWORD = "Conduit-Pa55word!"


@pytest.fixture(scope="module")
def api(committed_module_database: str) -> Iterator[str]:
    with running_server(committed_module_database) as (_, base_url):
        yield base_url


@pytest.fixture(scope="module")
def front_end(api: str) -> Iterator[str]:
    serve = FRONT_END / "serve.py"
    if not serve.is_file():
        pytest.skip(f"the RealWorld front end is not here ({serve})")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, str(serve), "--port", str(port), "--api", f"{api}/api"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_answers(url, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def page(api: str, front_end: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    # Its CDN styles are refused: the page works without them.
    with browser_page(request, api, front_end) as (page, _):
        yield page


def _sign_up(page: Page, front_end: str, username: str) -> None:
    page.goto(f"{front_end}/register")
    page.get_by_placeholder("Username").fill(username)
    page.get_by_placeholder("Email").fill(f"{username}@example.com")
    page.get_by_placeholder("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    # Signed in: the header links to the new user's profile.
    expect(page.locator(f"a[href='/profile/{username}']").first).to_be_visible()


def _sign_out(page: Page, front_end: str) -> None:
    page.goto(f"{front_end}/settings")
    page.get_by_role("button", name="Or click here to logout.").click()
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()


def test_two_people_write_comment_favorite_follow_and_read_their_feed(
    api: str, front_end: str, page: Page
) -> None:
    run = uuid.uuid4().hex[:8]
    writer, reader = f"writer_{run}", f"reader_{run}"
    title = f"Dragons {run}"

    _sign_up(page, front_end, writer)
    page.goto(f"{front_end}/editor")
    page.get_by_placeholder("Article Title").fill(title)
    page.get_by_placeholder("What's this article about?").fill("Ever wonder how?")
    page.get_by_placeholder("Write your article (in markdown)").fill("Very carefully.")
    for tag in ("dragons", "training"):
        page.get_by_placeholder("Enter tags").fill(tag)
        page.get_by_placeholder("Enter tags").press("Enter")
    page.get_by_role("button", name="Publish Article").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    slug = page.url.rsplit("/", 1)[1]

    page.get_by_placeholder("Write a comment...").fill("First!")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".card-text", has_text="First!")).to_be_visible()
    _sign_out(page, front_end)

    # The reader favorites it (its writer is offered no such button).
    _sign_up(page, front_end, reader)
    page.goto(f"{front_end}/article/{slug}")
    page.get_by_role("button", name="Favorite Article").first.click()
    expect(page.get_by_role("button", name="Unfavorite Article").first).to_be_visible()
    page.goto(f"{front_end}/profile/{writer}")
    page.get_by_role("button", name=f"Follow {writer}").click()
    expect(page.get_by_role("button", name=f"Unfollow {writer}")).to_be_visible()
    page.goto(front_end)
    page.get_by_text("Your Feed").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()

    # What the browser did is on the native API too.
    post = httpx.get(f"{api}/posts/by-slug/{slug}").json()
    assert (post["tags"], post["comments_count"], post["favorites_count"]) == (
        ["dragons", "training"],
        1,
        1,
    )
    profile = httpx.get(f"{api}/users/by-username/{writer}").json()
    assert profile["followers_count"] == 1
