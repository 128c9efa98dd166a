"""The embedded task queue's SQLite settings (plaza/db.py)."""

from __future__ import annotations

from pathlib import Path

from plaza.db import PlazaSqliteHuey


def test_task_queue_commits_without_a_disk_flush(tmp_path: Path) -> None:
    huey = PlazaSqliteHuey("plaza-test", filename=str(tmp_path / "tasks.sqlite3"), timeout=20)
    conn = huey.storage.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 20000
    huey.storage.enqueue(b"task", 0)
    assert huey.storage.queue_size() == 1
