from src.comments.constants import ErrorCode
from src.exceptions import NotFound, PermissionDenied


class CommentNotFound(NotFound):
    DETAIL = ErrorCode.COMMENT_NOT_FOUND


class NotCommentAuthor(PermissionDenied):
    DETAIL = ErrorCode.NOT_COMMENT_AUTHOR
