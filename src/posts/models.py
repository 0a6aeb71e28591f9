from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from src.database import Base, utcnow
from src.models import CreatedAt, UUIDPrimaryKey
from src.posts.constants import FILENAME_MAX_LENGTH, TITLE_MAX_LENGTH

if TYPE_CHECKING:
    from src.auth.models import User


class PostComment(UUIDPrimaryKey, CreatedAt, Base):
    __tablename__ = "post_comment"

    post_id: Mapped[UUID] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    creator_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)
    # Raised by every UPDATE, which also requires the version it read: two
    # concurrent edits cannot both apply (see `ConcurrentEdit`); the ETag.
    version: Mapped[int] = mapped_column(server_default=text("1"))

    creator: Mapped["User"] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # A post's comments, oldest first; also counts them.
        Index("post_comment_post_id_created_at_idx", "post_id", "created_at", "id"),
    )


class Post(CreatedAt, Base):
    __tablename__ = "post"

    # Declared here, not by the mixin: comments_count below refers to it.
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4, sort_order=-1)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    content: Mapped[str] = mapped_column(Text)
    creator_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE")
    )
    updated_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)
    # As on PostComment: optimistic concurrency and the ETag.
    version: Mapped[int] = mapped_column(server_default=text("1"))

    # Counted when the post is loaded (an index-only count): always exact,
    # with no counter to keep in step on comment, post or user deletion.
    comments_count: Mapped[int] = column_property(
        select(func.count(PostComment.id))
        .where(PostComment.post_id == id)
        .correlate_except(PostComment)
        .scalar_subquery()
    )

    creator: Mapped["User"] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("post_created_at_idx", "created_at", "id"),
        Index("post_creator_id_created_at_idx", "creator_id", "created_at", "id"),
    )


class PostAttachment(UUIDPrimaryKey, CreatedAt, Base):
    """A file attached to a post: metadata here, bytes in object storage."""

    __tablename__ = "post_attachment"

    post_id: Mapped[UUID] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    creator_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    # Made by the server; the client's filename is only displayed.
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX_LENGTH))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("post_attachment_post_id_created_at_idx", "post_id", "created_at", "id"),
    )
