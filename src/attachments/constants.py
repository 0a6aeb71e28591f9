# Types decided from the file's first bytes; nothing else is accepted.
ALLOWED_CONTENT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
)
TEXT_CONTENT_TYPE = "text/plain"
SNIFF_BYTES = 8192
FILENAME_MAX_LENGTH = 255
# Stored objects' keys: `attachments/<post id>/<random hex>`.
ATTACHMENT_KEY_PREFIX = "attachments/"


class ErrorCode:
    ATTACHMENT_NOT_FOUND = "Attachment not found"
    ATTACHMENT_TOO_LARGE = "The file is larger than {limit} bytes"
    ATTACHMENT_EMPTY = "The file is empty"
    ATTACHMENT_TYPE = (
        "Only PNG, JPEG, GIF, WebP, PDF and plain text files may be attached"
    )


# The job that deletes stored files after their rows (src/attachments/jobs.py).
DELETE_STORED_FILES = "delete_stored_files"
