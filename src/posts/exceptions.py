from src.exceptions import Conflict, NotFound, PermissionDenied
from src.posts.constants import ErrorCode


class PostNotFound(NotFound):
    DETAIL = ErrorCode.POST_NOT_FOUND


class NotPostCreator(PermissionDenied):
    DETAIL = ErrorCode.NOT_POST_CREATOR


class PublishedForGood(Conflict):
    """A published post was asked to become a draft again."""

    DETAIL = ErrorCode.PUBLISHED_FOR_GOOD
