from typing import Annotated
from uuid import UUID

from fastapi import Depends

from src.auth.dependencies import CurrentUser
from src.exceptions import raises
from src.notifications import service
from src.notifications.exceptions import NotificationNotFound
from src.notifications.models import Notification
from src.web.dependencies import ReadSession


@raises(NotificationNotFound)
async def valid_owned_notification(
    notification_id: UUID, user: CurrentUser, session: ReadSession
) -> Notification:
    """The caller's notification; someone else's is a 404, not a 403."""
    notification = await service.get_notification(
        session, notification_id=notification_id, user_id=user.id
    )
    if notification is None:
        raise NotificationNotFound
    return notification


OwnedNotification = Annotated[Notification, Depends(valid_owned_notification)]
