"""tags_favorites_follows_and_drafts

Posts gain a slug (every slug a post has had is kept in post_slug), a
description, a status (draft or published) with the time they were first
published, and their tags (rows of tag, linked by post_tag, and their names
on the post). Users gain a bio and an image. Favorites (post_favorite) and
follows (user_follow) are new; a notification's post and comment may be
null (a follow has neither).

Existing posts are published, at the time they were created, and get their
slugs here, in batches. The public lists are now ordered by publication:
their indexes change, and the drafts get one of their own. The counted
lists' triggers are replaced by those of the declarations as they are today
(published posts only; tags, favorites, follows and drafts counted); the
counts of existing data stay right (every existing post is published, and
there are no tags, favorites or follows yet).

On SQLite, making notification's columns nullable rebuilds its table,
which drops its triggers: they are installed again with the others.

Revision ID: 917d43fb0418
Revises: b4e1c9d27a35
Create Date: 2026-12-04 18:30:00.000000+00:00

"""

import importlib.util
import secrets
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from slugify import slugify
from sqlalchemy.exc import SAWarning

from alembic import op

revision: str = "917d43fb0418"
down_revision: str | Sequence[str] | None = "b4e1c9d27a35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLUG_MAX_LENGTH = 80
SUFFIX_CHARACTERS = 6
SLUG_BATCH = 5_000
PUBLISHED = "status = 'published'"
DRAFT = "status = 'draft'"
LISTED_TAG = "published_at IS NOT NULL"


def _slug_base(title: str) -> str:
    room = SLUG_MAX_LENGTH - SUFFIX_CHARACTERS - 1
    return slugify(title, max_length=room, word_boundary=True) or "post"


def _suffixed(base: str) -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    suffix = "".join(secrets.choice(alphabet) for _ in range(SUFFIX_CHARACTERS))
    return f"{base}-{suffix}"


def _give_existing_posts_slugs() -> None:
    connection = op.get_bind()
    post = sa.table(
        "post", sa.column("id", sa.Uuid()), sa.column("title"), sa.column("slug")
    )
    post_slug = sa.table(
        "post_slug", sa.column("slug"), sa.column("post_id", sa.Uuid())
    )
    taken: set[str] = set()
    last = None
    while True:
        query = sa.select(post.c.id, post.c.title).order_by(post.c.id).limit(SLUG_BATCH)
        if last is not None:
            query = query.where(post.c.id > last)
        batch = connection.execute(query).all()
        if not batch:
            return
        last = batch[-1].id
        slugs = []
        for post_id, title in batch:
            base = slug = _slug_base(title)
            while slug in taken:
                slug = _suffixed(base)
            taken.add(slug)
            slugs.append({"slug": slug, "post_id": post_id, "id": post_id})
        connection.execute(sa.insert(post_slug), slugs)
        connection.execute(
            sa.update(post)
            .where(post.c.id == sa.bindparam("id"))
            .values(slug=sa.bindparam("slug")),
            slugs,
        )


