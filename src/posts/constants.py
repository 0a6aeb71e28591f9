from enum import StrEnum

TITLE_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 500
SLUG_MAX_LENGTH = 80
POST_CONTENT_MAX_LENGTH = 50_000
SEARCH_MIN_LENGTH = 3
SEARCH_MAX_LENGTH = 200
# A search's `total` counts at most this many matches.
SEARCH_TOTAL_LIMIT = 10_000
# Escapes LIKE's wildcards in a search (as SQLAlchemy's `autoescape` does).
LIKE_ESCAPE = "/"


class PostStatus(StrEnum):
    """Where a post stands. A writer chooses draft or published; `hidden`
    is a published post a moderator hid: out of every list, and seen by its
    author and moderators only (src/moderation)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    HIDDEN = "hidden"


class ErrorCode:
    POST_NOT_FOUND = "Post not found"
    NOT_POST_CREATOR = "Only the creator of the post may do this"
    HIDDEN_BY_MODERATORS = "Only a moderator hides a post"
    PUBLISHED_FOR_GOOD = "A published post cannot go back to draft (hide it instead)"
