import os
import shutil
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, sync_playwright

# The outcome of a test's call phase, for fixtures that act on failure
# (a screenshot) when they tear down.
CALL_FAILED = pytest.StashKey[bool]()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Debian's package; nothing downloads a browser.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root in a container
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@contextmanager
def browser_page(
    request: pytest.FixtureRequest, *allowed: str
) -> Generator[tuple[Page, list[str]]]:
    """A fresh Chromium page that may reach URLs starting with `allowed`
    and nothing else, and the list of what it was refused. If the test
    failed, a screenshot of the page goes to `test-artifacts/`."""
    assert CHROMIUM, "Chromium is needed: apt-get install chromium"
    refused: list[str] = []

    def only_allowed(route: Route) -> None:
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        page = browser.new_context(accept_downloads=True).new_page()
        page.set_default_timeout(15_000)
        page.route("**/*", only_allowed)
        yield page, refused
        if request.node.stash.get(CALL_FAILED, True):
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / f"{request.node.name}.png"
            page.screenshot(path=shot, full_page=True)
            print(f"screenshot of the failed page: {shot}")  # noqa: T201
        browser.close()
