from fastapi.exceptions import RequestValidationError

from src.attachments.constants import ErrorCode
from src.exceptions import (
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)


class AttachmentNotFound(NotFound):
    DETAIL = ErrorCode.ATTACHMENT_NOT_FOUND


class AttachmentTooLarge(PayloadTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(ErrorCode.ATTACHMENT_TOO_LARGE.format(limit=limit))


class EmptyAttachment(RequestValidationError):  # noqa: N818 (named as its siblings)
    """An empty `file`: a 422 shaped like any invalid field (one 422 shape)."""

    def __init__(self) -> None:
        super().__init__(
            [
                {
                    "type": "empty_file",
                    "loc": ("body", "file"),
                    "msg": ErrorCode.ATTACHMENT_EMPTY,
                }
            ]
        )


class AttachmentTypeNotAllowed(UnsupportedMediaType):
    DETAIL = ErrorCode.ATTACHMENT_TYPE
