import hashlib
from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile

from src.attachments import service
from src.attachments.exceptions import AttachmentNotFound
from src.attachments.models import Attachment
from src.auth.constants import Role
from src.auth.dependencies import CurrentUser
from src.exceptions import raises
from src.idempotency.dependencies import Idempotency, KeyHeader, open_idempotency
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.posts.dependencies import VisiblePost
from src.posts.exceptions import NotPostCreator
from src.web.dependencies import ReadSession, UnitOfWorkDep, UnitsOfWorkDep

UPLOAD_HASH_CHUNK = 64 * 1024


@raises(AttachmentNotFound)
async def valid_attachment_id(
    attachment_id: UUID, post: VisiblePost, session: ReadSession
) -> Attachment:
    """The attachment, if it exists under this post (404 otherwise)."""
    attachment = await service.get_attachment(
        session, post_id=post.id, attachment_id=attachment_id
    )
    if attachment is None:
        raise AttachmentNotFound
    return attachment


ValidAttachment = Annotated[Attachment, Depends(valid_attachment_id)]


@raises(NotPostCreator)
async def valid_deletable_attachment(
    attachment: ValidAttachment, post: VisiblePost, user: CurrentUser
) -> Attachment:
    """The attachment, if the caller created the post or is a moderator."""
    if post.creator_id != user.id and not user.role.at_least(Role.MODERATOR):
        raise NotPostCreator
    return attachment


DeletableAttachment = Annotated[Attachment, Depends(valid_deletable_attachment)]


# The upload's body, for the OpenAPI document: the route reads it itself,
# after authentication, so FastAPI does not declare it.
UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    # An empty file is refused (EmptyAttachment).
                    "file": {"type": "string", "format": "binary", "minLength": 1}
                },
                "required": ["file"],
                "additionalProperties": False,
            }
        }
    },
}


async def uploaded_file(request: Request) -> AsyncIterator[UploadFile]:
    """The request's one `file` part, read only now: declare it after the
    dependencies that authenticate and authorize, so that a refused upload
    is answered before its body is read (FastAPI reads declared File bodies
    before any dependency runs).
    """
    async with request.form(max_files=1, max_fields=0) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise RequestValidationError(
                [{"type": "missing", "loc": ("body", "file"), "msg": "Field required"}]
            )
        yield file


UploadedFile = Annotated[UploadFile, Depends(uploaded_file)]


@raises(IdempotencyKeyInProgress)
async def _upload_idempotency(
    request: Request,
    units: UnitsOfWorkDep,
    uow: UnitOfWorkDep,
    user: CurrentUser,
    file: UploadedFile,
    key: KeyHeader = None,
) -> Idempotency:
    """Idempotency-Key for an upload: the same request is the same file
    name, declared type and bytes. The key is claimed and committed before
    the file is stored: no transaction is open meanwhile."""
    body = b""
    if key is not None:
        digest = hashlib.sha256()
        while chunk := await file.read(UPLOAD_HASH_CHUNK):
            digest.update(chunk)
        await file.seek(0)
        body = b"\0".join(
            [
                (file.filename or "").encode(),
                (file.content_type or "").encode(),
                digest.digest(),
            ]
        )
    return await open_idempotency(
        request, units, uow, scope=f"user:{user.id}", key=key, body=body
    )


UploadIdempotency = Annotated[Idempotency, Depends(_upload_idempotency)]
