"""roles_moderation_api_keys

Users get a role (member, moderator or admin: superusers become admins,
and the is_superuser column goes) and a suspension (when, and why). API
keys (auth_api_key) and the audit log (audit_entry) are new. A comment
can be hidden (hidden_at), and a favorite knows whether its post is hidden
(post_hidden): the counted lists of a post's comments and of a user's
favorites leave hidden ones out, so their triggers are replaced. Nothing
is hidden yet: every count stays right.

Revision ID: 3f7c1d9e2a48
Revises: 6c3a8e1f4b92
Create Date: 2026-12-06 04:00:00.000000+00:00

"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from alembic import op

revision: str = "3f7c1d9e2a48"
down_revision: str | Sequence[str] | None = "6c3a8e1f4b92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = (
    ("post_comment_count_insert", "post_comment"),
    ("post_comment_count_delete", "post_comment"),
    ("post_comment_count_update", "post_comment"),
    ("post_favorite_count_insert", "post_favorite"),
    ("post_favorite_count_delete", "post_favorite"),
    ("post_favorite_count_update", "post_favorite"),
)

CREATE_POSTGRESQL = (
    (
        "CREATE FUNCTION post_comment_count_insert() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_comment_count_insert$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'post_comments', r.post_id, "
        "0, 1 * count(*) FROM new_rows AS r WHERE (r.hidden_at IS NULL) GROUP "
        "BY r.post_id ORDER BY r.post_id ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; RETURN "
        "NULL; END $post_comment_count_insert$"
    ),
    (
        "CREATE TRIGGER post_comment_count_insert AFTER INSERT ON post_comment "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "post_comment_count_insert()"
    ),
    (
        "CREATE FUNCTION post_comment_count_delete() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_comment_count_delete$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'post_comments', r.post_id, "
        "0, -1 * count(*) FROM old_rows AS r WHERE (r.hidden_at IS NULL) GROUP "
        "BY r.post_id ORDER BY r.post_id ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; RETURN "
        "NULL; END $post_comment_count_delete$"
    ),
    (
        "CREATE TRIGGER post_comment_count_delete AFTER DELETE ON post_comment "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "post_comment_count_delete()"
    ),
    (
        "CREATE FUNCTION post_comment_count_update() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_comment_count_update$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'post_comments', n.post_id, "
        "0, 1 * count(*) FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id "
        "WHERE (n.hidden_at IS NULL) AND NOT (o.hidden_at IS NULL) GROUP BY "
        "n.post_id ORDER BY n.post_id ON CONFLICT (list_name, owner_id, slot) "
        "DO UPDATE SET total = list_count.total + excluded.total; INSERT INTO "
        "list_count (list_name, owner_id, slot, total) SELECT 'post_comments', "
        "o.post_id, 0, -1 * count(*) FROM old_rows AS o JOIN new_rows AS n ON "
        "n.id = o.id WHERE (o.hidden_at IS NULL) AND NOT (n.hidden_at IS NULL) "
        "GROUP BY o.post_id ORDER BY o.post_id ON CONFLICT (list_name, "
        "owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; RETURN NULL; END $post_comment_count_update$"
    ),
    (
        "CREATE TRIGGER post_comment_count_update AFTER UPDATE ON post_comment "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH "
        "STATEMENT EXECUTE FUNCTION post_comment_count_update()"
    ),
    (
        "CREATE FUNCTION post_favorite_count_insert() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_favorite_count_insert$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'post_favorites', r.post_id,"
        " 0, 1 * count(*) FROM new_rows AS r WHERE (true) GROUP BY r.post_id "
        "ORDER BY r.post_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_favorites', r.user_id,"
        " 0, 1 * count(*) FROM new_rows AS r WHERE (NOT r.post_hidden) GROUP BY"
        " r.user_id ORDER BY r.user_id ON CONFLICT (list_name, owner_id, slot) "
        "DO UPDATE SET total = list_count.total + excluded.total; RETURN NULL; "
        "END $post_favorite_count_insert$"
    ),
    (
        "CREATE TRIGGER post_favorite_count_insert AFTER INSERT ON "
        "post_favorite REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION post_favorite_count_insert()"
    ),
    (
        "CREATE FUNCTION post_favorite_count_delete() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_favorite_count_delete$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'post_favorites', r.post_id,"
        " 0, -1 * count(*) FROM old_rows AS r WHERE (true) GROUP BY r.post_id "
        "ORDER BY r.post_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_favorites', r.user_id,"
        " 0, -1 * count(*) FROM old_rows AS r WHERE (NOT r.post_hidden) GROUP "
        "BY r.user_id ORDER BY r.user_id ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; RETURN "
        "NULL; END $post_favorite_count_delete$"
    ),
    (
        "CREATE TRIGGER post_favorite_count_delete AFTER DELETE ON "
        "post_favorite REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION post_favorite_count_delete()"
    ),
    (
        "CREATE FUNCTION post_favorite_count_update() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_favorite_count_update$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_favorites', n.user_id,"
        " 0, 1 * count(*) FROM old_rows AS o JOIN new_rows AS n ON n.user_id = "
        "o.user_id AND n.post_id = o.post_id WHERE (NOT n.post_hidden) AND NOT "
        "(NOT o.post_hidden) GROUP BY n.user_id ORDER BY n.user_id ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_favorites', o.user_id, 0, -1 * count(*) FROM "
        "old_rows AS o JOIN new_rows AS n ON n.user_id = o.user_id AND "
        "n.post_id = o.post_id WHERE (NOT o.post_hidden) AND NOT (NOT "
        "n.post_hidden) GROUP BY o.user_id ORDER BY o.user_id ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; RETURN NULL; END $post_favorite_count_update$"
    ),
    (
        "CREATE TRIGGER post_favorite_count_update AFTER UPDATE ON "
        "post_favorite REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION post_favorite_count_update()"
    ),
)

CREATE_SQLITE = (
    (
        "CREATE TRIGGER post_comment_count_insert AFTER INSERT ON post_comment "
        "BEGIN INSERT INTO list_count (list_name, owner_id, slot, total) SELECT"
        " 'post_comments', NEW.post_id, 0, 1 WHERE (NEW.hidden_at IS NULL) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_comment_count_delete AFTER DELETE ON post_comment "
        "BEGIN INSERT INTO list_count (list_name, owner_id, slot, total) SELECT"
        " 'post_comments', OLD.post_id, 0, -1 WHERE (OLD.hidden_at IS NULL) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_comment_count_update AFTER UPDATE OF hidden_at ON "
        "post_comment BEGIN INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'post_comments', NEW.post_id, 0, 1 WHERE (NEW.hidden_at "
        "IS NULL) AND NOT (OLD.hidden_at IS NULL) ON CONFLICT (list_name, "
        "owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'post_comments', OLD.post_id, 0, -1 WHERE (OLD.hidden_at"
        " IS NULL) AND NOT (NEW.hidden_at IS NULL) ON CONFLICT (list_name, "
        "owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_favorite_count_insert AFTER INSERT ON "
        "post_favorite BEGIN INSERT INTO list_count (list_name, owner_id, slot,"
        " total) SELECT 'post_favorites', NEW.post_id, 0, 1 WHERE (true) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_favorites', NEW.user_id, 0, 1 "
        "WHERE (NOT NEW.post_hidden) ON CONFLICT (list_name, owner_id, slot) DO"
        " UPDATE SET total = list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_favorite_count_delete AFTER DELETE ON "
        "post_favorite BEGIN INSERT INTO list_count (list_name, owner_id, slot,"
        " total) SELECT 'post_favorites', OLD.post_id, 0, -1 WHERE (true) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_favorites', OLD.user_id, 0, -1 "
        "WHERE (NOT OLD.post_hidden) ON CONFLICT (list_name, owner_id, slot) DO"
        " UPDATE SET total = list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_favorite_count_update AFTER UPDATE OF post_hidden "
        "ON post_favorite BEGIN INSERT INTO list_count (list_name, owner_id, "
        "slot, total) SELECT 'user_favorites', NEW.user_id, 0, 1 WHERE (NOT "
        "NEW.post_hidden) AND NOT (NOT OLD.post_hidden) ON CONFLICT (list_name,"
        " owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_favorites', OLD.user_id, 0, -1 WHERE (NOT "
        "OLD.post_hidden) AND NOT (NOT NEW.post_hidden) ON CONFLICT (list_name,"
        " owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; END"
    ),
)


def _drop_triggers(postgresql: bool) -> None:
    for name, table in TRIGGERS:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column(
        "auth_user",
        sa.Column(
            "role", sa.String(length=16), nullable=False, server_default="member"
        ),
    )
    op.add_column(
        "auth_user",
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "auth_user",
        sa.Column("suspension_reason", sa.String(length=500), nullable=True),
    )
    op.execute("UPDATE auth_user SET role = 'admin' WHERE is_superuser")
    # Not in a batch: on SQLite that would rebuild auth_user, and dropping
    # the old table would cascade to every row that references it.
    op.drop_column("auth_user", "is_superuser")
    op.create_table(
        "auth_api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name="auth_api_key_user_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="auth_api_key_pkey"),
        sa.UniqueConstraint("key_hash", name="auth_api_key_key_hash_key"),
    )
    op.create_index("auth_api_key_user_id_idx", "auth_api_key", ["user_id"])
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_username", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["auth_user.id"],
            name="audit_entry_actor_id_fkey",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="audit_entry_pkey"),
    )
    op.create_index("audit_entry_actor_id_idx", "audit_entry", ["actor_id"])
    op.create_index("audit_entry_created_at_idx", "audit_entry", ["created_at", "id"])
    op.create_index(
        "audit_entry_target_id_idx", "audit_entry", ["target_id", "created_at"]
    )
    _drop_triggers(postgresql)
    op.add_column(
        "post_comment",
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "post_favorite",
        sa.Column(
            "post_hidden", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    for statement in CREATE_POSTGRESQL if postgresql else CREATE_SQLITE:
        op.execute(statement)


def _previous_triggers(postgresql: bool) -> list[str]:
    # The two tables' triggers as the revision that made them left them.
    path = Path(__file__).with_name("2026-12-04_tags_favorites_follows_and_drafts.py")
    spec = importlib.util.spec_from_file_location("triggers_revision", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    statements = module.CREATE_POSTGRESQL if postgresql else module.CREATE_SQLITE
    return [
        statement
        for statement in statements
        if any(
            f" {table}_count_" in statement
            for table in ("post_comment", "post_favorite")
        )
    ]


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    _drop_triggers(postgresql)
    # Hidden comments are listed again, and counted (below).
    op.drop_column("post_favorite", "post_hidden")
    op.drop_column("post_comment", "hidden_at")
    for statement in _previous_triggers(postgresql):
        op.execute(statement)
    op.execute(
        "DELETE FROM list_count WHERE list_name IN ('post_comments', 'user_favorites')"
    )
    for name, table, owner in (
        ("post_comments", "post_comment", "post_id"),
        ("user_favorites", "post_favorite", "user_id"),
    ):
        op.execute(
            "INSERT INTO list_count (list_name, owner_id, slot, total) "
            f"SELECT '{name}', {owner}, 0, count(*) FROM {table} GROUP BY {owner}"
        )
    op.drop_table("audit_entry")
    op.drop_table("auth_api_key")
    op.add_column(
        "auth_user",
        sa.Column(
            "is_superuser", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.execute("UPDATE auth_user SET is_superuser = (role = 'admin')")
    op.drop_column("auth_user", "suspension_reason")
    op.drop_column("auth_user", "suspended_at")
    op.drop_column("auth_user", "role")
