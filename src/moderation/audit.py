"""Writing the audit log: every domain whose actions a moderator or an
admin can take records them here, in the action's own unit of work."""

from typing import Protocol
from uuid import UUID

import structlog

from src.database.unit_of_work import UnitOfWork
from src.moderation.constants import AuditAction, TargetType
from src.moderation.models import AuditEntry

logger = structlog.get_logger(__name__)


class Actor(Protocol):
    """Who acted: a user (anything with an id and a username)."""

    @property
    def id(self) -> UUID: ...

    @property
    def username(self) -> str: ...


async def record(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    action: AuditAction,
    target_type: TargetType,
    target_id: UUID,
    reason: str | None = None,
) -> None:
    """Add an entry for this action to the unit of work's transaction:
    committed with the action, or lost with it. `actor` None is an
    operator's command."""
    uow.session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            actor_username=actor.username if actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            reason=reason,
        )
    )
    await uow.session.flush()
    logger.info(
        "audited",
        action=action.value,
        target_id=str(target_id),
        actor_id=str(actor.id) if actor else None,
    )
