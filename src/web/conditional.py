"""Entity tags and `If-Match` (RFC 9110) for versioned resources."""

from typing import Annotated

from fastapi import Header

from src.exceptions import StaleEdit

# Read by the route and checked there, after the body is validated: an
# invalid edit is a 422 whatever its precondition.
IfMatch = Annotated[str | None, Header(description="The `ETag` the edit is based on")]

# For the descriptions of routes that edit a versioned resource.
CONDITIONAL_EDIT = (
    "Send the `ETag` you read as `If-Match` to be refused with 412 if it was "
    "edited since; without it the last edit wins. Two edits at the same moment "
    "never both apply: one gets 409."
)


def etag(version: int) -> str:
    """The strong entity tag of a post or comment at `version`.

    It changes with every edit of the editable fields; `comments_count`, which
    others change, is left out, so an edit is not refused for a new comment.
    """
    return f'"{version}"'


def if_match_allows(if_match: str, version: int) -> bool:
    """RFC 9110 If-Match: `*` or a list of tags, compared strongly (W/ never match)."""
    if if_match.strip() == "*":
        return True
    return etag(version) in (tag.strip() for tag in if_match.split(","))


def check_if_match(if_match: str | None, version: int) -> None:
    """Raise `StaleEdit` (412) unless `If-Match` is absent or names `version`."""
    if if_match is not None and not if_match_allows(if_match, version):
        raise StaleEdit
