from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from src.database.base import Base
from src.database.counts import counted_list
from src.models import CreatedAt, UUIDPrimaryKey
from src.notifications.constants import NotificationType

if TYPE_CHECKING:
    from src.auth.models import User


class Notification(UUIDPrimaryKey, CreatedAt, Base):
    """Something that happened to a user's content, shown to that user.

    Every reference cascades: the notification goes when its recipient, its
    actor, its post or its comment does.
    """

    __tablename__ = "notification"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE")
    )
    actor_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[NotificationType] = mapped_column(
        Enum(
            NotificationType,
            native_enum=False,
            length=32,
            values_callable=lambda types: [t.value for t in types],
        )
    )
    # Null where they do not apply (someone followed you).
    post_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("post_comment.id", ondelete="CASCADE"), index=True
    )
    read_at: Mapped[datetime | None] = mapped_column(default=None)

    actor: Mapped["User"] = relationship(foreign_keys=[actor_id], lazy="raise")

    __table_args__ = (
        # A user's notifications, newest first.
        Index("notification_user_id_created_at_idx", "user_id", "created_at", "id"),
    )


# A user's notifications, and those of them still unread: marking one read
# moves it out of the second list.
NOTIFICATIONS = counted_list(
    "notifications", table="notification", owner="user_id", owner_table="auth_user"
)
UNREAD_NOTIFICATIONS = counted_list(
    "unread_notifications",
    table="notification",
    owner="user_id",
    owner_table="auth_user",
    where="{row}.read_at IS NULL",
    moved_by=("read_at",),
)


class StreamTicket(UUIDPrimaryKey, CreatedAt, Base):
    """A single-use ticket that opens its user's notification stream:
    browsers' `EventSource` cannot send an Authorization header, and an
    access token in a URL would end up in logs. Only its hash is kept."""

    __tablename__ = "notification_stream_ticket"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
