from typing import Annotated
from uuid import UUID

from pydantic import Field

from src.auth.schemas import UserSummary
from src.comments.constants import COMMENT_CONTENT_MAX_LENGTH
from src.schemas import CustomModel, RequestModel, UTCDatetime

type CommentContent = Annotated[
    str, Field(min_length=1, max_length=COMMENT_CONTENT_MAX_LENGTH)
]


class CommentCreate(RequestModel):
    content: CommentContent


class CommentUpdate(RequestModel):
    content: CommentContent


class CommentResponse(CustomModel):
    id: UUID
    post_id: UUID
    content: str
    creator_id: UUID
    creator: UserSummary
    created_at: UTCDatetime
    updated_at: UTCDatetime | None
