"""The end-of-run check finds what a test left behind (tests/leftovers.py)."""

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import leftovers

pytestmark = pytest.mark.database_independent


def test_a_process_the_run_started_is_found_until_it_ends() -> None:
    run = os.environ[leftovers.MARKER]
    # Popen returns before the kernel has published the new program's
    # command line; the child says when it runs, so the check never races.
    with subprocess.Popen(
        [sys.executable, "-c", "import time; print(flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
    ) as process:
        try:
            assert process.stdout is not None
            process.stdout.readline()
            assert any(
                line.startswith(f"{process.pid}: {sys.executable} -c import time")
                for line in leftovers.processes_left(run)
            )
        finally:
            process.kill()

    assert not any(
        line.startswith(f"{process.pid}:") for line in leftovers.processes_left(run)
    )


def test_an_orphan_is_found_too() -> None:
    run = os.environ[leftovers.MARKER]
    # The shell starts a child in the background and exits: init adopts it.
    # The child prints its pid once it runs, so its environment is readable.
    program = "import os, time; print(os.getpid(), flush=True); time.sleep(60)"
    with subprocess.Popen(  # noqa: S603
        ["sh", "-c", f"{shlex.join([sys.executable, '-c', program])} &"],  # noqa: S607
        stdout=subprocess.PIPE,
    ) as shell:
        assert shell.stdout is not None
        orphan = int(shell.stdout.readline())
        shell.wait()
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
