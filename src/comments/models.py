from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from src.database.base import Base
from src.database.counts import counted_list
from src.models import CreatedAt, UUIDPrimaryKey, Versioned

if TYPE_CHECKING:
    from src.auth.models import User


class Comment(UUIDPrimaryKey, CreatedAt, Versioned, Base):
    __tablename__ = "post_comment"

    post_id: Mapped[UUID] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    creator_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    # Set while a moderator hides it: out of the post's comments and count.
    hidden_at: Mapped[datetime | None] = mapped_column(default=None)

    creator: Mapped["User"] = relationship(lazy="raise")

    __table_args__ = (
        # A post's comments, oldest first; also counts them.
        Index("post_comment_post_id_created_at_idx", "post_id", "created_at", "id"),
    )


# A post's comments (GET /posts/{id}/comments, and each post's comments_count):
# hiding one moves it out, showing it again back in.
POST_COMMENTS = counted_list(
    "post_comments",
    table="post_comment",
    owner="post_id",
    owner_table="post",
    where="{row}.hidden_at IS NULL",
    moved_by=("hidden_at",),
)