def _create_link_tables() -> None:
    op.create_table(
        "tag",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("tag_pkey")),
        sa.UniqueConstraint("name", name=op.f("tag_name_key")),
    )
    op.create_table(
        "user_follow",
        sa.Column("follower_id", sa.Uuid(), nullable=False),
        sa.Column("followee_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "follower_id != followee_id", name=op.f("user_follow_not_self_check")
        ),
        sa.ForeignKeyConstraint(
            ["followee_id"],
            ["auth_user.id"],
            name=op.f("user_follow_followee_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follower_id"],
            ["auth_user.id"],
            name=op.f("user_follow_follower_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "follower_id", "followee_id", name=op.f("user_follow_pkey")
        ),
    )
    for owner, other in (("followee", "follower"), ("follower", "followee")):
        op.create_index(
            f"user_follow_{owner}_id_created_at_idx",
            "user_follow",
            [f"{owner}_id", "created_at", f"{other}_id"],
        )
    op.create_table(
        "post_favorite",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("post_favorite_post_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("post_favorite_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "post_id", name=op.f("post_favorite_pkey")),
    )
    op.create_index("post_favorite_post_id_idx", "post_favorite", ["post_id"])
    op.create_index(
        "post_favorite_user_id_created_at_idx",
        "post_favorite",
        ["user_id", "created_at", "post_id"],
    )
    op.create_table(
        "post_slug",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("post_slug_post_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("post_slug_pkey")),
    )
    op.create_index("post_slug_post_id_idx", "post_slug", ["post_id"])
    op.create_table(
        "post_tag",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("creator_id", sa.Uuid(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("post_tag_post_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["tag.id"],
            name=op.f("post_tag_tag_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "tag_id", name=op.f("post_tag_pkey")),
    )
    for name, columns in (
        (
            "post_tag_tag_id_creator_id_idx",
            ["tag_id", "creator_id", "published_at", "post_id"],
        ),
        ("post_tag_tag_id_published_at_idx", ["tag_id", "published_at", "post_id"]),
    ):
        op.create_index(
            name,
            "post_tag",
            columns,
            postgresql_where=sa.text(LISTED_TAG),
            sqlite_where=sa.text(LISTED_TAG),
        )


def _partial_index(name: str, columns: list[str], where: str) -> None:
    op.create_index(
        name,
        "post",
        columns,
        postgresql_where=sa.text(where),
        sqlite_where=sa.text(where),
    )


def _notification_references(*, nullable: bool) -> None:
    # SQLite rebuilds the table; reflecting it reads auth_user too, whose
    # index on lower(username) SQLite's reflection cannot read (and the
    # rebuild does not touch).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        with op.batch_alter_table("notification") as batch_op:
            for column in ("post_id", "comment_id"):
                batch_op.alter_column(
                    column, existing_type=sa.Uuid(), nullable=nullable
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
    _create_link_tables()
    op.add_column(
        "auth_user", sa.Column("bio", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "auth_user", sa.Column("image", sa.String(length=2048), nullable=True)
    )
    op.create_index(
        "list_count_tag_posts_idx",
        "list_count",
        ["total", "owner_id"],
        postgresql_where=sa.text("list_name = 'tag_posts'"),
        sqlite_where=sa.text("list_name = 'tag_posts'"),
    )
    _drop_triggers(postgresql)
    _notification_references(nullable=True)
    for added in (
        sa.Column("slug", sa.String(length=80), nullable=False, server_default=""),
        sa.Column(
            "description", sa.String(length=500), nullable=False, server_default=""
        ),
        sa.Column(
            "status", sa.String(length=16), nullable=False, server_default="published"
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"),
    ):
        op.add_column("post", added)
    op.execute("UPDATE post SET published_at = created_at")
    _give_existing_posts_slugs()
    op.drop_index("post_created_at_idx", table_name="post")
    op.drop_index("post_creator_id_created_at_idx", table_name="post")
    _partial_index("post_published_at_idx", ["published_at", "id"], PUBLISHED)
    _partial_index(
        "post_creator_id_published_at_idx",
        ["creator_id", "published_at", "id"],
        PUBLISHED,
    )
    _partial_index(
        "post_creator_id_created_at_idx", ["creator_id", "created_at", "id"], DRAFT
    )
    for statement in CREATE_POSTGRESQL if postgresql else CREATE_SQLITE:
        op.execute(statement)


def _previous() -> ModuleType:
    # The triggers as the previous revision left them.
    path = Path(__file__).with_name("2026-12-04_counted_lists_declared_in_models.py")
    spec = importlib.util.spec_from_file_location("previous_revision", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    _drop_triggers(postgresql)
    op.drop_index("post_creator_id_created_at_idx", table_name="post")
    op.drop_index("post_creator_id_published_at_idx", table_name="post")
    op.drop_index("post_published_at_idx", table_name="post")
    op.create_index(
        "post_creator_id_created_at_idx", "post", ["creator_id", "created_at", "id"]
    )
    op.create_index("post_created_at_idx", "post", ["created_at", "id"])
    # Drafts have no place in the previous schema.
    op.execute("DELETE FROM post WHERE status = 'draft'")
    for column in ("tags", "published_at", "status", "description", "slug"):
        op.drop_column("post", column)
    op.execute("DELETE FROM notification WHERE post_id IS NULL OR comment_id IS NULL")
    _notification_references(nullable=False)
    op.drop_index("list_count_tag_posts_idx", table_name="list_count")
    op.execute(
        "DELETE FROM list_count WHERE list_name IN ('user_drafts', 'tag_posts', "
        "'post_favorites', 'user_favorites', 'user_followers', 'user_following')"
    )
    op.drop_column("auth_user", "image")
    op.drop_column("auth_user", "bio")
    for table in ("post_tag", "post_slug", "post_favorite", "user_follow", "tag"):
        op.drop_table(table)
    previous = _previous()
    for statement in (
        previous.CREATE_POSTGRESQL if postgresql else previous.CREATE_SQLITE
    ):
        op.execute(statement)


TRIGGERS = (
    ("notification_count_insert", "notification"),
    ("notification_count_delete", "notification"),
    ("notification_count_update", "notification"),
    ("post_count_insert", "post"),
    ("post_count_delete", "post"),
    ("post_count_update", "post"),
    ("post_attachment_count_insert", "post_attachment"),
    ("post_attachment_count_delete", "post_attachment"),
    ("post_comment_count_insert", "post_comment"),
    ("post_comment_count_delete", "post_comment"),
    ("post_favorite_count_insert", "post_favorite"),
    ("post_favorite_count_delete", "post_favorite"),
    ("post_tag_count_insert", "post_tag"),
    ("post_tag_count_delete", "post_tag"),
    ("post_tag_count_update", "post_tag"),
    ("user_follow_count_insert", "user_follow"),
    ("user_follow_count_delete", "user_follow"),
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
        "16)::smallint, 1 * count(*) FROM new_rows AS r WHERE (r.status = "
        "'published') HAVING count(*) > 0 ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; INSERT "
        "INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'user_drafts', r.creator_id, 0, 1 * count(*) FROM new_rows AS r WHERE "
        "(r.status = 'draft') GROUP BY r.creator_id ORDER BY r.creator_id ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_posts', r.creator_id, 0, 1 * "
        "count(*) FROM new_rows AS r WHERE (r.status = 'published') GROUP BY "
        "r.creator_id ORDER BY r.creator_id ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; RETURN "
        "NULL; END $post_count_insert$"
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
        "16)::smallint, -1 * count(*) FROM old_rows AS r WHERE (r.status = "
        "'published') HAVING count(*) > 0 ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; INSERT "
        "INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'user_drafts', r.creator_id, 0, -1 * count(*) FROM old_rows AS r WHERE "
        "(r.status = 'draft') GROUP BY r.creator_id ORDER BY r.creator_id ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_posts', r.creator_id, 0, -1 * "
        "count(*) FROM old_rows AS r WHERE (r.status = 'published') GROUP BY "
        "r.creator_id ORDER BY r.creator_id ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; RETURN "
        "NULL; END $post_count_delete$"
    ),
    (
        "CREATE TRIGGER post_count_delete AFTER DELETE ON post REFERENCING OLD "
        "TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "post_count_delete()"
    ),
    (
        "CREATE FUNCTION post_count_update() RETURNS trigger LANGUAGE plpgsql "
        "AS $post_count_update$ BEGIN INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'posts', "
        "'00000000-0000-0000-0000-000000000000'::uuid, (txid_current() % "
        "16)::smallint, 1 * count(*) FROM old_rows AS o JOIN new_rows AS n ON "
        "n.id = o.id WHERE (n.status = 'published') AND NOT (o.status = "
        "'published') HAVING count(*) > 0 ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; INSERT "
        "INTO list_count (list_name, owner_id, slot, total) SELECT 'posts', "
        "'00000000-0000-0000-0000-000000000000'::uuid, (txid_current() % "
        "16)::smallint, -1 * count(*) FROM old_rows AS o JOIN new_rows AS n ON "
        "n.id = o.id WHERE (o.status = 'published') AND NOT (n.status = "
        "'published') HAVING count(*) > 0 ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; INSERT "
        "INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'user_drafts', n.creator_id, 0, 1 * count(*) FROM old_rows AS o JOIN "
        "new_rows AS n ON n.id = o.id WHERE (n.status = 'draft') AND NOT "
        "(o.status = 'draft') GROUP BY n.creator_id ORDER BY n.creator_id ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_drafts', o.creator_id, 0, -1 * "
        "count(*) FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id WHERE "
        "(o.status = 'draft') AND NOT (n.status = 'draft') GROUP BY "
        "o.creator_id ORDER BY o.creator_id ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; INSERT "
        "INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'user_posts', n.creator_id, 0, 1 * count(*) FROM old_rows AS o JOIN "
        "new_rows AS n ON n.id = o.id WHERE (n.status = 'published') AND NOT "
        "(o.status = 'published') GROUP BY n.creator_id ORDER BY n.creator_id "
        "ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_posts', o.creator_id, 0, -1 * "
        "count(*) FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id WHERE "
        "(o.status = 'published') AND NOT (n.status = 'published') GROUP BY "
        "o.creator_id ORDER BY o.creator_id ON CONFLICT (list_name, owner_id, "
        "slot) DO UPDATE SET total = list_count.total + excluded.total; RETURN "
        "NULL; END $post_count_update$"
    ),
    (
        "CREATE TRIGGER post_count_update AFTER UPDATE ON post REFERENCING OLD "
        "TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE "
        "FUNCTION post_count_update()"
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
    (
        "CREATE FUNCTION post_favorite_count_insert() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_favorite_count_insert$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'post_favorites', r.post_id, "
        "0, 1 * count(*) FROM new_rows AS r WHERE (true) GROUP BY r.post_id "
        "ORDER BY r.post_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_favorites', r.user_id, "
        "0, 1 * count(*) FROM new_rows AS r WHERE (true) GROUP BY r.user_id "
        "ORDER BY r.user_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; RETURN NULL; END "
        "$post_favorite_count_insert$"
    ),
    (
        "CREATE TRIGGER post_favorite_count_insert AFTER INSERT ON "
        "post_favorite REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION post_favorite_count_insert()"
    ),
    (
        "CREATE FUNCTION post_favorite_count_delete() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_favorite_count_delete$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'post_favorites', r.post_id, "
        "0, -1 * count(*) FROM old_rows AS r WHERE (true) GROUP BY r.post_id "
        "ORDER BY r.post_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_favorites', r.user_id, "
        "0, -1 * count(*) FROM old_rows AS r WHERE (true) GROUP BY r.user_id "
        "ORDER BY r.user_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE "
        "SET total = list_count.total + excluded.total; RETURN NULL; END "
        "$post_favorite_count_delete$"
    ),
    (
        "CREATE TRIGGER post_favorite_count_delete AFTER DELETE ON "
        "post_favorite REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION post_favorite_count_delete()"
    ),
    (
        "CREATE FUNCTION post_tag_count_insert() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_tag_count_insert$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'tag_posts', r.tag_id, 0, 1 "
        "* count(*) FROM new_rows AS r WHERE (r.published_at IS NOT NULL) GROUP "
        "BY r.tag_id ORDER BY r.tag_id ON CONFLICT (list_name, owner_id, slot) "
        "DO UPDATE SET total = list_count.total + excluded.total; RETURN NULL; "
        "END $post_tag_count_insert$"
    ),
    (
        "CREATE TRIGGER post_tag_count_insert AFTER INSERT ON post_tag "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "post_tag_count_insert()"
    ),
    (
        "CREATE FUNCTION post_tag_count_delete() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_tag_count_delete$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'tag_posts', r.tag_id, 0, -1 "
        "* count(*) FROM old_rows AS r WHERE (r.published_at IS NOT NULL) GROUP "
        "BY r.tag_id ORDER BY r.tag_id ON CONFLICT (list_name, owner_id, slot) "
        "DO UPDATE SET total = list_count.total + excluded.total; RETURN NULL; "
        "END $post_tag_count_delete$"
    ),
    (
        "CREATE TRIGGER post_tag_count_delete AFTER DELETE ON post_tag "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "post_tag_count_delete()"
    ),
    (
        "CREATE FUNCTION post_tag_count_update() RETURNS trigger LANGUAGE "
        "plpgsql AS $post_tag_count_update$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'tag_posts', n.tag_id, 0, 1 "
        "* count(*) FROM old_rows AS o JOIN new_rows AS n ON n.post_id = "
        "o.post_id AND n.tag_id = o.tag_id WHERE (n.published_at IS NOT NULL) "
        "AND NOT (o.published_at IS NOT NULL) GROUP BY n.tag_id ORDER BY "
        "n.tag_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'tag_posts', o.tag_id, 0, -1 * count(*) "
        "FROM old_rows AS o JOIN new_rows AS n ON n.post_id = o.post_id AND "
        "n.tag_id = o.tag_id WHERE (o.published_at IS NOT NULL) AND NOT "
        "(n.published_at IS NOT NULL) GROUP BY o.tag_id ORDER BY o.tag_id ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; RETURN NULL; END "
        "$post_tag_count_update$"
    ),
    (
        "CREATE TRIGGER post_tag_count_update AFTER UPDATE ON post_tag "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH "
        "STATEMENT EXECUTE FUNCTION post_tag_count_update()"
    ),
    (
        "CREATE FUNCTION user_follow_count_insert() RETURNS trigger LANGUAGE "
        "plpgsql AS $user_follow_count_insert$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_followers', "
        "r.followee_id, 0, 1 * count(*) FROM new_rows AS r WHERE (true) GROUP "
        "BY r.followee_id ORDER BY r.followee_id ON CONFLICT (list_name, "
        "owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_following', r.follower_id, 0, 1 * count(*) FROM "
        "new_rows AS r WHERE (true) GROUP BY r.follower_id ORDER BY "
        "r.follower_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; RETURN NULL; END "
        "$user_follow_count_insert$"
    ),
    (
        "CREATE TRIGGER user_follow_count_insert AFTER INSERT ON user_follow "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "user_follow_count_insert()"
    ),
    (
        "CREATE FUNCTION user_follow_count_delete() RETURNS trigger LANGUAGE "
        "plpgsql AS $user_follow_count_delete$ BEGIN INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_followers', "
        "r.followee_id, 0, -1 * count(*) FROM old_rows AS r WHERE (true) GROUP "
        "BY r.followee_id ORDER BY r.followee_id ON CONFLICT (list_name, "
        "owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_following', r.follower_id, 0, -1 * count(*) FROM "
        "old_rows AS r WHERE (true) GROUP BY r.follower_id ORDER BY "
        "r.follower_id ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; RETURN NULL; END "
        "$user_follow_count_delete$"
    ),
    (
        "CREATE TRIGGER user_follow_count_delete AFTER DELETE ON user_follow "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "user_follow_count_delete()"
    ),
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
        "'00000000000000000000000000000000', 0, 1 WHERE (NEW.status = "
        "'published') ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_drafts', "
        "NEW.creator_id, 0, 1 WHERE (NEW.status = 'draft') ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_posts', NEW.creator_id, 0, 1 WHERE (NEW.status = "
        "'published') ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_count_delete AFTER DELETE ON post BEGIN INSERT "
        "INTO list_count (list_name, owner_id, slot, total) SELECT 'posts', "
        "'00000000000000000000000000000000', 0, -1 WHERE (OLD.status = "
        "'published') ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; INSERT INTO list_count "
        "(list_name, owner_id, slot, total) SELECT 'user_drafts', "
        "OLD.creator_id, 0, -1 WHERE (OLD.status = 'draft') ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_posts', OLD.creator_id, 0, -1 WHERE (OLD.status = "
        "'published') ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_count_update AFTER UPDATE OF status ON post BEGIN "
        "INSERT INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'posts', '00000000000000000000000000000000', 0, 1 WHERE (NEW.status = "
        "'published') AND NOT (OLD.status = 'published') ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'posts', '00000000000000000000000000000000', 0, -1 WHERE "
        "(OLD.status = 'published') AND NOT (NEW.status = 'published') ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_drafts', NEW.creator_id, 0, 1 "
        "WHERE (NEW.status = 'draft') AND NOT (OLD.status = 'draft') ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_drafts', OLD.creator_id, 0, -1 "
        "WHERE (OLD.status = 'draft') AND NOT (NEW.status = 'draft') ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_posts', NEW.creator_id, 0, 1 WHERE "
        "(NEW.status = 'published') AND NOT (OLD.status = 'published') ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_posts', OLD.creator_id, 0, -1 "
        "WHERE (OLD.status = 'published') AND NOT (NEW.status = 'published') ON "
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
    (
        "CREATE TRIGGER post_favorite_count_insert AFTER INSERT ON "
        "post_favorite BEGIN INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'post_favorites', NEW.post_id, 0, 1 WHERE (true) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_favorites', NEW.user_id, 0, 1 "
        "WHERE (true) ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_favorite_count_delete AFTER DELETE ON "
        "post_favorite BEGIN INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'post_favorites', OLD.post_id, 0, -1 WHERE (true) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; INSERT INTO list_count (list_name, "
        "owner_id, slot, total) SELECT 'user_favorites', OLD.user_id, 0, -1 "
        "WHERE (true) ON CONFLICT (list_name, owner_id, slot) DO UPDATE SET "
        "total = list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_tag_count_insert AFTER INSERT ON post_tag BEGIN "
        "INSERT INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'tag_posts', NEW.tag_id, 0, 1 WHERE (NEW.published_at IS NOT NULL) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_tag_count_delete AFTER DELETE ON post_tag BEGIN "
        "INSERT INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'tag_posts', OLD.tag_id, 0, -1 WHERE (OLD.published_at IS NOT NULL) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER post_tag_count_update AFTER UPDATE OF published_at ON "
        "post_tag BEGIN INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'tag_posts', NEW.tag_id, 0, 1 WHERE (NEW.published_at IS "
        "NOT NULL) AND NOT (OLD.published_at IS NOT NULL) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'tag_posts', OLD.tag_id, 0, -1 WHERE (OLD.published_at "
        "IS NOT NULL) AND NOT (NEW.published_at IS NOT NULL) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; END"
    ),
    (
        "CREATE TRIGGER user_follow_count_insert AFTER INSERT ON user_follow "
        "BEGIN INSERT INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'user_followers', NEW.followee_id, 0, 1 WHERE (true) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_following', NEW.follower_id, 0, 1 WHERE (true) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
    (
        "CREATE TRIGGER user_follow_count_delete AFTER DELETE ON user_follow "
        "BEGIN INSERT INTO list_count (list_name, owner_id, slot, total) SELECT "
        "'user_followers', OLD.followee_id, 0, -1 WHERE (true) ON CONFLICT "
        "(list_name, owner_id, slot) DO UPDATE SET total = list_count.total + "
        "excluded.total; INSERT INTO list_count (list_name, owner_id, slot, "
        "total) SELECT 'user_following', OLD.follower_id, 0, -1 WHERE (true) ON "
        "CONFLICT (list_name, owner_id, slot) DO UPDATE SET total = "
        "list_count.total + excluded.total; END"
    ),
)
