from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    column,
    func,
    select,
    table,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from src.database.base import Base
from src.models import CreatedAt, Versioned
from src.posts.constants import TITLE_MAX_LENGTH

if TYPE_CHECKING:
    from src.auth.models import User

# The comments table as far as counting needs it, without importing the
# comments domain (which builds on this one).
_comment = table("post_comment", column("id"), column("post_id"))


class Post(CreatedAt, Versioned, Base):
    __tablename__ = "post"

    # Declared here, not by the mixin: comments_count below refers to it.
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4, sort_order=-1)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    content: Mapped[str] = mapped_column(Text)
    creator_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE")
    )

    # Counted when the post is loaded (an index-only count): always exact,
    # with no counter to keep in step on comment, post or user deletion.
    comments_count: Mapped[int] = column_property(
        select(func.count(_comment.c.id))
        .where(_comment.c.post_id == id)
        .correlate_except(_comment)
        .scalar_subquery()
    )

    creator: Mapped["User"] = relationship(lazy="raise")

    # On PostgreSQL, title and content also have trigram indexes for search,
    # made by a migration (2026-12-02_add_post_search_indexes).
    __table_args__ = (
        Index("post_created_at_idx", "created_at", "id"),
        Index("post_creator_id_created_at_idx", "creator_id", "created_at", "id"),
    )
