from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import Base, utcnow
from src.database.counts import ListCount, counted_list
from src.tags.constants import TAG_MAX_LENGTH

LISTED = "published_at IS NOT NULL"


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    # Normalised (src/tags/service.py): lowercase letters, digits and '-'.
    name: Mapped[str] = mapped_column(String(TAG_MAX_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostTag(Base):
    """A post filed under a tag. It carries what a tag's page filters and
    orders by, so that the page is read from this table's index alone: the
    post's creator, and its publication time while it is listed (null for a
    draft)."""

    __tablename__ = "post_tag"

    post_id: Mapped[UUID] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[UUID] = mapped_column(
        ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True
    )
    # The tag's place in the post's list of tags.
    position: Mapped[int] = mapped_column(SmallInteger)
    creator_id: Mapped[UUID]
    published_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        Index(
            "post_tag_tag_id_published_at_idx",
            "tag_id",
            "published_at",
            "post_id",
            postgresql_where=text(LISTED),
            sqlite_where=text(LISTED),
        ),
        Index(
            "post_tag_tag_id_creator_id_idx",
            "tag_id",
            "creator_id",
            "published_at",
            "post_id",
            postgresql_where=text(LISTED),
            sqlite_where=text(LISTED),
        ),
    )


# A tag's listed posts: publishing a draft moves its tags' rows in.
TAG_POSTS = counted_list(
    "tag_posts",
    table="post_tag",
    owner="tag_id",
    owner_table="tag",
    where="{row}.published_at IS NOT NULL",
    moved_by=("published_at",),
    key=("post_id", "tag_id"),
)

# GET /tags reads the tags' counts most used first, from this index alone.
Index(
    "list_count_tag_posts_idx",
    ListCount.total,
    ListCount.owner_id,
    postgresql_where=ListCount.list_name == TAG_POSTS.name,
    sqlite_where=ListCount.list_name == TAG_POSTS.name,
)
