"""The issue-4 extension of the bench at a tiny size: groups, messages, media and the search
index are built consistently beside the base network, reused by marker, and the search, group
feed and message-delivery scenarios run against a live tiny server. No timing assertions."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from bench import extension
from bench.build import build
from bench.extension import MARKER, Extended, ExtParams, prepare_sqlite
from bench.run import Target, _issue4_rows, credentials, migrate, run_once
from tests.bench.test_bench_smoke import TINY

TINY_EXT = ExtParams(
    groups=6, busy_members=12, group_posts=60, busy_group_posts=30, media_posts=20,
    messages=200, conversations=12, group_conversations=2, pairs=2,
)  # fmt: skip


def test_extension_rows_are_consistent_and_reused(tmp_path: Path) -> None:
    migrate(tmp_path)
    path = tmp_path / "plaza.sqlite3"
    built = build(path, TINY)
    ext = prepare_sqlite(path, built, TINY_EXT)
    db = sqlite3.connect(path)

    def one(sql: str, *args: object) -> int:
        return int(db.execute(sql, args).fetchone()[0])

    assert one("SELECT COUNT(*) FROM groups_group") == 6
    # member_count agrees with the rows; every owner is an owner member.
    assert (
        one(
            "SELECT COUNT(*) FROM groups_group g WHERE member_count != (SELECT COUNT(*) FROM "
            "groups_membership m WHERE m.group_id = g.id) OR NOT EXISTS (SELECT 1 FROM "
            "groups_membership m WHERE m.group_id = g.id AND m.account_id = g.owner_id "
            "AND m.role = 'owner')"
        )
        == 0
    )
    busy = one("SELECT id FROM groups_group WHERE handle = ?", ext.busy_group_handle)
    assert one("SELECT COUNT(*) FROM posts_post WHERE group_id = ?", busy) == 30
    # Measured accounts are members of the busy group; group posts are by members and below
    # the base's newest id (the between-runs reset keeps them).
    for account in built.measured_ids:
        assert one("SELECT COUNT(*) FROM groups_membership WHERE group_id = ? AND account_id = ?",
                   busy, account) == 1  # fmt: skip
    assert one("SELECT MAX(id) FROM posts_post WHERE group_id IS NOT NULL") <= built.max_post_id
    assert (
        one(
            "SELECT COUNT(*) FROM posts_post p WHERE group_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM groups_membership m WHERE m.group_id = p.group_id "
            "AND m.account_id = p.author_id)"
        )
        == 0
    )
    assert one("SELECT COUNT(*) FROM posts_mediaattachment") == 20
    # Messages: the conversations' newest message and every participant's sort key agree.
    assert one("SELECT COUNT(*) FROM messaging_message") == 200
    assert (
        one(
            "SELECT COUNT(*) FROM messaging_conversation c WHERE last_message_id IS NOT "
            "(SELECT MAX(id) FROM messaging_message m WHERE m.conversation_id = c.id)"
        )
        == 0
    )
    assert (
        one(
            "SELECT COUNT(*) FROM messaging_participant p JOIN messaging_conversation c ON "
            "c.id = p.conversation_id WHERE c.last_message_id IS NOT NULL AND "
            "p.sort_key != c.last_message_id"
        )
        == 0
    )
    assert len(ext.pairs) == 2
    # The search index holds every account, group and original post.
    assert one("SELECT COUNT(*) FROM search_account_fts") == 120
    assert one("SELECT COUNT(*) FROM search_group_fts") == 6
    originals = one("SELECT COUNT(*) FROM posts_post WHERE reshare_of_id IS NULL")
    assert one("SELECT COUNT(*) FROM search_post_fts") == originals
    assert one("SELECT COUNT(*) FROM search_post_fts WHERE search_post_fts MATCH 'hasmedia'") == 20
    db.close()
    # Same parameters and base: reused (the marker); other parameters: rebuilt in place.
    assert Extended.from_json((tmp_path / MARKER).read_text()) == ext
    assert prepare_sqlite(path, built, TINY_EXT) == ext
    again = prepare_sqlite(path, built, ExtParams(**{**ext.params, "groups": 4}))
    assert again.counts["groups"] == 4
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM groups_group").fetchone()[0] == 4


def test_issue4_scenarios_against_a_live_tiny_server(tmp_path: Path) -> None:
    migrate(tmp_path)
    path = tmp_path / "plaza.sqlite3"
    built = build(path, TINY)
    ext = extension.prepare_sqlite(path, built, TINY_EXT)
    target = Target("sqlite", tmp_path, built, ext=ext)
    args = argparse.Namespace(
        home_requests=6, posts=2, fanout_trials=1, max_seconds=20, search_requests=12,
        messages=4,
    )  # fmt: skip
    run = run_once(target, 1, args)
    assert run["search"]["requests"] == 12 and run["search"]["errors"] == 0
    assert set(run["search"]["p50_ms_by_kind"]) <= {
        "one word", "two words", "hashtag", "from:", "in:group", "has:media",
    }  # fmt: skip
    assert run["group_feed"]["requests"] == 6 and run["group_feed"]["errors"] == 0
    assert run["group_feed"]["posts_on_page"] > 0  # a member sees the posts
    delivery = run["delivery"]
    assert delivery["messages"] == 4 and delivery["errors"] == 0 and delivery["lost"] == 0
    rows = _issue4_rows(run, "(1 worker)")
    assert any("message to live channel" in r[0] for r in rows)
    # The messages the run sent are there; the next run's credentials() deletes them.
    db = sqlite3.connect(path)
    newer = "SELECT COUNT(*) FROM messaging_message WHERE id > ?"
    assert db.execute(newer, (ext.max_message_id,)).fetchone()[0] == 4
    credentials(target, built.measured_user_ids[:1])
    assert db.execute(newer, (ext.max_message_id,)).fetchone()[0] == 0
    db.close()
