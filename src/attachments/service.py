"""Attachments: bytes in object storage, metadata rows in the database.

An upload is stored before its row's unit of work opens, so no transaction
waits on the object store; if the row is then not committed, the object is
removed again (after the rollback), and one left behind by a crash is found
by the clean-up.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import NamedTuple
from uuid import UUID, uuid4

import structlog
from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from src.attachments.constants import (
    ATTACHMENT_KEY_PREFIX,
    DELETE_STORED_FILES,
    SNIFF_BYTES,
)
from src.attachments.exceptions import (
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    EmptyAttachment,
)
from src.attachments.models import POST_ATTACHMENTS, Attachment
from src.attachments.utils import display_filename, sniff_content_type
from src.auth.models import User
from src.aws.client import Storage
from src.aws.schemas import Chunks
from src.database.counts import list_total
from src.database.reads import AnySelect, Readable, first_column, statement
from src.database.unit_of_work import UnitOfWork
from src.jobs import service as jobs
from src.moderation import audit
from src.moderation.constants import AuditAction, TargetType
from src.pagination import Fetched, PaginationParams, fetch_page
from src.posts.models import Post

logger = structlog.get_logger(__name__)

ORPHAN_BATCH = 500


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """An uploaded file written to storage, its row not yet recorded."""

    key: str
    filename: str
    content_type: str
    size: int


async def get_attachment(
    session: AsyncSession, *, post_id: UUID, attachment_id: UUID
) -> Attachment | None:
    """The attachment if it exists under this post, else None."""
    return await session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.post_id == post_id
        )
    )


class AttachmentRow(NamedTuple):
    """An attachment as a list reads it (what clients see of it)."""

    id: UUID
    post_id: UUID
    filename: str
    content_type: str
    size: int
    created_at: datetime


@statement("post_attachments", AttachmentRow._make)
def _post_attachments() -> AnySelect:
    return select(*(getattr(Attachment, name) for name in AttachmentRow._fields)).where(
        Attachment.post_id == bindparam("post_id")
    )


@statement("post_attachments_total", first_column)
def _post_attachments_total() -> AnySelect:
    return list_total(POST_ATTACHMENTS, bindparam("post_id"))


async def list_attachments(
    readable: Readable, *, post_id: UUID, pagination: PaginationParams
) -> Fetched[AttachmentRow]:
    """A post's attachments in upload order."""
    return await fetch_page(
        readable,
        _post_attachments,
        _post_attachments_total,
        pagination,
        order=(Attachment.created_at, Attachment.id),
        descending=False,
        parameters={"post_id": post_id},
    )


async def _head_and_rest(chunks: Chunks) -> tuple[bytes, Chunks]:
    """The first SNIFF_BYTES (or fewer, for a short file) and the stream after."""
    head = b""
    async for chunk in chunks:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    return head, chunks


async def _limited(head: bytes, rest: Chunks, max_bytes: int) -> AsyncIterator[bytes]:
    # The body limit already bounds what reached us; this is the exact limit.
    size = len(head)
    if size > max_bytes:
        raise AttachmentTooLarge(max_bytes)
    yield head
    async for chunk in rest:
        size += len(chunk)
        if size > max_bytes:
            raise AttachmentTooLarge(max_bytes)
        yield chunk


async def store_upload(
    storage: Storage,
    *,
    post_id: UUID,
    chunks: Chunks,
    filename: str | None,
    max_bytes: int,
) -> StoredUpload:
    """Write an uploaded file to storage; its type comes from its first bytes.

    Runs before any transaction: a slow store holds no database resource.
    """
    head, rest = await _head_and_rest(chunks)
    if not head:
        raise EmptyAttachment
    content_type = sniff_content_type(head[:SNIFF_BYTES])
    if content_type is None:
        raise AttachmentTypeNotAllowed
    key = f"{ATTACHMENT_KEY_PREFIX}{post_id}/{uuid4().hex}"
    size = await storage.put(
        key, _limited(head, rest, max_bytes), content_type=content_type
    )
    return StoredUpload(
        key=key,
        filename=display_filename(filename, content_type),
        content_type=content_type,
        size=size,
    )


