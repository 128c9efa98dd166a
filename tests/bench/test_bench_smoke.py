"""The benchmark at a tiny size: the builder's rows and shape, credentials, and every scenario
against a live tiny server (SQLite; the PostgreSQL builder too when the suite runs on
PostgreSQL). No timing assertions."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench import pg
from bench import scenarios as sc
from bench.build import Built, Params, PgSink, build
from bench.run import ROOT, Target, bench_env, credentials, migrate, run_once, table
from plaza.ids import time_of

TINY = Params(accounts=120, posts=900, celebrity_followers=60, measured=10, feed_depth=40)


def test_builder_makes_the_network_it_promises(tmp_path: Path) -> None:
    migrate(tmp_path)
    built = build(tmp_path / "plaza.sqlite3", TINY)
    built.save(tmp_path / "bench-build.json")
    assert Built.load(tmp_path / "bench-build.json") == built

    db = sqlite3.connect(tmp_path / "plaza.sqlite3")

    def one(sql: str, *args: object) -> int:
        return int(db.execute(sql, args).fetchone()[0])

    assert one("SELECT COUNT(*) FROM accounts_user") == 120
    assert one("SELECT COUNT(*) FROM accounts_account") == 120
    assert one("SELECT COUNT(*) FROM posts_post") == 900
    # The celebrity has exactly the followers asked for; counters agree with rows.
    assert one("SELECT COUNT(*) FROM network_follow WHERE target_id = ?", built.celebrity_id) == 60
    assert (
        one(
            "SELECT COUNT(*) FROM accounts_account a WHERE followers_count != "
            "(SELECT COUNT(*) FROM network_follow f WHERE f.target_id = a.id) OR following_count != "
            "(SELECT COUNT(*) FROM network_follow f WHERE f.follower_id = a.id) OR posts_count != "
            "(SELECT COUNT(*) FROM posts_post p WHERE p.author_id = a.id)"
        )
        == 0
    )
    assert (
        one(
            "SELECT COUNT(*) FROM posts_post p WHERE replies_count != "
            "(SELECT COUNT(*) FROM posts_post r WHERE r.in_reply_to_id = p.id) OR reshares_count != "
            "(SELECT COUNT(*) FROM posts_post r WHERE r.reshare_of_id = p.id)"
        )
        == 0
    )
    # Snowflake ids: the high bits are the creation time in ms.
    for ident, created in db.execute("SELECT id, created_at FROM posts_post LIMIT 50"):
        when = dt.datetime.fromisoformat(created).replace(tzinfo=dt.UTC)
        assert abs((time_of(ident) - when).total_seconds()) < 0.002
    assert (
        one("SELECT COUNT(*) FROM posts_post WHERE reshare_of_id IS NOT NULL AND text != ''") == 0
    )
    # Home feeds: at most feed_depth entries for each measured account, newest posts first.
    assert len(built.measured_ids) == 10
    for owner in built.measured_ids:
        n = one("SELECT COUNT(*) FROM feeds_homefeedentry WHERE owner_id = ?", owner)
        assert 0 < n <= 40
    assert one("SELECT COUNT(*) FROM feeds_homefeedentry") == built.counts["home_feed_entries"]
    # Every entry is a post by the owner or by someone the owner follows.
    assert (
        one(
            "SELECT COUNT(*) FROM feeds_homefeedentry e WHERE e.source_id != e.owner_id AND NOT "
            "EXISTS (SELECT 1 FROM network_follow f WHERE f.follower_id = e.owner_id "
            "AND f.target_id = e.source_id)"
        )
        == 0
    )
    db.close()


def test_credentials_and_every_scenario_against_a_live_tiny_server(tmp_path: Path) -> None:
    migrate(tmp_path)
    built = build(tmp_path / "plaza.sqlite3", TINY)
    target = Target("sqlite", tmp_path, built)
    users = built.measured_user_ids[:3]
    sessions, tokens = credentials(target, users)
    assert sorted(sessions) == sorted(tokens) == sorted(users)
    # Issued by mastodon.actions.issue_token: the rows carry the sha256 checksum lookups use.
    db = sqlite3.connect(tmp_path / "plaza.sqlite3")
    stored = {r[0] for r in db.execute("SELECT token_checksum FROM oauth2_provider_accesstoken")}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens.values()}

    args = argparse.Namespace(home_requests=6, posts=4, fanout_trials=1, max_seconds=15)
    run = run_once(target, 1, args)
    assert run["home"]["requests"] == 6 and run["home"]["errors"] == 0
    assert run["api_home"]["requests"] == 6 and run["api_home"]["errors"] == 0
    assert run["api_home"]["page_size"] > 0  # a real page of statuses, not an empty list
    assert run["posting"]["posts"] == 4 and run["posting"]["errors"] == 0
    assert run["api_posting"]["posts"] == 4 and run["api_posting"]["errors"] == 0
    assert run["fanout"]["incomplete"] == 0 and run["fanout"]["followers"] == 60
    # What the run posted is there; the next run's credentials() deletes it again.
    newer = "SELECT COUNT(*) FROM posts_post WHERE id > ?"
    assert db.execute(newer, (built.max_post_id,)).fetchone()[0] == 4 + 4 + 1
    credentials(target, users)
    assert db.execute(newer, (built.max_post_id,)).fetchone()[0] == 0
    db.close()


def _postgres_url() -> str | None:
    url = os.environ.get("PLAZA_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.mark.skipif(_postgres_url() is None, reason="the suite is not running on PostgreSQL")
def test_postgres_builder_copies_the_same_network(tmp_path: Path) -> None:
    base = _postgres_url()
    assert base is not None
    url = base.rsplit("/", 1)[0] + "/plaza_bench_smoke"
    pg.create_database(url, drop=True)
    try:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env=bench_env(tmp_path, url), check=True,
        )  # fmt: skip
        built = build(PgSink(url), TINY)
        assert built.counts["posts"] == 900 and built.counts["accounts"] == 120
        pg.save_marker(url, built)
        assert pg.load_marker(url) == built
        sessions, tokens = credentials(Target("postgres", tmp_path, built, url), [1, 2])
        assert sorted(tokens) == [1, 2] and sorted(sessions) == [1, 2]
        probe = sc.Probe(url=url)
        follows = "SELECT COUNT(*) FROM network_follow WHERE target_id = ?"
        assert probe.one(follows, built.celebrity_id) == 60
        probe.close()
    finally:
        import psycopg

        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute('DROP DATABASE IF EXISTS "plaza_bench_smoke" WITH (FORCE)')


def test_report_table_has_a_section_per_database() -> None:
    run = {
        "workers": 1,
        "home": {"p50_ms": 9.5, "p99_ms": 55.0, "requests_per_s": 120.0, "errors": 0},
        "posting": {"posts_per_s": 40.0, "errors": 0},
        "fanout": {"followers": 20000, "median_s": 0.8, "max_s": 1.1},
        "api_home": {"p50_ms": 7.0, "p99_ms": 20.0, "requests_per_s": 200.0, "errors": 0},
        "api_posting": {"posts_per_s": 120.0, "errors": 0},
    }
    params = {"accounts": 100_000, "posts": 1_000_000}
    section = {"network": {"params": params}, "runs": [run]}
    text = table({"databases": {"sqlite": section, "postgres": {**section, "notes": ["x"]}}})
    assert "SQLite: 100,000 accounts" in text and "PostgreSQL: 100,000 accounts" in text
    assert "9.5 ms" in text and "ok" in text and "MISSED" in text
    assert "fan-out to 20,000 followers" in text
    assert "/api/v1/timelines/home" in text and ">= 150 posts/s  MISSED" in text
