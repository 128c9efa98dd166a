"""The PostgreSQL side of the bench: a private cluster, the ``plaza_bench`` database, its build.

The cluster is started with ``scripts/start-postgres.sh`` (the one the test suite uses) in the
bench's own directory and port, so test runs on the shared test cluster neither see nor
disturb the bench's data. The build's parameters are recorded in a ``bench_build`` table in
the database itself: a later run with the same parameters reuses the database, anything else
(or a missing table, e.g. a fresh cluster) drops and rebuilds it.
"""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.build import Built, Params

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "plaza_bench"
MARKER_TABLE = "bench_build"


def binaries() -> str | None:
    """The newest installed PostgreSQL server ``bin`` directory, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return str(Path(found[-1]).parent) if found else None


def _as_pg() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def is_running(cluster_dir: Path) -> bool:
    pg = binaries()
    if pg is None or not (cluster_dir / "PG_VERSION").exists():
        return False
    cmd = [*_as_pg(), f"{pg}/pg_ctl", "-D", str(cluster_dir), "status"]
    return subprocess.run(cmd, capture_output=True, check=False).returncode == 0


def start_cluster(cluster_dir: Path, port: int) -> str:
    """Start (or reuse) the cluster; returns the ``plaza_bench`` database URL, created if
    missing."""
    env = {**os.environ, "PLAZA_PG_DIR": str(cluster_dir), "PLAZA_PG_PORT": str(port)}
    out = subprocess.run(
        [str(ROOT / "scripts" / "start-postgres.sh")],
        env=env, capture_output=True, text=True, check=True, timeout=300,
    ).stdout  # fmt: skip
    match = re.search(r"PLAZA_TEST_DATABASE_URL=(\S+)", out)
    if not match:
        raise RuntimeError(f"scripts/start-postgres.sh printed no URL: {out!r}")
    url = match.group(1).rsplit("/", 1)[0] + "/" + DB_NAME
    create_database(url)
    return url


def stop_cluster(cluster_dir: Path) -> None:
    """Stop the cluster (only called when this run started it)."""
    pg = binaries()
    if pg:
        cmd = [*_as_pg(), f"{pg}/pg_ctl", "-D", str(cluster_dir), "-m", "fast", "stop"]
        subprocess.run(cmd, capture_output=True, check=False, timeout=60)


def _admin_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def create_database(url: str, *, drop: bool = False) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_admin_url(url), autocommit=True) as admin:
        if drop:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def load_marker(url: str) -> Built | None:
    import psycopg

    from bench.build import Built

    try:
        with psycopg.connect(url) as db:
            row = db.execute(f"SELECT data FROM {MARKER_TABLE}").fetchone()
    except psycopg.Error:
        return None
    try:
        return Built(**json.loads(row[0])) if row else None
    except (TypeError, ValueError):
        return None


def save_marker(url: str, built: Built) -> None:
    import psycopg

    with psycopg.connect(url) as db:
        db.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (data text NOT NULL)")
        db.execute(f"DELETE FROM {MARKER_TABLE}")
        db.execute(f"INSERT INTO {MARKER_TABLE} (data) VALUES (%s)", [json.dumps(asdict(built))])


def migrate(env: dict[str, str]) -> None:
    """``manage.py migrate`` with ``env`` (``PLAZA_DATABASE_URL`` pointing at the database)."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=600,
    )  # fmt: skip


def analyze(url: str) -> None:
    """Refresh the planner's statistics (after migrations added tables or columns)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def prepare(url: str, env: dict[str, str], params: Params, *, rebuild: bool = False) -> Built:
    """Reuse the database at ``url`` when it was built with ``params``; else rebuild it.
    ``env`` is the environment ``manage.py migrate`` runs with (``PLAZA_DATABASE_URL=url``)."""
    from bench.build import PgSink, build

    built = None if rebuild else load_marker(url)
    if built is not None and built.params == asdict(params):
        print(f"Reusing the PostgreSQL network in {url} (built with the same parameters).")
        migrate(env)  # tables added since the build (new apps' migrations)
        analyze(url)  # new columns have no statistics yet; stale ones mislead the planner
        return built
    print(
        f"Building the PostgreSQL network in {url}: "
        f"{params.accounts:,} accounts, {params.posts:,} posts."
    )
    started = time.monotonic()
    create_database(url, drop=True)
    migrate(env)
    built = build(PgSink(url), params)
    built.counts["build_seconds"] = round(time.monotonic() - started)
    save_marker(url, built)
    print(f"Built in {built.counts['build_seconds']} s: {built.counts}")
    return built
