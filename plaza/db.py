"""Database tuning shared by the web processes and the task consumer.

``PlazaSqliteHuey``: the embedded task queue (``$PLAZA_DATA_DIR/tasks.sqlite3``, used when
there is no Redis), with the same durability as the main database: WAL with
``synchronous=NORMAL``. Huey's own SQLite storage leaves SQLite's default, ``FULL``, which
syncs the disk on every commit: enqueueing a task, dequeuing it and storing its result each
held the queue's exclusive lock for a disk flush (~3 ms here), so two web workers posting
at once queued behind each other on the task database. With ``NORMAL`` a WAL commit writes
without a flush (the WAL is synced at checkpoints); a power cut may lose the last queued
tasks, as it may lose the last committed posts of the main database, which runs with the
same setting (``plaza/settings.py``).

Importable before Django is set up (``settings.HUEY`` names the class): no models here.
"""

from __future__ import annotations

import sqlite3

from huey import SqliteHuey
from huey.storage import SqliteStorage


class PlazaSqliteStorage(SqliteStorage):
    """Huey's SQLite storage with ``synchronous=NORMAL`` (it already uses WAL)."""

    def _create_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection = super()._create_connection()
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn


class PlazaSqliteHuey(SqliteHuey):
    storage_class = PlazaSqliteStorage
