from uuid import UUID

from src.auth.schemas import UserSummary
from src.notifications.constants import NotificationType
from src.schemas import CustomModel, UTCDatetime


class NotificationResponse(CustomModel):
    id: UUID
    type: NotificationType
    post_id: UUID
    comment_id: UUID
    actor: UserSummary
    created_at: UTCDatetime
    read_at: UTCDatetime | None
