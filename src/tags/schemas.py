import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from src.schemas import CustomModel
from src.tags.constants import TAG_MAX_LENGTH, TAGS_PER_POST, ErrorCode

# A tag as sent: ASCII letters, digits and '-', words separated by runs of
# spaces, spaces around; at most TAG_MAX_LENGTH characters. Published as is,
# so that generated clients and the server agree on what is a tag.
TAG_INPUT_PATTERN = r"^ *[A-Za-z0-9-]+( +[A-Za-z0-9-]+)* *$"
_TAG_INPUT = re.compile(TAG_INPUT_PATTERN)
_SPACES = re.compile(" +")


def normalize_tag(value: object) -> object:
    """Trimmed, lowercased, runs of spaces made `-`, once checked."""
    if not isinstance(value, str):
        return value
    if len(value) > TAG_MAX_LENGTH or not _TAG_INPUT.match(value):
        raise ValueError(ErrorCode.INVALID_TAG)
    return _SPACES.sub("-", value.strip(" ").lower())


def _dedupe(tags: list[str]) -> list[str]:
    # The first of each, in the order given.
    return list(dict.fromkeys(tags))


type TagName = Annotated[
    str,
    BeforeValidator(normalize_tag),
    Field(
        examples=["python"],
        description="Up to 32 letters, digits, '-' and spaces; trimmed, "
        "lowercased, and its runs of spaces made `-`",
        json_schema_extra={
            "minLength": 1,
            "maxLength": TAG_MAX_LENGTH,
            "pattern": TAG_INPUT_PATTERN,
        },
    ),
]
type TagList = Annotated[
    list[TagName],
    Field(max_length=TAGS_PER_POST, examples=[["python", "fastapi"]]),
    AfterValidator(_dedupe),
]


class TagResponse(CustomModel):
    name: str
    posts_count: int
