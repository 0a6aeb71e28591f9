"""counted_lists_declared_in_models

The counted lists are now declared once, in the models of the domain that
lists them (src/database/counts.py), and their triggers are rendered from
the declarations (src/database/count_triggers.py). This revision replaces
the triggers of 2026-12-02_add_list_counts with that rendering, as it was
on this date: they count exactly the same rows, with the conditions of
each list written once. tests/test_list_counts.py checks that the database
holds what the declarations render.

Revision ID: b4e1c9d27a35
Revises: 7e0ca7b6c4aa
Create Date: 2026-12-04 18:00:00.000000+00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "b4e1c9d27a35"
down_revision: str | Sequence[str] | None = "7e0ca7b6c4aa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROP_POSTGRESQL = (
    ("DROP TRIGGER IF EXISTS notification_count_insert ON notification"),
    ("DROP FUNCTION IF EXISTS notification_count_insert()"),
    ("DROP TRIGGER IF EXISTS notification_count_delete ON notification"),
    ("DROP FUNCTION IF EXISTS notification_count_delete()"),
    ("DROP TRIGGER IF EXISTS notification_count_update ON notification"),
    ("DROP FUNCTION IF EXISTS notification_count_update()"),
    ("DROP TRIGGER IF EXISTS post_count_insert ON post"),
    ("DROP FUNCTION IF EXISTS post_count_insert()"),
    ("DROP TRIGGER IF EXISTS post_count_delete ON post"),
    ("DROP FUNCTION IF EXISTS post_count_delete()"),
    ("DROP TRIGGER IF EXISTS post_attachment_count_insert ON post_attachment"),
    ("DROP FUNCTION IF EXISTS post_attachment_count_insert()"),
    ("DROP TRIGGER IF EXISTS post_attachment_count_delete ON post_attachment"),
    ("DROP FUNCTION IF EXISTS post_attachment_count_delete()"),
    ("DROP TRIGGER IF EXISTS post_comment_count_insert ON post_comment"),
    ("DROP FUNCTION IF EXISTS post_comment_count_insert()"),
    ("DROP TRIGGER IF EXISTS post_comment_count_delete ON post_comment"),
    ("DROP FUNCTION IF EXISTS post_comment_count_delete()"),
)

CREATE_POSTGRESQL = (
    (
        "CREATE FUNCTION notification_count_insert() RETURNS trigger LANGUAGE "
        "plpgsql AS $notification_count_insert$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'notifications', r.user_id, "
        "0, 1 * count(*) FROM new_rows AS r WHERE (true) GROUP BY r.user_id "
        "ORDER BY r.user_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'unread_notifications', "
        "r.user_id, 0, 1 * count(*) FROM new_rows AS r WHERE (r.read_at IS "
        "NULL) GROUP BY r.user_id ORDER BY r.user_id ON CONFLICT (list_name, "
        "owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; RETURN NULL; END $notification_count_insert$"
    ),
    (
        "CREATE TRIGGER notification_count_insert AFTER INSERT ON notification "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "notification_count_insert()"
    ),
    (
        "CREATE FUNCTION notification_count_delete() RETURNS trigger LANGUAGE "
        "plpgsql AS $notification_count_delete$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'notifications', r.user_id, "
        "0, -1 * count(*) FROM old_rows AS r WHERE (true) GROUP BY r.user_id "
        "ORDER BY r.user_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'unread_notifications', "
        "r.user_id, 0, -1 * count(*) FROM old_rows AS r WHERE (r.read_at IS "
        "NULL) GROUP BY r.user_id ORDER BY r.user_id ON CONFLICT (list_name, "
        "owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; RETURN NULL; END $notification_count_delete$"
    ),
    (
        "CREATE TRIGGER notification_count_delete AFTER DELETE ON notification "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "notification_count_delete()"
    ),
    (
        "CREATE FUNCTION notification_count_update() RETURNS trigger LANGUAGE "
        "plpgsql AS $notification_count_update$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'unread_notifications', "
        "n.user_id, 0, 1 * count(*) FROM old_rows AS o JOIN new_rows AS n ON "
        "n.id = o.id WHERE (n.read_at IS NULL) AND NOT (o.read_at IS NULL) "
        "GROUP BY n.user_id ORDER BY n.user_id ON CONFLICT (list_name, "
        "owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'unread_notifications', o.user_id, 0, -1 * count(*) FROM "
        "old_rows AS o JOIN new_rows AS n ON n.id = o.id WHERE (o.read_at IS "
        "NULL) AND NOT (n.read_at IS NULL) GROUP BY o.user_id ORDER BY "
        "o.user_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET total "
        "= list_count.total + excluded.total; RETURN NULL; END "
        "$notification_count_update$"
    ),
    (
        "CREATE TRIGGER notification_count_update AFTER UPDATE ON notification "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH "
        "STATEMENT EXECUTE FUNCTION notification_count_update()"
    ),
    (
        "CREATE FUNCTION post_count_insert() RETURNS trigger LANGUAGE plpgsql "
        "AS $post_count_insert$ BEGIN INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'posts', "
        "'00000000-0000-0000-0000-000000000000'::uuid, (txid_current() % "
        "16)::smallint, 1 * count(*) FROM new_rows AS r WHERE (true) HAVING "
        "count(*) > 0 ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_posts', r.creator_id, "
        "0, 1 * count(*) FROM new_rows AS r WHERE (true) GROUP BY r.creator_id "
        "ORDER BY r.creator_id ON CONFLICT (list_name, owner_id, slot) DO "
        "UPDATE SET total = list_count.total + excluded.total; RETURN NULL; END "
        "$post_count_insert$"
    ),
    (
        "CREATE TRIGGER post_count_insert AFTER INSERT ON post REFERENCING NEW "
        "TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "post_count_insert()"
    ),
    (
        "CREATE FUNCTION post_count_delete() RETURNS trigger LANGUAGE plpgsql "
        "AS $post_count_delete$ BEGIN INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'posts', "
        "'00000000-0000-0000-0000-000000000000'::uuid, (txid_current() % "
        "16)::smallint, -1 * count(*) FROM old_rows AS r WHERE (true) HAVING "
        "count(*) > 0 ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_posts', r.creator_id, "
        "0, -1 * count(*) FROM old_rows AS r WHERE (true) GROUP BY r.creator_id "
        "ORDER BY r.creator_id ON CONFLICT (list_name, owner_id, slot) DO "
        "UPDATE SET total = list_count.total + excluded.total; RETURN NULL; END "
        "$post_count_delete$"
    ),
    (
        "CREATE TRIGGER post_count_delete AFTER DELETE ON post REFERENCING OLD "
        "TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "post_count_delete()"
    ),
    (
        "CREATE FUNCTION post_attachment_count_insert() RETURNS trigger "
        "LANGUAGE plpgsql AS $post_attachment_count_insert$ BEGIN INSERT INTO "
        "list_count (list_name, owner_id, slot, total) SELECT "
        "'post_attachments', r.post_id, 0, 1 * count(*) FROM new_rows AS r "
        "WHERE (true) GROUP BY r.post_id ORDER BY r.post_id ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; RETURN NULL; END $post_attachment_count_insert$"
    ),
    (
        "CREATE TRIGGER post_attachment_count_insert AFTER INSERT ON "
        "post_attachment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION post_attachment_count_insert()"
    ),
    (
        "CREATE FUNCTION post_attachment_count_delete() RETURNS trigger "
        "LANGUAGE plpgsql AS $post_attachment_count_delete$ BEGIN INSERT INTO "
        "list_count (list_name, owner_id, slot, total) SELECT "
        "'post_attachments', r.post_id, 0, -1 * count(*) FROM old_rows AS r "
        "WHERE (true) GROUP BY r.post_id ORDER BY r.post_id ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; RETURN NULL; END $post_attachment_count_delete$"
    ),
    (
        "CREATE TRIGGER post_attachment_count_delete AFTER DELETE ON "
        "post_attachment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION post_attachment_count_delete()"
    ),
    (
        "CREATE FUNCTION post_comment_count_insert() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_comment_count_insert$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'post_comments', r.post_id, "
        "0, 1 * count(*) FROM new_rows AS r WHERE (true) GROUP BY r.post_id "
        "ORDER BY r.post_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; RETURN NULL; END "
        "$post_comment_count_insert$"
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
        "0, -1 * count(*) FROM old_rows AS r WHERE (true) GROUP BY r.post_id "
        "ORDER BY r.post_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; RETURN NULL; END "
        "$post_comment_count_delete$"
    ),
    (
        "CREATE TRIGGER post_comment_count_delete AFTER DELETE ON post_comment "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "post_comment_count_delete()"
    ),
)

DROP_SQLITE = (
    ("DROP TRIGGER IF EXISTS notification_count_insert"),
    ("DROP TRIGGER IF EXISTS notification_count_delete"),
    ("DROP TRIGGER IF EXISTS notification_count_update"),
    ("DROP TRIGGER IF EXISTS post_count_insert"),
    ("DROP TRIGGER IF EXISTS post_count_delete"),
    ("DROP TRIGGER IF EXISTS post_attachment_count_insert"),
    ("DROP TRIGGER IF EXISTS post_attachment_count_delete"),
    ("DROP TRIGGER IF EXISTS post_comment_count_insert"),
    ("DROP TRIGGER IF EXISTS post_comment_count_delete"),
)

CREATE_SQLITE = (
    (
        "CREATE TRIGGER notification_count_insert AFTER INSERT ON notification "
        "BEGIN INSERT INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'notifications', NEW.user_id, 0, 1 WHERE (true) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'unread_notifications', NEW.user_id, 0, 1 WHERE "
        "(NEW.read_at IS NULL) ON CONFLICT (list_name, owner_id, slot) DO "
        "UPDATE SET total = list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER notification_count_delete AFTER DELETE ON notification "
        "BEGIN INSERT INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'notifications', OLD.user_id, 0, -1 WHERE (true) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'unread_notifications', OLD.user_id, 0, -1 WHERE "
        "(OLD.read_at IS NULL) ON CONFLICT (list_name, owner_id, slot) DO "
        "UPDATE SET total = list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER notification_count_update AFTER UPDATE OF read_at ON "
        "notification BEGIN INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'unread_notifications', NEW.user_id, 0, 1 WHERE "
        "(NEW.read_at IS NULL) AND NOT (OLD.read_at IS NULL) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'unread_notifications', OLD.user_id, 0, -1 WHERE "
        "(OLD.read_at IS NULL) AND NOT (NEW.read_at IS NULL) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_count_insert AFTER INSERT ON post BEGIN INSERT "
        "INTO list_count (list_name, owner_id, slot, total) SELECT 'posts', "
        "'00000000000000000000000000000000', 0, 1 WHERE (true) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_posts', NEW.creator_id, 0, 1 WHERE (true) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_count_delete AFTER DELETE ON post BEGIN INSERT "
        "INTO list_count (list_name, owner_id, slot, total) SELECT 'posts', "
        "'00000000000000000000000000000000', 0, -1 WHERE (true) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_posts', OLD.creator_id, 0, -1 WHERE (true) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_attachment_count_insert AFTER INSERT ON "
        "post_attachment BEGIN INSERT INTO list_count (list_name, owner_id, "
        "slot, total) SELECT 'post_attachments', NEW.post_id, 0, 1 WHERE (true) "
        "ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_attachment_count_delete AFTER DELETE ON "
        "post_attachment BEGIN INSERT INTO list_count (list_name, owner_id, "
        "slot, total) SELECT 'post_attachments', OLD.post_id, 0, -1 WHERE "
        "(true) ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_comment_count_insert AFTER INSERT ON post_comment "
        "BEGIN INSERT INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'post_comments', NEW.post_id, 0, 1 WHERE (true) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_comment_count_delete AFTER DELETE ON post_comment "
        "BEGIN INSERT INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'post_comments', OLD.post_id, 0, -1 WHERE (true) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; END"
    ),
)


def upgrade() -> None:
    statements: tuple[str, ...]
    if op.get_bind().dialect.name == "postgresql":
        statements = (*DROP_POSTGRESQL, *CREATE_POSTGRESQL)
    else:
        statements = (*DROP_SQLITE, *CREATE_SQLITE)
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    # The triggers installed here count what the previous revision's did,
    # under the same names (which its own downgrade drops): nothing to undo.
    pass
