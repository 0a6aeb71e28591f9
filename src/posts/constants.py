TITLE_MAX_LENGTH = 255
POST_CONTENT_MAX_LENGTH = 50_000
COMMENT_CONTENT_MAX_LENGTH = 10_000
SEARCH_MAX_LENGTH = 200

# Types decided from the file's first bytes; nothing else is accepted.
ALLOWED_CONTENT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
)
TEXT_CONTENT_TYPE = "text/plain"
SNIFF_BYTES = 8192
FILENAME_MAX_LENGTH = 255
ATTACHMENT_KEY_PREFIX = "attachments/"


class ErrorCode:
    POST_NOT_FOUND = "Post not found"
    COMMENT_NOT_FOUND = "Comment not found"
    NOT_POST_CREATOR = "Only the creator of the post may do this"
    NOT_COMMENT_AUTHOR = "Only the author of the comment may do this"
    ATTACHMENT_NOT_FOUND = "Attachment not found"
    STALE_EDIT = "Changed since you read it (If-Match); fetch it again and retry"
    CONCURRENT_EDIT = "Changed by another edit at the same time; fetch it and retry"
    ATTACHMENT_TOO_LARGE = "The file is larger than {limit} bytes"
    ATTACHMENT_EMPTY = "The file is empty"
    ATTACHMENT_TYPE = (
        "Only PNG, JPEG, GIF, WebP, PDF and plain text files may be attached"
    )
