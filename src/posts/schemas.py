from typing import Annotated
from uuid import UUID

from pydantic import MISSING, Field, StringConstraints

from src.auth.schemas import UserSummary
from src.posts.constants import POST_CONTENT_MAX_LENGTH, TITLE_MAX_LENGTH
from src.schemas import (
    NON_BLANK_PATTERN,
    CustomModel,
    RequestModel,
    UTCDatetime,
    example,
)

type Title = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=TITLE_MAX_LENGTH, pattern=NON_BLANK_PATTERN
    ),
]
type PostContent = Annotated[
    str, Field(min_length=1, max_length=POST_CONTENT_MAX_LENGTH)
]


class PostCreate(RequestModel):
    model_config = example(title="Hello, world", content="My first post.")

    title: Title
    content: PostContent


class PostUpdate(RequestModel):
    """Fields absent from the body are left as they are."""

    model_config = example(title="Hello again, world")

    # Optional, but not nullable: an explicit null is refused, and the schema
    # says "string".
    title: Title | MISSING = MISSING
    content: PostContent | MISSING = MISSING


class PostResponse(CustomModel):
    id: UUID
    title: str
    content: str
    creator_id: UUID
    creator: UserSummary
    comments_count: int
    created_at: UTCDatetime
    updated_at: UTCDatetime | None
