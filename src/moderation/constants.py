from enum import StrEnum

AUDIT_REASON_MAX_LENGTH = 500


class AuditAction(StrEnum):
    """What a moderator or an admin did, as the audit log names it."""

    POST_HIDDEN = "post_hidden"
    POST_SHOWN = "post_shown"
    COMMENT_HIDDEN = "comment_hidden"
    COMMENT_SHOWN = "comment_shown"
    POST_DELETED = "post_deleted"
    COMMENT_DELETED = "comment_deleted"
    ATTACHMENT_DELETED = "attachment_deleted"
    USER_SUSPENDED = "user_suspended"
    USER_UNSUSPENDED = "user_unsuspended"
    ROLE_CHANGED = "role_changed"
    API_KEY_REVOKED = "api_key_revoked"


class TargetType(StrEnum):
    POST = "post"
    COMMENT = "comment"
    ATTACHMENT = "attachment"
    USER = "user"
    API_KEY = "api_key"


class ErrorCode:
    MODERATOR_NOT_SUSPENDABLE = "Moderators and admins cannot be suspended"
    LAST_ADMIN = "The last admin cannot be demoted"
    DRAFT_NOT_HIDDEN = "A draft is its author's alone: there is nothing to hide"
