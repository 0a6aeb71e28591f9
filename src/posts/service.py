from datetime import datetime
from functools import cache
from typing import NamedTuple
from uuid import UUID, uuid4

import structlog
from fastapi import UploadFile
from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from src.auth.models import User
from src.auth.schemas import UserSummary
from src.aws.client import Chunks, Storage
from src.database import ReadBind, fetch_one
from src.notifications import service as notification_service
from src.pagination import PaginationParams, fetch_page
from src.posts.constants import ATTACHMENT_KEY_PREFIX, SNIFF_BYTES
from src.posts.exceptions import (
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    ConcurrentEdit,
    EmptyAttachment,
)
from src.posts.models import Post, PostAttachment, PostComment
from src.posts.schemas import (
    CommentCreate,
    CommentUpdate,
    PostCreate,
    PostResponse,
    PostUpdate,
)
from src.posts.utils import display_filename, sniff_content_type

logger = structlog.get_logger(__name__)

CHUNK_BYTES = 256 * 1024
ORPHAN_BATCH = 500


@cache
def _post_by_id() -> Select[Post]:
    # Built once: SQLAlchemy then reuses the compiled SQL without rebuilding
    # the statement or its cache key on every request (the hot path).
    return (
        select(Post)
        .where(Post.id == bindparam("post_id"))
        .options(joinedload(Post.creator))
    )


async def get_post(session: AsyncSession, post_id: UUID) -> Post | None:
    """The post with its creator and comment count, or None."""
    return await session.scalar(_post_by_id(), {"post_id": post_id})


type PostViewRow = Select[
    UUID, str, str, UUID, str, int, datetime, datetime | None, int
]


class PostView(NamedTuple):
    post: PostResponse
    version: int


@cache
def _post_view() -> PostViewRow:
    return (
        select(
            Post.id,
            Post.title,
            Post.content,
            Post.creator_id,
            User.username.label("creator_username"),
            Post.comments_count.label("comments_count"),
            Post.created_at,
            Post.updated_at,
            Post.version,
        )
        .join(User, User.id == Post.creator_id)
        .where(Post.id == bindparam("post_id"))
    )


