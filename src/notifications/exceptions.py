from src.exceptions import NotFound
from src.notifications.constants import ErrorCode


class NotificationNotFound(NotFound):
    DETAIL = ErrorCode.NOTIFICATION_NOT_FOUND
