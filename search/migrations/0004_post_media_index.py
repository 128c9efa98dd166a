"""PostgreSQL: a GIN index over the posts with media, for ``has:media`` searches.

See :meth:`search.backends.PostgresBackend.create_media_index`. SQLite keeps ``has:media`` as
an FTS5 token (``flags : "hasmedia"``), already an index lookup: nothing to do there.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        from search.backends import PostgresBackend

        PostgresBackend().create_media_index(schema_editor)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        from search.backends import POST_DOC

        schema_editor.execute(f"DROP INDEX IF EXISTS {POST_DOC}_media_idx")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_group_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
