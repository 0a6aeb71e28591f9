from uuid import UUID

from pydantic import Field

from src.auth.schemas import UserSummary
from src.notifications.constants import NotificationType
from src.schemas import CustomModel, UTCDatetime


class NotificationResponse(CustomModel):
    id: UUID
    type: NotificationType
    post_id: UUID | None = Field(description="Null where it does not apply")
    comment_id: UUID | None = Field(description="Null where it does not apply")
    actor: UserSummary
    created_at: UTCDatetime
    read_at: UTCDatetime | None


class StreamTicketResponse(CustomModel):
    ticket: str = Field(
        description="Open the stream with `GET /notifications/stream?ticket=...` "
        "once, before `expires_at`"
    )
    expires_at: UTCDatetime
