from enum import StrEnum


class NotificationType(StrEnum):
    COMMENT_CREATED = "comment_created"
    USER_FOLLOWED = "user_followed"
    POST_FAVORITED = "post_favorited"


class ErrorCode:
    NOTIFICATION_NOT_FOUND = "Notification not found"
    INVALID_STREAM_TICKET = "Invalid, spent or expired stream ticket"


# The stream's event for a new notification.
NOTIFICATION_EVENT = "notification"
