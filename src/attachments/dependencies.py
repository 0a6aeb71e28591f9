from typing import Annotated
from uuid import UUID

from fastapi import Depends

from src.attachments import service
from src.attachments.exceptions import AttachmentNotFound
from src.attachments.models import Attachment
from src.auth.dependencies import CurrentUser
from src.database.session import ReadSession
from src.posts.dependencies import ValidPost
from src.posts.exceptions import NotPostCreator


async def valid_attachment_id(
    attachment_id: UUID, post: ValidPost, session: ReadSession
) -> Attachment:
    """The attachment, if it exists under this post (404 otherwise)."""
    attachment = await service.get_attachment(
        session, post_id=post.id, attachment_id=attachment_id
    )
    if attachment is None:
        raise AttachmentNotFound
    return attachment


ValidAttachment = Annotated[Attachment, Depends(valid_attachment_id)]


async def valid_deletable_attachment(
    attachment: ValidAttachment, post: ValidPost, user: CurrentUser
) -> Attachment:
    """The attachment, if the caller created the post or is a superuser."""
    if post.creator_id != user.id and not user.is_superuser:
        raise NotPostCreator
    return attachment


DeletableAttachment = Annotated[Attachment, Depends(valid_deletable_attachment)]
