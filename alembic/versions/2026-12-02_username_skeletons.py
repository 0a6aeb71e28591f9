"""username_skeletons

Usernames are unique by their confusable skeleton (src/auth/usernames.py),
so that `paypaI` cannot register beside `paypal`. Existing users get theirs
in order of registration; a user whose name already looks like an earlier
user's keeps it, with no skeleton (NULL, which the unique index allows), and
gets one on their next rename.

Revision ID: 3f9b1d7c2a64
Revises: 8d4a6f2e1c57
Create Date: 2026-12-02 15:00:00.000000+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "3f9b1d7c2a64"
down_revision: str | Sequence[str] | None = "8d4a6f2e1c57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000

# The skeleton as of this revision (src/auth/usernames.py), frozen here so
# that this migration does the same thing whatever that module becomes.
_TO_PROTOTYPE = str.maketrans({"0": "O", "1": "l", "I": "l", "m": "rn"})


def username_skeleton(username: str) -> str:
    return username.translate(_TO_PROTOTYPE).lower().translate(_TO_PROTOTYPE)


def upgrade() -> None:
    op.add_column(
        "auth_user", sa.Column("username_skeleton", sa.String(length=64), nullable=True)
    )
    users = sa.table(
        "auth_user",
        sa.column("id", sa.Uuid()),
        sa.column("username", sa.String()),
        sa.column("username_skeleton", sa.String()),
        sa.column("created_at", sa.DateTime()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(users.c.id, users.c.username).order_by(users.c.created_at, users.c.id)
    )
    taken: set[str] = set()
    updates: list[dict[str, object]] = []
    for user_id, username in rows.all():
        skeleton = username_skeleton(username)
        if skeleton in taken:
            continue
        taken.add(skeleton)
        updates.append({"user_id": user_id, "skeleton": skeleton})
    statement = (
        users.update()
        .where(users.c.id == sa.bindparam("user_id"))
        .values(username_skeleton=sa.bindparam("skeleton"))
    )
    for start in range(0, len(updates), BATCH):
        bind.execute(statement, updates[start : start + BATCH])
    op.create_index(
        "auth_user_username_skeleton_key",
        "auth_user",
        ["username_skeleton"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("auth_user_username_skeleton_key", table_name="auth_user")
    op.drop_column("auth_user", "username_skeleton")
