from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, Index, false
from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import Base, utcnow
from src.database.counts import counted_list


class Favorite(Base):
    """A user keeps a post. Goes with either."""

    __tablename__ = "post_favorite"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[UUID] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Whether a moderator hid the post: its favorites leave their users'
    # lists and counts while it is (kept by src/moderation).
    post_hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (
        # A user's favorites, most recently favorited first.
        Index(
            "post_favorite_user_id_created_at_idx", "user_id", "created_at", "post_id"
        ),
    )


# How many users keep a post (its favorites_count), and what a user keeps.
POST_FAVORITES = counted_list(
    "post_favorites", table="post_favorite", owner="post_id", owner_table="post"
)
USER_FAVORITES = counted_list(
    "user_favorites",
    table="post_favorite",
    owner="user_id",
    owner_table="auth_user",
    where="NOT {row}.post_hidden",
    moved_by=("post_hidden",),
    key=("user_id", "post_id"),
)
