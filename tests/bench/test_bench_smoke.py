"""The benchmark's network builder at a tiny size: row counts and shape, no server, no timing."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from bench.build import Built, Params, build
from bench.run import migrate, table
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


def test_report_table_lines_up_figures_and_targets() -> None:
    run = {
        "workers": 1,
        "home": {"p50_ms": 9.5, "p99_ms": 55.0, "requests_per_s": 120.0, "errors": 0},
        "posting": {"posts_per_s": 40.0, "errors": 0},
        "fanout": {"followers": 20000, "median_s": 0.8, "max_s": 1.1},
    }
    text = table({"runs": [run]})
    assert "9.5 ms" in text and "ok" in text and "MISSED" in text
    assert "fan-out to 20,000 followers" in text
