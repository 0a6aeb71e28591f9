from src.auth.schemas import UserSummary
from src.notifications.rows import NotificationRow
from src.notifications.schemas import NotificationResponse


def notification_response(row: NotificationRow) -> NotificationResponse:
    """The one mapping of a notification's row to what clients get."""
    return NotificationResponse(
        id=row.id,
        type=row.type,
        post_id=row.post_id,
        comment_id=row.comment_id,
        actor=UserSummary(id=row.actor_id, username=row.actor_username),
        created_at=row.created_at,
        read_at=row.read_at,
    )
