from src.exceptions import NotFound, PermissionDenied
from src.posts.constants import ErrorCode


class PostNotFound(NotFound):
    DETAIL = ErrorCode.POST_NOT_FOUND


class NotPostCreator(PermissionDenied):
    DETAIL = ErrorCode.NOT_POST_CREATOR
