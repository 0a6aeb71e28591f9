from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from src.database.base import Base, utcnow
from src.models import CreatedAt, UUIDPrimaryKey

if TYPE_CHECKING:
    from src.auth.models import User


class Comment(UUIDPrimaryKey, CreatedAt, Base):
    __tablename__ = "post_comment"

    post_id: Mapped[UUID] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    creator_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)
    # Raised by every edit, whose UPDATE requires the version it read: two
    # concurrent edits cannot both apply (`ConcurrentEdit`). Also the ETag.
    version: Mapped[int] = mapped_column(server_default=text("1"))

    creator: Mapped["User"] = relationship(lazy="raise")

    __table_args__ = (
        # A post's comments, oldest first; also counts them.
        Index("post_comment_post_id_created_at_idx", "post_id", "created_at", "id"),
    )
