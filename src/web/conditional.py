"""Entity tags (RFC 9110): `If-None-Match` on the reads of single
resources (304 when nothing a client sees changed), `If-Match` on the edits
of versioned ones (412 when the edit is based on an earlier version).

A resource's tag is made from the bytes of its JSON, so it changes with
anything in the answer (counts, the caller's `favorited`) and two callers
who see different answers never share one. A versioned resource's tag also
starts with its version, `"<version>-<digest>"`: an edit is judged by the
version alone, so a new comment or favorite does not make an edit stale.
"""

from hashlib import blake2b
from typing import Annotated

from fastapi import Header, Response, status
from pydantic import BaseModel
from pydantic_core import to_json

from src.exceptions import StaleEdit

DIGEST_BYTES = 8

# Read by the route and checked there, after the body is validated: an
# invalid edit is a 422 whatever its precondition.
IfMatch = Annotated[str | None, Header(description="The `ETag` the edit is based on")]
IfNoneMatch = Annotated[
    str | None,
    Header(description="The `ETag` of the copy you hold: 304 if it is still current"),
]

# For the descriptions of reads that honour If-None-Match.
CONDITIONAL_READ = (
    "Send the `ETag` you hold as `If-None-Match` to get 304, with no body, "
    "while nothing in the answer changed."
)
# For the descriptions of routes that edit a versioned resource.
CONDITIONAL_EDIT = (
    "Send the `ETag` you read as `If-Match` to be refused with 412 if it was "
    "edited since; without it the last edit wins. Two edits at the same moment "
    "never both apply: one gets 409."
)


def etag(answer: BaseModel, version: int | None = None) -> str:
    """The strong entity tag of `answer` as it is sent (JSON, by alias),
    prefixed with the resource's `version` if it has one."""
    return tag_of(to_json(answer, by_alias=True), version)


def tag_of(body: bytes, version: int | None = None) -> str:
    """The strong entity tag of a JSON `body` (see `etag`)."""
    digest = blake2b(body, digest_size=DIGEST_BYTES).hexdigest()
    return f'"{digest}"' if version is None else f'"{version}-{digest}"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def if_match_allows(if_match: str, version: int) -> bool:
    """RFC 9110 If-Match: `*` or a list of tags, compared strongly (W/ never
    match); a tag matches if it names `version` (`"3-..."`, or `"3"` as
    tags were written before they carried a digest)."""
    if if_match.strip() == "*":
        return True
    current = f'"{version}'
    return any(
        tag == f'{current}"' or tag.startswith(f"{current}-") for tag in _tags(if_match)
    )


def still_current(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 If-None-Match: `*` or a list of tags, compared weakly (W/
    ignored)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    return tag.removeprefix("W/") in (
        t.removeprefix("W/") for t in _tags(if_none_match)
    )


def conditional(
    answer: BaseModel, if_none_match: str | None, version: int | None = None
) -> Response:
    """`answer` as JSON with its ETag, or 304 Not Modified (no body, the
    same ETag) when the client's `If-None-Match` names it. Serialized once,
    for the tag and the body both."""
    body = to_json(answer, by_alias=True)
    return answered(body, tag_of(body, version), if_none_match)


def answered(body: bytes, tag: str, if_none_match: str | None) -> Response:
    """A JSON `body` already serialized, with its `tag`, or 304 Not Modified
    when the client's `If-None-Match` names it."""
    if still_current(if_none_match, tag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    return Response(body, media_type="application/json", headers={"ETag": tag})


def check_if_match(if_match: str | None, version: int) -> None:
    """Raise `StaleEdit` (412) unless `If-Match` is absent or names `version`."""
    if if_match is not None and not if_match_allows(if_match, version):
        raise StaleEdit
