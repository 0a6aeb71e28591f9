from typing import Annotated
from uuid import UUID

from pydantic import Field

from src.auth.schemas import UserSummary
from src.comments.constants import COMMENT_CONTENT_MAX_LENGTH
from src.schemas import CustomModel, RequestModel, UTCDatetime, example

type CommentContent = Annotated[
    str, Field(min_length=1, max_length=COMMENT_CONTENT_MAX_LENGTH)
]


class CommentCreate(RequestModel):
    model_config = example(content="Well said.")

    content: CommentContent


class CommentUpdate(RequestModel):
    model_config = example(content="Well said, and well argued.")

    content: CommentContent


class CommentResponse(CustomModel):
    id: UUID
    post_id: UUID
    content: str
    creator_id: UUID
    creator: UserSummary
    created_at: UTCDatetime
    updated_at: UTCDatetime | None
    hidden: bool = Field(
        description="A moderator hid it: only you and moderators see it"
    )
