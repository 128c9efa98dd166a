"""Bulk writes for seeding: plain INSERTs, counters recomputed from rows, feed fan-out in SQL.

Product code writes through actions, one event at a time. A seeder has thousands of events
that all happened "in the past", so it inserts rows directly and then derives everything
actions would have kept up to date (counters, home-feed entries) from those rows in a few
set-based statements. The result must be indistinguishable from what the actions produce;
``tests/demo`` checks the home feeds against :func:`feeds.actions.fan_out` post by post.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models

from accounts.models import Account, Visibility
from feeds.models import HomeFeedEntry
from network.models import Connection, Follow
from plaza.ids import id_for_time
from posts.models import Like, Mention, Post

BATCH = 2000


def q(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def bulk_insert(objs: Sequence[models.Model], *, batch: int = BATCH) -> None:
    """INSERT unsaved instances as they are: unlike ``bulk_create``, ``auto_now_add`` fields
    keep the historical value we set, and no signals or ``save()`` run."""
    if not objs:
        return
    meta = objs[0]._meta
    fields = [
        f
        for f in meta.concrete_fields
        if not (
            f.primary_key
            and isinstance(f, models.AutoField)
            and getattr(objs[0], f.attname) is None
        )
    ]
    cols = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({cols}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            rows = [
                [f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields]
                for o in objs[start : start + batch]
            ]
            cursor.executemany(sql, rows)


class SnowflakeMaker:
    """Ids for events that happened at a given time: the time's id plus random low bits."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[int] = set()

    def __call__(self, when: Any) -> int:
        base = id_for_time(when)
        for _ in range(1000):
            ident = base | self.rng.getrandbits(16)
            if ident not in self.used:
                self.used.add(ident)
                return ident
        raise RuntimeError("no free snowflake id in this millisecond")


def execute(sql: str, params: Iterable[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return max(cursor.rowcount, 0)


def fix_account_counters() -> None:
    """Recompute the denormalized counters on every account from the relationship rows."""
    acc, follow, conn, post = q(Account), q(Follow), q(Connection), q(Post)
    execute(
        f"UPDATE {acc} SET "
        f"followers_count = (SELECT COUNT(*) FROM {follow} f WHERE f.target_id = {acc}.id), "
        f"following_count = (SELECT COUNT(*) FROM {follow} f WHERE f.follower_id = {acc}.id), "
        f"connections_count = (SELECT COUNT(*) FROM {conn} c WHERE c.account_id = {acc}.id), "
        f"posts_count = (SELECT COUNT(*) FROM {post} p WHERE p.author_id = {acc}.id), "
        f"last_posted_at = (SELECT MAX(p.created_at) FROM {post} p "
        f"WHERE p.author_id = {acc}.id AND p.reshare_of_id IS NULL)"
    )


def fix_post_counters(min_id: int) -> None:
    """Recompute reply, like, reshare and quote counters of posts with ``id >= min_id``."""
    post, like = q(Post), q(Like)
    execute(
        f"UPDATE {post} SET "
        f"replies_count = (SELECT COUNT(*) FROM {post} r WHERE r.in_reply_to_id = {post}.id), "
        f"likes_count = (SELECT COUNT(*) FROM {like} l WHERE l.post_id = {post}.id), "
        f"reshares_count = (SELECT COUNT(*) FROM {post} r WHERE r.reshare_of_id = {post}.id), "
        f"quotes_count = (SELECT COUNT(*) FROM {post} r WHERE r.quote_of_id = {post}.id) "
        f"WHERE id >= %s",
        [min_id],
    )


def fan_out_all(min_id: int) -> int:
    """Deliver every post with ``id >= min_id`` the way :func:`feeds.actions.fan_out` does,
    in four set-based statements instead of four per post. Returns rows written."""
    entry, post, follow, conn, mention, acc = (
        q(HomeFeedEntry),
        q(Post),
        q(Follow),
        q(Connection),
        q(Mention),
        q(Account),
    )
    insert = f"INSERT INTO {entry} (owner_id, post_id, source_id) "
    tail = " ON CONFLICT (owner_id, post_id) DO NOTHING"
    to_followers = [v.value for v in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.FOLLOWERS)]
    to_connections = [*to_followers, Visibility.CONNECTIONS.value]

    def reply_ok(owner: str) -> str:
        # A reply to someone else reaches only people who also follow (or are connected
        # to) the account replied to, and that account itself.
        return (
            "(p.in_reply_to_account_id IS NULL OR p.in_reply_to_account_id = p.author_id"
            f" OR p.in_reply_to_account_id = {owner}"
            f" OR EXISTS (SELECT 1 FROM {follow} f2 WHERE f2.target_id = p.in_reply_to_account_id"
            f" AND f2.follower_id = {owner})"
            f" OR EXISTS (SELECT 1 FROM {conn} c2 WHERE c2.other_id = p.in_reply_to_account_id"
            f" AND c2.account_id = {owner}))"
        )

    not_too_big = f"p.author_id IN (SELECT id FROM {acc} WHERE followers_count <= %s)"
    limit = settings.PLAZA.fanout_limit
    written = execute(
        f"{insert} SELECT p.author_id, p.id, p.author_id FROM {post} p WHERE p.id >= %s{tail}",
        [min_id],
    )
    marks_f = ", ".join(["%s"] * len(to_followers))
    written += execute(
        f"{insert} SELECT f.follower_id, p.id, p.author_id FROM {post} p "
        f"JOIN {follow} f ON f.target_id = p.author_id "
        f"WHERE p.id >= %s AND p.visibility IN ({marks_f}) "
        f"AND (p.reshare_of_id IS NULL OR f.show_reshares) AND {not_too_big} "
        f"AND {reply_ok('f.follower_id')}{tail}",
        [min_id, *to_followers, limit],
    )
    marks_c = ", ".join(["%s"] * len(to_connections))
    written += execute(
        f"{insert} SELECT c.account_id, p.id, p.author_id FROM {post} p "
        f"JOIN {conn} c ON c.other_id = p.author_id "
        f"WHERE p.id >= %s AND p.visibility IN ({marks_c}) AND {not_too_big} "
        f"AND {reply_ok('c.account_id')}{tail}",
        [min_id, *to_connections, limit],
    )
    written += execute(
        f"{insert} SELECT m.account_id, p.id, p.author_id FROM {mention} m "
        f"JOIN {post} p ON p.id = m.post_id WHERE p.id >= %s{tail}",
        [min_id],
    )
    return written
