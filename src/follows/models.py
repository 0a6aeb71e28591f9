from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import Base, utcnow
from src.database.counts import counted_list


class Follow(Base):
    """A user follows another. Goes with either."""

    __tablename__ = "user_follow"

    follower_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), primary_key=True
    )
    followee_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("follower_id != followee_id", name="not_self"),
        # A user's followers and followings, most recent first.
        Index(
            "user_follow_followee_id_created_at_idx",
            "followee_id",
            "created_at",
            "follower_id",
        ),
        Index(
            "user_follow_follower_id_created_at_idx",
            "follower_id",
            "created_at",
            "followee_id",
        ),
    )


USER_FOLLOWERS = counted_list(
    "user_followers", table="user_follow", owner="followee_id", owner_table="auth_user"
)
USER_FOLLOWING = counted_list(
    "user_following", table="user_follow", owner="follower_id", owner_table="auth_user"
)
