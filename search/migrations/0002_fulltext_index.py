"""The full-text side index, for whichever database this is (see search.backends).

SQLite gets FTS5 virtual tables, PostgreSQL ``tsvector`` tables with GIN indexes; other
databases have no full-text search. The index starts empty: run
``manage.py rebuild_search_index`` once after upgrading an existing instance.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from search.backends import backend_for

    backend_for(schema_editor.connection.vendor).create(schema_editor)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from search.backends import backend_for

    backend_for(schema_editor.connection.vendor).drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("posts", "__first__"),
        ("accounts", "__first__"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
