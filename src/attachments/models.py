from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from src.attachments.constants import FILENAME_MAX_LENGTH
from src.database.base import Base
from src.database.counts import counted_list
from src.models import CreatedAt, UUIDPrimaryKey


class Attachment(UUIDPrimaryKey, CreatedAt, Base):
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


POST_ATTACHMENTS = counted_list(
    "post_attachments", table="post_attachment", owner="post_id", owner_table="post"
)
