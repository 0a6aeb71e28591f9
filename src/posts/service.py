"""Posts: read as `PostRow`s through named statements, written in a unit of
work. The lists of posts are in `src/posts/lists.py`."""

from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import structlog
from sqlalchemy import bindparam, delete, select, update

from src.attachments import service as attachments_service
from src.auth.constants import Role
from src.auth.models import User
from src.database.base import utcnow
from src.database.reads import AnySelect, Readable, fetch_one, statement
from src.database.unit_of_work import UnitOfWork
from src.models import apply_edit
from src.moderation import audit
from src.moderation.constants import AuditAction, TargetType
from src.posts import changes, slugs
from src.posts.changes import post_changed
from src.posts.constants import PostStatus
from src.posts.exceptions import PublishedForGood
from src.posts.models import Post
from src.posts.schemas import PostCreate, PostUpdate
from src.tags import service as tags_service

logger = structlog.get_logger(__name__)


class PostRow(NamedTuple):
    """A post as it is read: its columns, its creator's name, its counts."""

    id: UUID
    slug: str
    title: str
    description: str
    content: str
    tags: list[str]
    status: PostStatus
    creator_id: UUID
    creator_username: str
    comments_count: int
    favorites_count: int
    created_at: datetime
    updated_at: datetime | None
    published_at: datetime | None
    version: int

    @property
    def is_draft(self) -> bool:
        return self.status is PostStatus.DRAFT

    @property
    def is_hidden(self) -> bool:
        return self.status is PostStatus.HIDDEN


class PostRef(NamedTuple):
    """What deciding who may see a post takes, for the routes under it that
    answer something else (its comments, its attachments)."""

    id: UUID
    creator_id: UUID
    status: PostStatus

    @property
    def is_draft(self) -> bool:
        return self.status is PostStatus.DRAFT

    @property
    def is_hidden(self) -> bool:
        return self.status is PostStatus.HIDDEN


def post_columns() -> AnySelect:
    """The columns of a `PostRow`, in its order: rows from the driver and
    from SQLAlchemy alike become one by position."""
    return select(
        Post.id,
        Post.slug,
        Post.title,
        Post.description,
        Post.content,
        Post.tags,
        Post.status,
        Post.creator_id,
        User.username.label("creator_username"),
        Post.comments_count.label("comments_count"),
        Post.favorites_count.label("favorites_count"),
        Post.created_at,
        Post.updated_at,
        Post.published_at,
        Post.version,
    ).join(User, User.id == Post.creator_id)


def post_row(row: Any) -> PostRow:
    """A row of `post_columns()` as a `PostRow` (its status is already the
    enum: the column's type converts it on either path)."""
    return PostRow._make(row)


@statement("post_by_id", post_row)
def _by_id() -> AnySelect:
    return post_columns().where(Post.id == bindparam("post_id"))


@statement("post_ref_by_id", PostRef._make)
def _ref_by_id() -> AnySelect:
    return select(Post.id, Post.creator_id, Post.status).where(
        Post.id == bindparam("post_id")
    )


async def get_post_ref(readable: Readable, post_id: UUID) -> PostRef | None:
    """The post's id, creator and status, or None: one index lookup, no
    counts, text or tags."""
    return await fetch_one(readable, _ref_by_id, post_id=post_id)


async def get_post(readable: Readable, post_id: UUID) -> PostRow | None:
    """The post, or None: one statement, no ORM entity."""
    return await fetch_one(readable, _by_id, post_id=post_id)


async def _reload(uow: UnitOfWork, post_id: UUID) -> PostRow:
    # As a reader sees it, inside the transaction that wrote it.
    post = await get_post(uow, post_id)
    if post is None:  # pragma: no cover - written in this transaction
        raise LookupError(post_id)
    return post


