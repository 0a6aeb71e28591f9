"""The admin interface as a moderator uses it, in Debian's Chromium against
the real `serve` process: sign in, find a post by search, hide it; the
public API stops showing it and the audit log has the entry. A member's
sign-in is refused, a change started by another site is refused, and the
pages ask for nothing outside the API (no CDN).

Screenshots of each step go to `test-artifacts/admin-*.png`."""

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import ARTIFACTS, browser_page
from tests.factories import DEFAULT_PASSWORD, user_payload
from tests.utils import AUTH_CONFIG, running_server

pytestmark = [pytest.mark.slow, pytest.mark.database_independent]

EVIL_SITE = "http://evil.example"


@pytest.fixture(scope="module")
def api(committed_module_database: str) -> Iterator[str]:
    with running_server(committed_module_database) as (_, base_url):
        yield base_url


def _create_admin(database_url: str) -> dict[str, Any]:
    """An admin made as an operator makes one: the command line."""
    admin = user_payload()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "AUTH_PASSWORD_HASH_TIME_COST": str(AUTH_CONFIG.PASSWORD_HASH_TIME_COST),
        "AUTH_PASSWORD_HASH_MEMORY_KIB": str(AUTH_CONFIG.PASSWORD_HASH_MEMORY_KIB),
    }
    env.pop("REDIS_URL", None)
    subprocess.run(  # noqa: S603
        [
            *(sys.executable, "-m", "src.cli", "create-superuser"),
            *("--email", admin["email"], "--username", admin["username"]),
            *("--password", admin["password"]),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return admin


def _token(api: str, user: dict[str, Any]) -> dict[str, str]:
    response = httpx.post(
        f"{api}/auth/token",
        data={"username": user["username"], "password": user["password"]},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _register(api: str) -> dict[str, Any]:
    user = user_payload()
    response = httpx.post(f"{api}/auth/users", json=user)
    assert response.status_code == 201, response.text
    return user | {"id": response.json()["id"]}


@pytest.fixture(scope="module")
def people(api: str, committed_module_database: str) -> dict[str, dict[str, Any]]:
    admin = _create_admin(committed_module_database)
    moderator, member = _register(api), _register(api)
    promoted = httpx.put(
        f"{api}/admin/users/{moderator['id']}/role",
        json={"role": "moderator"},
        headers=_token(api, admin),
    )
    assert promoted.status_code == 200, promoted.text
    return {"admin": admin, "moderator": moderator, "member": member}


@pytest.fixture
def page(api: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    with browser_page(request, api, EVIL_SITE) as (page, outside):
        yield page
    assert outside == [], f"the page asked for what is not the API: {outside}"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"admin-{name}.png", full_page=True)


def _sign_in(page: Page, api: str, user: dict[str, Any]) -> None:
    page.goto(f"{api}/admin/login")
    page.locator("input[name=username]").fill(user["username"])
    page.locator("input[name=password]").fill(user["password"])
    page.get_by_role("button", name="Login").click()


def test_a_moderator_finds_a_post_and_hides_it(
    api: str, people: dict[str, dict[str, Any]], page: Page
) -> None:
    member = people["member"]
    post = httpx.post(
        f"{api}/posts",
        json={"title": "Cheap watches, today only", "content": "Buy now."},
        headers=_token(api, member),
    ).json()
    httpx.post(
        f"{api}/posts",
        json={"title": "A quiet walk", "content": "Birds."},
        headers=_token(api, member),
    )

    _sign_in(page, api, people["moderator"])
    expect(page.get_by_role("link", name="Posts")).to_be_visible()
    _shot(page, "signed-in")
    page.get_by_role("link", name="Posts").click()
    page.locator("#search-input").fill("WATCHES")
    page.locator("#search-button").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Cheap watches, today only")
    rows.first.locator("input.select-box").check()
    page.locator("#dropdownMenuButton").click()
    page.locator("#action-customconfirm-hide").click()
    page.locator("#action-custom-modal-hide").click()
    expect(page.get_by_text("Hidden: 1")).to_be_visible()
    _shot(page, "post-hidden")

    assert httpx.get(f"{api}/posts/{post['id']}").status_code == 404
    assert [p["title"] for p in httpx.get(f"{api}/posts").json()["items"]] == [
        "A quiet walk"
    ]
    audit = httpx.get(
        f"{api}/admin/audit",
        params={"target_id": post["id"]},
        headers=_token(api, people["admin"]),
    ).json()["items"]
    assert [(e["action"], e["actor"]["username"]) for e in audit] == [
        ("post_hidden", people["moderator"]["username"])
    ]

    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table tbody")).to_contain_text("post_hidden")
    expect(page.locator("table tbody")).to_contain_text(post["id"])
    _shot(page, "audit-log")

    # Another site cannot make the signed-in moderator's browser act.
    show = f"{api}/admin/post/action/show?pks={post['id']}"

    def evil_page(route: Route) -> None:
        route.fulfill(
            content_type="text/html",
            body=f'<script>location.href = "{show}";</script>',
        )

    page.route(f"{EVIL_SITE}/**", evil_page)
    with page.expect_response(show) as answer:
        page.goto(f"{EVIL_SITE}/")
    assert answer.value.status == 403
    assert httpx.get(f"{api}/posts/{post['id']}").status_code == 404


def test_a_members_sign_in_is_refused(
    api: str, people: dict[str, dict[str, Any]], page: Page
) -> None:
    _sign_in(page, api, people["member"])

    refusal = page.get_by_text("Your role does not allow the admin interface.")
    expect(refusal.first).to_be_visible()
    _shot(page, "member-refused")
    page.goto(f"{api}/admin/post/list")
    expect(page).to_have_url(f"{api}/admin/login")
    wrong = dict(people["moderator"], password=DEFAULT_PASSWORD + "x")
    _sign_in(page, api, wrong)
    expect(page.get_by_text("Invalid credentials.").first).to_be_visible()
