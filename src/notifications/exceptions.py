from src.exceptions import NotAuthenticated, NotFound
from src.notifications.constants import ErrorCode


class NotificationNotFound(NotFound):
    DETAIL = ErrorCode.NOTIFICATION_NOT_FOUND


class InvalidStreamTicket(NotAuthenticated):
    DETAIL = ErrorCode.INVALID_STREAM_TICKET