async def get_post_view(bind: ReadBind, post_id: UUID) -> PostView | None:
    """The post as clients see it, or None: the hot read, with no ORM entity."""
    row = await fetch_one(bind, _post_view(), {"post_id": post_id})
    if row is None:
        return None
    post = PostResponse(
        id=row["id"],
        title=row["title"],
        content=row["content"],
        creator_id=row["creator_id"],
        creator=UserSummary(id=row["creator_id"], username=row["creator_username"]),
        comments_count=row["comments_count"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
    return PostView(post, row["version"])


async def list_posts(
    session: AsyncSession,
    *,
    pagination: PaginationParams,
    creator_id: UUID | None = None,
    search: str | None = None,
) -> tuple[list[Post], int]:
    """Posts newest first, optionally by one creator or matching `search`."""
    conditions: list[ColumnElement[bool]] = []
    if creator_id is not None:
        conditions.append(Post.creator_id == creator_id)
    if search:
        conditions.append(
            or_(
                Post.title.icontains(search, autoescape=True),
                Post.content.icontains(search, autoescape=True),
            )
        )
    query = (
        select(Post)
        .where(*conditions)
        .options(joinedload(Post.creator))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    count = select(func.count()).select_from(Post).where(*conditions)
    return await fetch_page(session, query, count, pagination)


async def create_post(
    session: AsyncSession, *, creator: User, data: PostCreate
) -> Post:
    """Create a post owned by `creator`."""
    post = Post(title=data.title, content=data.content, creator_id=creator.id)
    session.add(post)
    await session.flush()
    logger.info("post_created", post_id=str(post.id))
    return await _reload_post(session, post.id)


async def _reload_post(session: AsyncSession, post_id: UUID) -> Post:
    # populate_existing: the count and timestamps in the identity map are stale.
    post = await session.scalar(
        _post_by_id(),
        {"post_id": post_id},
        execution_options={"populate_existing": True},
    )
    if post is None:  # pragma: no cover - just written in this transaction
        raise LookupError(post_id)
    return post


async def update_post(session: AsyncSession, *, post: Post, data: PostUpdate) -> Post:
    """Apply the fields present in `data`; sets `updated_at` and the version.

    Raises `ConcurrentEdit` if another edit changed the post since it was read.
    """
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(post, field, value)
    await _flush_edit(session)
    return await _reload_post(session, post.id)


async def _flush_edit(session: AsyncSession) -> None:
    # The UPDATE requires the version that was read; on PostgreSQL a second
    # concurrent edit waits for the first, then matches no row.
    try:
        await session.flush()
    except StaleDataError as exc:
        raise ConcurrentEdit from exc


async def delete_post(session: AsyncSession, *, post: Post) -> None:
    """Delete the post; its comments go with it (database cascade)."""
    await session.execute(delete(Post).where(Post.id == post.id))
    logger.info("post_deleted", post_id=str(post.id))


async def get_comment(
    session: AsyncSession, *, post_id: UUID, comment_id: UUID
) -> PostComment | None:
    """The comment if it exists under this post, else None."""
    return await session.scalar(
        select(PostComment)
        .where(PostComment.id == comment_id, PostComment.post_id == post_id)
        .options(joinedload(PostComment.creator))
        .execution_options(populate_existing=True)
    )


async def list_comments(
    session: AsyncSession, *, post_id: UUID, pagination: PaginationParams
) -> tuple[list[PostComment], int]:
    """A post's comments, oldest first."""
    query = (
        select(PostComment)
        .where(PostComment.post_id == post_id)
        .options(joinedload(PostComment.creator))
        .order_by(PostComment.created_at, PostComment.id)
    )
    count = (
        select(func.count())
        .select_from(PostComment)
        .where(PostComment.post_id == post_id)
    )
    return await fetch_page(session, query, count, pagination)


async def create_comment(
    session: AsyncSession, *, post: Post, creator: User, data: CommentCreate
) -> PostComment:
    """Comment on `post` as `creator`."""
    comment = PostComment(post_id=post.id, creator_id=creator.id, content=data.content)
    session.add(comment)
    await session.flush()
    comment.creator = creator
    await notification_service.notify_comment_created(
        session,
        post_creator_id=post.creator_id,
        post_id=post.id,
        comment_id=comment.id,
        actor_id=creator.id,
    )
    logger.info("comment_created", post_id=str(post.id), comment_id=str(comment.id))
    return comment


async def update_comment(
    session: AsyncSession, *, comment: PostComment, data: CommentUpdate
) -> PostComment:
    """Replace the comment's content; sets `updated_at` and the version.

    Raises `ConcurrentEdit` if another edit changed it since it was read.
    """
    comment.content = data.content
    await _flush_edit(session)
    return comment


async def delete_comment(session: AsyncSession, *, comment: PostComment) -> None:
    """Delete one comment."""
    await session.execute(delete(PostComment).where(PostComment.id == comment.id))
    logger.info("comment_deleted", comment_id=str(comment.id))


async def get_attachment(
    session: AsyncSession, *, post_id: UUID, attachment_id: UUID
) -> PostAttachment | None:
    """The attachment if it exists under this post, else None."""
    return await session.scalar(
        select(PostAttachment).where(
            PostAttachment.id == attachment_id, PostAttachment.post_id == post_id
        )
    )


async def list_attachments(
    session: AsyncSession, *, post_id: UUID, pagination: PaginationParams
) -> tuple[list[PostAttachment], int]:
    """A post's attachments in upload order."""
    query = (
        select(PostAttachment)
        .where(PostAttachment.post_id == post_id)
        .order_by(PostAttachment.created_at, PostAttachment.id)
    )
    count = (
        select(func.count())
        .select_from(PostAttachment)
        .where(PostAttachment.post_id == post_id)
    )
    return await fetch_page(session, query, count, pagination)


async def _limited(upload: UploadFile, max_bytes: int) -> Chunks:
    # The body limit already bounds what reached us; this is the exact limit.
    size = 0
    while chunk := await upload.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise AttachmentTooLarge(max_bytes)
        yield chunk


async def create_attachment(
    session: AsyncSession,
    storage: Storage,
    *,
    post: Post,
    creator: User,
    upload: UploadFile,
    max_bytes: int,
) -> PostAttachment:
    """Store an uploaded file and record it on `post`.

    The type comes from the file's first bytes. The object is written before
    the row; if the row cannot be written the object is removed again, and
    an object left behind by a crash is found by `cleanup`.
    """
    if upload.size is not None and upload.size > max_bytes:
        raise AttachmentTooLarge(max_bytes)
    head = await upload.read(SNIFF_BYTES)
    if not head:
        raise EmptyAttachment
    content_type = sniff_content_type(head)
    if content_type is None:
        raise AttachmentTypeNotAllowed
    await upload.seek(0)
    key = f"{ATTACHMENT_KEY_PREFIX}{post.id}/{uuid4().hex}"
    size = await storage.put(
        key, _limited(upload, max_bytes), content_type=content_type
    )
    attachment = PostAttachment(
        post_id=post.id,
        creator_id=creator.id,
        storage_key=key,
        filename=display_filename(upload.filename, content_type),
        content_type=content_type,
        size=size,
    )
    session.add(attachment)
    try:
        await session.flush()
    except BaseException:
        await remove_stored_objects(storage, [key])
        raise
    logger.info(
        "attachment_created",
        post_id=str(post.id),
        attachment_id=str(attachment.id),
        content_type=content_type,
        size=size,
    )
    return attachment


async def delete_attachment(
    session: AsyncSession, *, attachment: PostAttachment
) -> None:
    """Delete the row; the caller removes the object once this is committed."""
    await session.execute(
        delete(PostAttachment).where(PostAttachment.id == attachment.id)
    )
    logger.info("attachment_deleted", attachment_id=str(attachment.id))


async def attachment_keys_of_post(session: AsyncSession, post_id: UUID) -> list[str]:
    """Storage keys to remove once the post's deletion is committed."""
    keys = await session.scalars(
        select(PostAttachment.storage_key).where(PostAttachment.post_id == post_id)
    )
    return list(keys)


async def attachment_keys_of_user(session: AsyncSession, user_id: UUID) -> list[str]:
    """Storage keys to remove once the user's deletion is committed: files on
    their posts and files they uploaded.
    """
    keys = await session.scalars(
        select(PostAttachment.storage_key)
        .join(Post, Post.id == PostAttachment.post_id)
        .where(or_(Post.creator_id == user_id, PostAttachment.creator_id == user_id))
    )
    return list(keys)


async def remove_stored_objects(storage: Storage, keys: list[str]) -> None:
    """Best effort, after the rows are gone: a failure leaves an orphan that
    `cleanup` removes later, and never fails the request.
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
                select(PostAttachment.storage_key).where(
                    PostAttachment.storage_key.in_(batch)
                )
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
