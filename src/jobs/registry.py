"""What a process that runs jobs knows: each job's handler and the steps of
the periodic clean-up, registered by the domains when the process starts
(src/domains.py), and what a running job may use.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from src.aws.client import Storage
from src.config import Settings
from src.database.unit_of_work import UnitsOfWork
from src.jobs.service import ClaimedJob

type Handler = Callable[["JobContext", dict[str, Any], UUID], Awaitable[None]]
# A clean-up step: removes what nothing else removes in time, leaving alone
# what is younger than the grace (it may be in flight); returns how many.
type CleanupStep = Callable[["JobContext", timedelta], Awaitable[int]]


class JobRegistry:
    """Job handlers by name, and the clean-up's steps in the order they run."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.cleanup_steps: dict[str, CleanupStep] = {}

    def job(self, name: str, handler: Handler) -> None:
        """Run `handler` for job `name`. It gets the context, the payload
        the job was enqueued with and the job's id (a key for making its
        effect happen once); it raises to have the job retried.
        """
        if name in self.handlers:
            raise ValueError(f"job {name!r} is declared twice")
        self.handlers[name] = handler

    def cleanup(self, what: str, step: CleanupStep) -> None:
        """Run `step` in every clean-up; `what` names what it removes."""
        if what in self.cleanup_steps:
            raise ValueError(f"clean-up step {what!r} is declared twice")
        self.cleanup_steps[what] = step


@dataclass(slots=True)
class JobContext:
    """What a job may use: settings, its own units of work, the file store."""

    settings: Settings
    units_of_work: UnitsOfWork
    storage: Storage
    registry: JobRegistry
    # Jobs this process is running (for handing them back when it stops).
    running: dict[UUID, tuple[ClaimedJob, "asyncio.Task[Any] | None"]] = field(
        default_factory=dict
    )
