"""The end-of-run check finds what a test left behind (tests/leftovers.py)."""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests import leftovers

pytestmark = pytest.mark.database_independent


def test_a_process_the_run_started_is_found_until_it_ends() -> None:
    run = os.environ[leftovers.MARKER]
    process = subprocess.Popen(["sleep", "60"])  # noqa: S607
    try:
        assert any(
            line.startswith(f"{process.pid}: sleep 60")
            for line in leftovers.processes_left(run)
        )
    finally:
        process.kill()
        process.wait()

    assert not any(
        line.startswith(f"{process.pid}:") for line in leftovers.processes_left(run)
    )


def test_an_orphan_is_found_too() -> None:
    run = os.environ[leftovers.MARKER]
    # The shell starts `sleep` in the background and exits: init adopts it.
    printed = subprocess.run(
        ["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    orphan = int(printed.stdout)
    try:
        assert any(
            line.startswith(f"{orphan}:") for line in leftovers.processes_left(run)
        )
    finally:
        os.kill(orphan, 9)


def test_a_metrics_directory_left_behind_is_found() -> None:
    before = leftovers.temporary_directories()
    made = Path(tempfile.mkdtemp(prefix="publishing-api-metrics-"))
    try:
        assert leftovers.temporary_directories() - before == {str(made)}
    finally:
        made.rmdir()

    assert leftovers.temporary_directories() == before
