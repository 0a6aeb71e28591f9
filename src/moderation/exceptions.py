from src.exceptions import Conflict, PermissionDenied
from src.moderation.constants import ErrorCode


class NotSuspendable(PermissionDenied):
    DETAIL = ErrorCode.MODERATOR_NOT_SUSPENDABLE


class LastAdmin(Conflict):
    DETAIL = ErrorCode.LAST_ADMIN


class DraftNotHidden(Conflict):
    DETAIL = ErrorCode.DRAFT_NOT_HIDDEN
