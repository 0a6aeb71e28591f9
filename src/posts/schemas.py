from typing import Annotated
from uuid import UUID

from pydantic import MISSING, AfterValidator, Field, StringConstraints, WithJsonSchema

from src.auth.schemas import UserSummary
from src.posts.constants import (
    DESCRIPTION_MAX_LENGTH,
    POST_CONTENT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ErrorCode,
    PostStatus,
)
from src.schemas import (
    NON_BLANK_PATTERN,
    SINGLE_LINE_SCHEMA,
    CustomModel,
    RequestModel,
    UTCDatetime,
    example,
    single_line,
)
from src.tags.schemas import TagList

type Title = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=TITLE_MAX_LENGTH, pattern=NON_BLANK_PATTERN
    ),
    AfterValidator(single_line),
    Field(json_schema_extra=SINGLE_LINE_SCHEMA),
]
type PostContent = Annotated[
    str, Field(min_length=1, max_length=POST_CONTENT_MAX_LENGTH)
]
type Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)]


def _chosen_by_writers(status: PostStatus) -> PostStatus:
    if status is PostStatus.HIDDEN:
        raise ValueError(ErrorCode.HIDDEN_BY_MODERATORS)
    return status


# What a writer may set: draft or published (hiding is moderators' work).
type WrittenStatus = Annotated[
    PostStatus,
    AfterValidator(_chosen_by_writers),
    WithJsonSchema({"type": "string", "enum": ["draft", "published"]}),
]


class PostCreate(RequestModel):
    model_config = example(
        title="Hello, world",
        description="What this blog will be about",
        content="My first post.",
        tags=["introductions"],
    )

    title: Title
    content: PostContent
    description: Description = ""
    tags: TagList = Field(default_factory=list)
    status: WrittenStatus = Field(
        default=PostStatus.PUBLISHED,
        description="`draft` keeps it to yourself until you publish it",
    )


class PostUpdate(RequestModel):
    """Fields absent from the body are left as they are; `tags` replaces
    the list; `status: published` publishes a draft."""

    model_config = example(title="Hello again, world")

    # Optional, but not nullable: an explicit null is refused, and the schema
    # says "string".
    title: Title | MISSING = MISSING
    content: PostContent | MISSING = MISSING
    description: Description | MISSING = MISSING
    tags: TagList | MISSING = MISSING
    status: WrittenStatus | MISSING = MISSING


class PostResponse(CustomModel):
    id: UUID
    slug: str
    title: str
    description: str
    content: str
    tags: list[str]
    status: PostStatus = Field(
        description="`hidden`: a moderator hid it; only you and moderators see it"
    )
    creator_id: UUID
    creator: UserSummary
    comments_count: int
    favorites_count: int
    favorited: bool = Field(description="Whether you favorited it (false anonymously)")
    created_at: UTCDatetime
    updated_at: UTCDatetime | None
    published_at: UTCDatetime | None
