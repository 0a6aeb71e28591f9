"""What a test run must not leave behind: processes it started (the API,
its workers, job workers) and temporary directories of the app's own.

Every process the run starts inherits a marker in its environment, so one
left running is found even after its parent died and it was handed to
init. The check runs when the session ends and fails the run."""

import os
import tempfile
import uuid
from pathlib import Path

MARKER = "PUBLISHING_API_TEST_RUN"
# Temporary directories the app and the test helpers make.
TEMP_PREFIXES = ("publishing-api-metrics-", "served-files-")


def mark_this_run() -> str:
    """Give this process (and so every process it starts) the run's marker."""
    return os.environ.setdefault(MARKER, uuid.uuid4().hex)


def processes_left(run: str) -> list[str]:
    """The command lines of live processes that carry the run's marker,
    this one and its own ancestors aside."""
    needle = f"{MARKER}={run}".encode()
    ours = {os.getpid(), os.getppid()}
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in ours:
            continue
        try:
            if b"State:\tZ" in (entry / "status").read_bytes():
                continue  # a zombie: ended, not yet reaped
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        left.append(f"{entry.name}: {command.decode(errors='replace').strip()}")
    return left


def temporary_directories() -> set[str]:
    """The app's temporary directories that exist now."""
    root = Path(tempfile.gettempdir())
    return {str(path) for prefix in TEMP_PREFIXES for path in root.glob(f"{prefix}*")}
