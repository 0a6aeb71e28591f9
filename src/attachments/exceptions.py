from src.attachments.constants import ErrorCode
from src.exceptions import (
    NotFound,
    PayloadTooLarge,
    UnprocessableContent,
    UnsupportedMediaType,
)


class AttachmentNotFound(NotFound):
    DETAIL = ErrorCode.ATTACHMENT_NOT_FOUND


class AttachmentTooLarge(PayloadTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(ErrorCode.ATTACHMENT_TOO_LARGE.format(limit=limit))


class EmptyAttachment(UnprocessableContent):
    DETAIL = ErrorCode.ATTACHMENT_EMPTY


class AttachmentTypeNotAllowed(UnsupportedMediaType):
    DETAIL = ErrorCode.ATTACHMENT_TYPE
