"""Group posts carry their group's token in the post index (``in:group`` as an index lookup).

See :mod:`search.backends`: ``g<group id>`` in SQLite's ``flags`` column, and in the
PostgreSQL ``tsvector`` at weight D. This adds the token to the group posts already indexed
(new and re-indexed posts get it from :mod:`search.index`). The reverse leaves the tokens:
nothing reads them without this migration's code.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def backfill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from search.backends import POST_DOC, POST_FTS

    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"UPDATE {POST_DOC} d SET doc = d.doc || "
            "setweight(to_tsvector('simple', 'g' || p.group_id::text), 'D') "
            "FROM posts_post p WHERE p.id = d.post_id AND p.group_id IS NOT NULL"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"UPDATE {POST_FTS} SET flags = flags || ' g' || "
            f"(SELECT group_id FROM posts_post WHERE id = {POST_FTS}.rowid) "
            "WHERE rowid IN (SELECT id FROM posts_post WHERE group_id IS NOT NULL)"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0004_post_media_index"), ("groups", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False)]
