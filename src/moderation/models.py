from uuid import UUID

from sqlalchemy import Enum, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import Base
from src.models import CreatedAt, UUIDPrimaryKey
from src.moderation.constants import AUDIT_REASON_MAX_LENGTH, AuditAction, TargetType


class AuditEntry(UUIDPrimaryKey, CreatedAt, Base):
    """What a moderator, an admin or an operator did, written in the same
    transaction as the action. No route changes or deletes an entry.

    The target is not a foreign key: the entry outlives what it names (a
    deleted post). The actor's name is copied for the same reason; the
    actor is null for an operator's command.
    """

    __tablename__ = "audit_entry"

    actor_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("auth_user.id", ondelete="SET NULL"), index=True
    )
    actor_username: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[AuditAction] = mapped_column(
        Enum(
            AuditAction,
            native_enum=False,
            length=32,
            values_callable=lambda actions: [a.value for a in actions],
        )
    )
    target_type: Mapped[TargetType] = mapped_column(
        Enum(
            TargetType,
            native_enum=False,
            length=16,
            values_callable=lambda types: [t.value for t in types],
        )
    )
    target_id: Mapped[UUID] = mapped_column(Uuid)
    reason: Mapped[str | None] = mapped_column(String(AUDIT_REASON_MAX_LENGTH))

    __table_args__ = (
        # Newest first, the whole log or one target's history.
        Index("audit_entry_created_at_idx", "created_at", "id"),
        Index("audit_entry_target_id_idx", "target_id", "created_at"),
    )
