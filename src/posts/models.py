from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from sqlalchemy import (
    Computed,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from src.comments.models import POST_COMMENTS
from src.database.base import Base
from src.database.counts import counted_list, list_total
from src.models import CreatedAt, Versioned
from src.posts.constants import TITLE_MAX_LENGTH

if TYPE_CHECKING:
    from src.auth.models import User


class Post(CreatedAt, Versioned, Base):
    __tablename__ = "post"

    # Declared here, not by the mixin: comments_count below refers to it.
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4, sort_order=-1)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    content: Mapped[str] = mapped_column(Text)
    creator_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE")
    )
    # Lowercased copies kept by the database, which searches match with LIKE:
    # ILIKE would fold the case of every row it reads (migration
    # 2026-12-02_search_lowercased_copies). Never loaded with a post.
    title_lower: Mapped[str] = mapped_column(
        Text, Computed("lower(title)"), deferred=True
    )
    content_lower: Mapped[str] = mapped_column(
        Text, Computed("lower(content)"), deferred=True
    )

    # Kept by the database as comments come and go (src/database/counts.py).
    comments_count: Mapped[int] = column_property(
        list_total(POST_COMMENTS, id).scalar_subquery()
    )

    creator: Mapped["User"] = relationship(lazy="raise")

    # On PostgreSQL, the lowercased copies also have trigram indexes for
    # search, made by a migration (2026-12-02_search_lowercased_copies).
    __table_args__ = (
        Index("post_created_at_idx", "created_at", "id"),
        Index("post_creator_id_created_at_idx", "creator_id", "created_at", "id"),
    )


# Every post, newest first (GET /posts), and each user's (GET /users/{id}/posts).
POSTS = counted_list("posts", table="post")
USER_POSTS = counted_list(
    "user_posts", table="post", owner="creator_id", owner_table="auth_user"
)
