COMMENT_CONTENT_MAX_LENGTH = 10_000


class ErrorCode:
    COMMENT_NOT_FOUND = "Comment not found"
    NOT_COMMENT_AUTHOR = "Only the author of the comment may do this"
