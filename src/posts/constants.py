TITLE_MAX_LENGTH = 255
POST_CONTENT_MAX_LENGTH = 50_000
SEARCH_MIN_LENGTH = 3
SEARCH_MAX_LENGTH = 200
# A search's `total` counts at most this many matches.
SEARCH_TOTAL_LIMIT = 10_000
# Escapes LIKE's wildcards in a search (as SQLAlchemy's `autoescape` does).
LIKE_ESCAPE = "/"


class ErrorCode:
    POST_NOT_FOUND = "Post not found"
    NOT_POST_CREATOR = "Only the creator of the post may do this"
