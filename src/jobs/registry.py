"""What each job name runs. Domain modules declare their jobs with `@job`;
`src.jobs.tasks` imports them, so that every process that runs jobs knows
every job.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from src.aws.client import Storage
from src.config import Settings
from src.database.session import UnitOfWorkFactory
from src.jobs.service import ClaimedJob


@dataclass(slots=True)
class JobContext:
    """What a job may use: settings, its own units of work, the file store."""

    settings: Settings
    units_of_work: UnitOfWorkFactory
    storage: Storage
    # Jobs this process is running (for handing them back when it stops).
    running: dict[UUID, tuple[ClaimedJob, "asyncio.Task[Any] | None"]] = field(
        default_factory=dict
    )


type Handler = Callable[[JobContext, dict[str, Any], UUID], Awaitable[None]]

HANDLERS: dict[str, Handler] = {}


def job(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated coroutine as job `name`. It gets the context,
    the payload it was enqueued with, and the job's id (a key for making
    its effect happen once); it raises to have the job retried.
    """

    def register(handler: Handler) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"job {name!r} is declared twice")
        HANDLERS[name] = handler
        return handler

    return register
