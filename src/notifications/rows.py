"""A notification as clients read it: in lists, and in the stream."""

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import ColumnElement, select

from src.auth.models import User
from src.database.reads import AnySelect
from src.notifications.constants import NotificationType
from src.notifications.models import Notification


class NotificationRow(NamedTuple):
    """A notification as a list reads it, with its actor's name."""

    id: UUID
    type: NotificationType
    post_id: UUID | None
    comment_id: UUID | None
    actor_id: UUID
    actor_username: str
    created_at: datetime
    read_at: datetime | None


def select_rows(*conditions: ColumnElement[bool]) -> AnySelect:
    """The notifications meeting `conditions`, as `NotificationRow`s."""
    return (
        select(
            Notification.id,
            Notification.type,
            Notification.post_id,
            Notification.comment_id,
            Notification.actor_id,
            User.username,
            Notification.created_at,
            Notification.read_at,
        )
        .join(User, User.id == Notification.actor_id)
        .where(*conditions)
    )
