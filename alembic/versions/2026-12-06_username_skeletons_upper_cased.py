"""username_skeletons_upper_cased

A username's skeleton is now taken of the name upper-cased
(src/auth/usernames.py), so that `ADMlN` cannot register beside `admin`.
Every skeleton is computed again, in order of registration; a user whose
name now looks like an earlier user's keeps it, with no skeleton (NULL),
and gets one on their next rename.

Revision ID: 2d7f4a9c1e83
Revises: 8b4e2d7a5c61
Create Date: 2026-12-06 01:20:00.000000+00:00

"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "2d7f4a9c1e83"
down_revision: str | Sequence[str] | None = "8b4e2d7a5c61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000

# Both skeletons, frozen here so that this migration does the same thing
# whatever src/auth/usernames.py becomes.
_TO_PROTOTYPE = str.maketrans({"0": "O", "1": "l", "I": "l", "m": "rn"})


def _as_typed(username: str) -> str:
    return username.translate(_TO_PROTOTYPE).lower().translate(_TO_PROTOTYPE)


def _upper_cased(username: str) -> str:
    return _as_typed(username.upper())


def _recompute(skeleton: Callable[[str], str]) -> None:
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
    ).all()
    taken: set[str] = set()
    updates: list[dict[str, object]] = []
    for user_id, username in rows:
        key = skeleton(username)
        if key not in taken:
            taken.add(key)
            updates.append({"user_id": user_id, "skeleton": key})
    # Cleared first: a new key may be another row's old one (unique index).
    bind.execute(users.update().values(username_skeleton=None))
    statement = (
        users.update()
        .where(users.c.id == sa.bindparam("user_id"))
        .values(username_skeleton=sa.bindparam("skeleton"))
    )
    for start in range(0, len(updates), BATCH):
        bind.execute(statement, updates[start : start + BATCH])


def upgrade() -> None:
    _recompute(_upper_cased)


def downgrade() -> None:
    _recompute(_as_typed)
