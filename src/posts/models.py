from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from sqlalchemy import (
    JSON,
    Computed,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from src.comments.models import POST_COMMENTS
from src.database.base import Base
from src.database.counts import ListCount, counted_list, list_total
from src.favorites.models import POST_FAVORITES
from src.models import CreatedAt, Versioned
from src.posts.constants import (
    DESCRIPTION_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    PostStatus,
)

if TYPE_CHECKING:
    from src.auth.models import User


# Which posts the public lists hold, and which are drafts.
LISTED = "status = 'published'"
DRAFT = "status = 'draft'"


class Post(CreatedAt, Versioned, Base):
    __tablename__ = "post"

    # Declared here, not by the mixin: comments_count below refers to it.
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4, sort_order=-1)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    content: Mapped[str] = mapped_column(Text)
    creator_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE")
    )
    # The current one of the post's slugs (all of them are in post_slug).
    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX_LENGTH), default="")
    status: Mapped[PostStatus] = mapped_column(
        Enum(
            PostStatus,
            native_enum=False,
            length=16,
            values_callable=lambda statuses: [s.value for s in statuses],
        ),
        default=PostStatus.PUBLISHED,
    )
    # When it was first published; null for a draft never published. Every
    # public list is ordered by it.
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    # The tags' names in the post's order (the post_tag rows, which lists
    # filter on, carry the same), so a post reads them with its columns.
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Lowercased copies kept by the database, which searches match with LIKE:
    # ILIKE would fold the case of every row it reads (migration
    # 2026-12-02_search_lowercased_copies). Never loaded with a post.
    title_lower: Mapped[str] = mapped_column(
        Text, Computed("lower(title)"), deferred=True
    )
    content_lower: Mapped[str] = mapped_column(
        Text, Computed("lower(content)"), deferred=True
    )

    # Kept by the database as comments and favorites come and go
    # (src/database/counts.py).
    comments_count: Mapped[int] = column_property(
        list_total(POST_COMMENTS, id).scalar_subquery()
    )
    favorites_count: Mapped[int] = column_property(
        list_total(POST_FAVORITES, id).scalar_subquery()
    )

    creator: Mapped["User"] = relationship(lazy="raise")

    # Public lists hold published posts only, newest published first; a
    # user's drafts are listed by creation. On PostgreSQL, the lowercased
    # copies also have trigram indexes for search, made by a migration
    # (2026-12-02_search_lowercased_copies).
    __table_args__ = (
        Index(
            "post_published_at_idx",
            "published_at",
            "id",
            postgresql_where=text(LISTED),
            sqlite_where=text(LISTED),
        ),
        Index(
            "post_creator_id_published_at_idx",
            "creator_id",
            "published_at",
            "id",
            postgresql_where=text(LISTED),
            sqlite_where=text(LISTED),
        ),
        Index(
            "post_creator_id_created_at_idx",
            "creator_id",
            "created_at",
            "id",
            postgresql_where=text(DRAFT),
            sqlite_where=text(DRAFT),
        ),
    )


class PostSlug(Base):
    """Every slug a post has had, the current one included: an earlier one
    keeps leading to the post. Unique across all posts."""

    __tablename__ = "post_slug"

    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH), primary_key=True)
    post_id: Mapped[UUID] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), index=True
    )


# Every published post, newest first (GET /posts), and each user's
# (GET /users/{id}/posts); publishing a draft moves it into both.
POSTS = counted_list(
    "posts", table="post", where="{row}.status = 'published'", moved_by=("status",)
)
USER_POSTS = counted_list(
    "user_posts",
    table="post",
    owner="creator_id",
    owner_table="auth_user",
    where="{row}.status = 'published'",
    moved_by=("status",),
)
# The feed's total sums its followed authors' counts from this index alone:
# a lookup of a microsecond each, not a visit to the wide table.
Index(
    "list_count_user_posts_idx",
    ListCount.owner_id,
    ListCount.total,
    postgresql_where=ListCount.list_name == USER_POSTS.name,
    sqlite_where=ListCount.list_name == USER_POSTS.name,
)
# A user's drafts (GET /auth/users/me/drafts); publishing one moves it out.
USER_DRAFTS = counted_list(
    "user_drafts",
    table="post",
    owner="creator_id",
    owner_table="auth_user",
    where="{row}.status = 'draft'",
    moved_by=("status",),
)
