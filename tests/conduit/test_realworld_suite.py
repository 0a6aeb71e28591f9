"""The RealWorld project's own API test suite (its Postman collection, run
by newman) against the API served as in production, on the database of the
run. It lives outside the project (the shared conformance directory); the
test skips, saying so, where it or Node's `npx` is absent."""

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils import running_server

pytestmark = pytest.mark.slow

# Beside the repository, unless REALWORLD_CONFORMANCE_DIR says where.
SUITE = Path(
    os.environ.get("REALWORLD_CONFORMANCE_DIR")
    or Path(__file__).resolve().parents[3] / "shared" / "conformance" / "realworld"
)
RUN = SUITE / "run.sh"
SUITE_TIMEOUT_SECONDS = 600


@pytest.fixture(scope="module")
def api(committed_module_database: str) -> Iterator[str]:
    with running_server(committed_module_database) as (_, base_url):
        yield base_url


def _run_suite(url: str) -> subprocess.CompletedProcess[str]:
    # Its own process group: newman's node children end with it.
    process = subprocess.Popen(  # noqa: S603
        ["bash", str(RUN), url, "--reporters", "cli", "--color", "off"],  # noqa: S607
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=SUITE_TIMEOUT_SECONDS)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, output, "")


def test_the_realworld_suite_passes_twice(api: str) -> None:
    if not RUN.is_file():
        pytest.skip(f"the RealWorld suite is not here ({RUN})")
    if shutil.which("npx") is None:
        pytest.skip("the RealWorld suite needs Node's npx (apt-get install nodejs npm)")

    # Twice: each run registers new users, and the second finds the data
    # of the first (articles by others, a tag in use) in its lists.
    for _ in range(2):
        result = _run_suite(f"{api}/api")

        assert result.returncode == 0, result.stdout[-6000:]
        assert "AssertionError" not in result.stdout
