from src.exceptions import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    PreconditionFailed,
    UnprocessableContent,
    UnsupportedMediaType,
)
from src.posts.constants import ErrorCode


class PostNotFound(NotFound):
    DETAIL = ErrorCode.POST_NOT_FOUND


class CommentNotFound(NotFound):
    DETAIL = ErrorCode.COMMENT_NOT_FOUND


class NotPostCreator(PermissionDenied):
    DETAIL = ErrorCode.NOT_POST_CREATOR


class NotCommentAuthor(PermissionDenied):
    DETAIL = ErrorCode.NOT_COMMENT_AUTHOR


class AttachmentNotFound(NotFound):
    DETAIL = ErrorCode.ATTACHMENT_NOT_FOUND


class AttachmentTooLarge(PayloadTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(ErrorCode.ATTACHMENT_TOO_LARGE.format(limit=limit))


class EmptyAttachment(UnprocessableContent):
    DETAIL = ErrorCode.ATTACHMENT_EMPTY


class AttachmentTypeNotAllowed(UnsupportedMediaType):
    DETAIL = ErrorCode.ATTACHMENT_TYPE


class StaleEdit(PreconditionFailed):
    DETAIL = ErrorCode.STALE_EDIT


class ConcurrentEdit(Conflict):
    DETAIL = ErrorCode.CONCURRENT_EDIT
