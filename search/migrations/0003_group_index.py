"""Groups in the full-text side index (see search.backends): an FTS5 table on SQLite, a
``tsvector`` table with a GIN index on PostgreSQL, filled with the groups that exist."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from search.backends import backend_for
    from search.index import group_doc

    engine = backend_for(schema_editor.connection.vendor)
    engine.create_groups(schema_editor)
    group_model = apps.get_model("groups", "Group")
    engine.upsert_groups([group_doc(g) for g in group_model.objects.all().iterator()])


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from search.backends import backend_for

    backend_for(schema_editor.connection.vendor).drop_groups(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_fulltext_index"),
        ("groups", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
