from enum import StrEnum


class NotificationType(StrEnum):
    COMMENT_CREATED = "comment_created"


class ErrorCode:
    NOTIFICATION_NOT_FOUND = "Notification not found"