async def create_post(uow: UnitOfWork, *, creator: User, data: PostCreate) -> PostRow:
    """Create a post owned by `creator`, published at once unless it is a
    draft, with its slug and its tags."""
    published = data.status is PostStatus.PUBLISHED
    slug = await slugs.free_slug(uow, title=data.title)
    post = Post(
        title=data.title,
        description=data.description,
        content=data.content,
        creator_id=creator.id,
        slug=slug,
        status=data.status,
        published_at=utcnow() if published else None,
        tags=data.tags,
        version=1,
    )
    uow.session.add(post)
    await uow.session.flush()
    recorded = await slugs.record_slug(
        uow, post_id=post.id, title=data.title, slug=slug
    )
    if recorded != slug:
        # Another post with this title took the slug a moment ago.
        await uow.session.execute(
            update(Post).where(Post.id == post.id).values(slug=recorded)
        )
    await tags_service.set_post_tags(
        uow,
        post_id=post.id,
        creator_id=creator.id,
        published_at=post.published_at,
        names=data.tags,
        new_post=True,
    )
    if published:
        changes.list_changed(uow)
    logger.info("post_created", post_id=str(post.id), status=data.status)
    # What a read would give, without one: every value was just written,
    # and a new post has no comments or favorites yet.
    return PostRow(
        id=post.id,
        slug=recorded,
        title=post.title,
        description=post.description,
        content=post.content,
        tags=list(data.tags),
        status=data.status,
        creator_id=creator.id,
        creator_username=creator.username,
        comments_count=0,
        favorites_count=0,
        created_at=post.created_at,
        updated_at=None,
        published_at=post.published_at,
        version=post.version,
    )


async def update_post(uow: UnitOfWork, *, post: PostRow, data: PostUpdate) -> PostRow:
    """Apply the fields present in `data`; sets `updated_at` and the version.

    A new title gives the post a new slug (the earlier ones keep leading to
    it); `tags` replaces its tags; `status: published` publishes a draft,
    which its lists, tags and feeds show from now on. `PublishedForGood` if
    asked to make a published post a draft again; `ConcurrentEdit` if
    another edit changed it since `post` was read.
    """
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return post
    post_changed(uow, post.id)
    published_at = post.published_at
    if post.is_hidden and changes.get("status") is PostStatus.PUBLISHED:
        # Still published: only a moderator shows it again.
        del changes["status"]
    if "status" in changes:
        if changes["status"] is PostStatus.DRAFT and not post.is_draft:
            raise PublishedForGood
        if changes["status"] is PostStatus.PUBLISHED and post.is_draft:
            published_at = changes["published_at"] = utcnow()
    await apply_edit(
        uow.session, Post, row_id=post.id, read_version=post.version, values=changes
    )
    if "title" in changes and changes["title"] != post.title:
        await slugs.rename(
            uow, post_id=post.id, title=changes["title"], current=post.slug
        )
    if "tags" in changes:
        await tags_service.set_post_tags(
            uow,
            post_id=post.id,
            creator_id=post.creator_id,
            published_at=published_at,
            names=changes["tags"],
        )
    elif published_at != post.published_at and published_at is not None:
        await tags_service.list_post_under_its_tags(
            uow, post_id=post.id, published_at=published_at
        )
    return await _reload(uow, post.id)


def may_see(
    post: PostRow | PostRef, caller: UUID | None, *, moderator: bool = False
) -> bool:
    """Whether `caller` (None: anonymous) may see the post: a draft is its
    author's alone, a hidden post its author's and moderators'."""
    if caller is not None and post.creator_id == caller:
        return True
    return not post.is_draft and (moderator or not post.is_hidden)


def may_delete(user: User, post: PostRow) -> bool:
    """Whether `user` may delete the post: its creator or a moderator."""
    return user.id == post.creator_id or user.role.at_least(Role.MODERATOR)


async def lock_posts(
    uow: UnitOfWork, *, post_id: UUID | None = None, creator_id: UUID | None = None
) -> None:
    """Lock one post, or every post of a creator (in id order), before
    deleting anything under them: docs/decisions/deletion-lock-order.md."""
    if (post_id is None) == (creator_id is None):
        raise ValueError("lock one post, or one creator's posts")
    locked = select(Post.id).order_by(Post.id).with_for_update()
    if post_id is not None:
        locked = locked.where(Post.id == post_id)
    if creator_id is not None:
        locked = locked.where(Post.creator_id == creator_id)
    await uow.session.execute(locked)


async def delete_post(uow: UnitOfWork, *, post: PostRow | PostRef, by: User) -> None:
    """Delete the post with everything on it: its attachments' rows (their
    stored files are deleted by a job once this commits), then the post,
    whose comments, favorites, tags, slugs and notifications the database
    removes with it. The post is locked first. Deleted by someone other
    than its creator (a moderator): audited.
    """
    post_id = post.id
    await lock_posts(uow, post_id=post_id)
    keys = await attachments_service.delete_attachments_of_post(uow, post_id)
    await uow.session.execute(delete(Post).where(Post.id == post_id))
    post_changed(uow, post_id)
    attachments_service.owe_file_deletion(uow, keys)
    if by.id != post.creator_id:
        await audit.record(
            uow,
            actor=by,
            action=AuditAction.POST_DELETED,
            target_type=TargetType.POST,
            target_id=post_id,
        )
    logger.info("post_deleted", post_id=str(post_id))