async def record_attachment(
    uow: UnitOfWork,
    storage: Storage,
    *,
    post_id: UUID,
    creator_id: UUID,
    upload: StoredUpload,
) -> Attachment:
    """Record a stored upload on the post; the object is removed if the
    unit of work does not commit."""
    uow.after_rollback(partial(remove_stored_objects, storage, [upload.key]))
    attachment = Attachment(
        post_id=post_id,
        creator_id=creator_id,
        storage_key=upload.key,
        filename=upload.filename,
        content_type=upload.content_type,
        size=upload.size,
    )
    uow.session.add(attachment)
    await uow.session.flush()
    logger.info(
        "attachment_created",
        post_id=str(post_id),
        attachment_id=str(attachment.id),
        content_type=upload.content_type,
        size=upload.size,
    )
    return attachment


async def delete_attachment(
    uow: UnitOfWork, *, attachment: Attachment, post_creator_id: UUID, by: User
) -> None:
    """Delete the row; its stored file is deleted by a job once this commits.
    Deleted by a moderator (not the post's creator): audited."""
    await uow.session.execute(delete(Attachment).where(Attachment.id == attachment.id))
    owe_file_deletion(uow, [attachment.storage_key])
    if by.id != post_creator_id:
        await audit.record(
            uow,
            actor=by,
            action=AuditAction.ATTACHMENT_DELETED,
            target_type=TargetType.ATTACHMENT,
            target_id=attachment.id,
        )
    logger.info("attachment_deleted", attachment_id=str(attachment.id))


async def delete_attachments_of_post(uow: UnitOfWork, post_id: UUID) -> list[str]:
    """Delete the post's attachment rows; returns the storage keys to remove
    once the deletion is committed (`owe_file_deletion`).
    """
    keys = await uow.session.scalars(
        delete(Attachment)
        .where(Attachment.post_id == post_id)
        .returning(Attachment.storage_key)
        .execution_options(synchronize_session=False)
    )
    return list(keys)


async def delete_attachments_of_user(uow: UnitOfWork, user_id: UUID) -> list[str]:
    """Delete the rows of files on the user's posts and files they uploaded;
    returns the storage keys to remove once the deletion is committed
    (`owe_file_deletion`).
    """
    keys = await uow.session.scalars(
        delete(Attachment)
        .where(
            or_(
                Attachment.creator_id == user_id,
                Attachment.post_id.in_(
                    select(Post.id).where(Post.creator_id == user_id)
                ),
            )
        )
        .returning(Attachment.storage_key)
        .execution_options(synchronize_session=False)
    )
    return list(keys)


def owe_file_deletion(uow: UnitOfWork, keys: list[str]) -> None:
    """Record, in the unit of work that deletes their rows, that these
    stored files are to be deleted (by a job, after the commit)."""
    if keys:
        jobs.enqueue(uow, DELETE_STORED_FILES, {"keys": keys})


async def remove_stored_objects(storage: Storage, keys: list[str]) -> None:
    """Best effort, for an upload whose row was never written: a failure
    leaves an orphan that the clean-up removes later.
    """
    for key in keys:
        try:
            await storage.delete(key)
        except Exception as exc:
            logger.warning("attachment_object_orphaned", key=key, error=repr(exc))


async def remove_orphaned_objects(
    session: AsyncSession, storage: Storage, *, older_than: datetime
) -> int:
    """Delete stored objects no attachment row refers to; returns how many.

    Objects newer than `older_than` are left alone: their row may not be
    committed yet.
    """
    removed = 0
    batch: list[str] = []

    async def flush_batch() -> int:
        known = set(
            await session.scalars(
                select(Attachment.storage_key).where(Attachment.storage_key.in_(batch))
            )
        )
        orphans = [key for key in batch if key not in known]
        for key in orphans:
            await storage.delete(key)
            logger.info("orphaned_object_removed", key=key)
        batch.clear()
        return len(orphans)

    async for stored in storage.list_objects(ATTACHMENT_KEY_PREFIX):
        if stored.modified_at < older_than:
            batch.append(stored.key)
        if len(batch) >= ORPHAN_BATCH:
            removed += await flush_batch()
    if batch:
        removed += await flush_batch()
    return removed
