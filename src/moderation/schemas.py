from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from src.auth.constants import Role
from src.moderation.constants import AUDIT_REASON_MAX_LENGTH, AuditAction, TargetType
from src.schemas import CustomModel, RequestModel, UTCDatetime, example

type Reason = Annotated[
    str, StringConstraints(min_length=1, max_length=AUDIT_REASON_MAX_LENGTH)
]


class ModerationNote(RequestModel):
    """Why: kept in the audit log (and, for a suspension, on the account)."""

    model_config = example(reason="Spam")

    reason: Reason | None = None


class RoleChange(RequestModel):
    model_config = example(role="moderator")

    role: Role


class AuditActor(CustomModel):
    """Who acted; null for an operator's command line."""

    id: UUID | None
    username: str | None


class AuditEntryResponse(CustomModel):
    id: UUID
    actor: AuditActor | None
    action: AuditAction
    target_type: TargetType
    target_id: UUID
    reason: str | None
    created_at: UTCDatetime


class AdminUserResponse(CustomModel):
    """A user as admins see them."""

    id: UUID
    username: str
    email: str
    role: Role
    is_superuser: bool = Field(description="Whether they are an admin")
    email_verified: bool
    suspended_at: UTCDatetime | None
    suspension_reason: str | None
    created_at: UTCDatetime


def audit_entry_response(
    entry_id: UUID,
    actor_id: UUID | None,
    actor_username: str | None,
    action: AuditAction,
    target_type: TargetType,
    target_id: UUID,
    reason: str | None,
    created_at: datetime,
) -> AuditEntryResponse:
    """An entry as the API shows it (its actor may be gone: a name kept)."""
    actor = (
        AuditActor(id=actor_id, username=actor_username)
        if actor_id is not None or actor_username is not None
        else None
    )
    return AuditEntryResponse(
        id=entry_id,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        created_at=created_at,
    )
