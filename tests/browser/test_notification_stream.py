"""A page on another origin follows its user's notifications as a browser
does: Chromium's EventSource, opened with a stream ticket, shows a comment
the moment another user writes it."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import browser_page
from tests.utils import running_server, sign_up

pytestmark = [pytest.mark.slow, pytest.mark.database_independent]

PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>Notifications</title></head>
<body>
<p id="state">connecting</p>
<ul id="events"></ul>
<script>
const query = new URLSearchParams(location.search);
const source = new EventSource(
  query.get("api") + "/notifications/stream?ticket=" + query.get("ticket"));
source.onopen = () => { document.getElementById("state").textContent = "open"; };
source.onerror = () => { document.getElementById("state").textContent = "error"; };
source.addEventListener("notification", (event) => {
  const notification = JSON.parse(event.data);
  const item = document.createElement("li");
  item.textContent = notification.type + " by " + notification.actor.username;
  document.getElementById("events").append(item);
});
</script>
</body></html>
"""


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def page_origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def api(committed_module_database: str, page_origin: str) -> Iterator[str]:
    env = {"CORS_ORIGINS": json.dumps([page_origin])}
    with running_server(committed_module_database, env=env) as (_, base_url):
        yield base_url


@pytest.fixture
def page(api: str, page_origin: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    with browser_page(request, api, page_origin) as (page, outside):
        yield page
    assert outside == [], f"the page asked for what is neither: {outside}"


def test_a_page_shows_a_comment_the_moment_it_is_written(
    api: str, page_origin: str, page: Page
) -> None:
    author, reader = sign_up(api).headers, sign_up(api)
    post = httpx.post(
        f"{api}/posts", json={"title": "Live", "content": "Watch"}, headers=author
    )
    ticket = httpx.post(f"{api}/notifications/stream-tickets", headers=author)
    assert post.status_code == 201, post.text
    assert ticket.status_code == 201, ticket.text

    page.goto(f"{page_origin}/?api={api}&ticket={ticket.json()['ticket']}")
    expect(page.locator("#state")).to_have_text("open")
    comment = httpx.post(
        f"{api}/posts/{post.json()['id']}/comments",
        json={"content": "Hello from the other side"},
        headers=reader.headers,
    )

    assert comment.status_code == 201, comment.text
    expect(page.locator("#events li")).to_have_text(
        [f"comment_created by {reader.username}"]
    )
