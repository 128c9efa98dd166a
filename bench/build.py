"""Build the synthetic benchmark network straight into a SQLite file or a PostgreSQL database.

The schema comes from ``manage.py migrate``. On SQLite rows go in through the plain
:mod:`sqlite3` module with ``executemany`` in big transactions and ``PRAGMA synchronous=OFF``;
on PostgreSQL through psycopg 3's ``COPY ... FROM STDIN`` with foreign-key triggers off during
the load (:class:`PgSink`). A crash mid-build just means rebuilding. Table and column names
come from the Django models, so the builder follows schema changes. See ``bench/README.md``
for what is materialized.
"""

from __future__ import annotations

import abc
import bisect
import datetime as dt
import heapq
import itertools
import json
import math
import random
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import models
from tqdm import tqdm

from accounts.models import Account, User
from feeds.models import HomeFeedEntry
from network.models import Follow
from posts.models import Hashtag, Post, PostHashtag

BATCH = 50_000
TAGS = [
    "marketing", "dataengineering", "coffee", "books", "launch", "hiring", "events", "python",
    "sql", "design", "startups", "remotework", "growth", "opensource", "reading", "espresso",
    "meetup", "ux", "analytics", "community",
]  # fmt: skip
SENTENCES = [
    "Shipped a small improvement to our onboarding today",
    "Three things I learned this week about pipelines",
    "New single origin on the bar and it tastes like peaches",
    "Our meetup next Thursday has two great talks",
    "Hot take: most dashboards are looked at once a week",
    "Finished a wonderful novel on the train this morning",
    "We are hiring a product designer, salary range in the post",
    "Rewrote the landing page copy and sign-ups went up",
]  # fmt: skip


@dataclass(frozen=True)
class Params:
    """What a built network is made of; a different value means a rebuild."""

    accounts: int = 100_000
    posts: int = 1_000_000
    celebrity_followers: int = 20_000
    mean_following: int = 30
    measured: int = 200  # accounts whose home feeds are materialized and measured
    feed_depth: int = 500  # entries materialized per measured home feed
    days: int = 90
    seed: int = 2026
    version: int = 1  # bump when the builder changes what it writes

    @classmethod
    def small(cls) -> Params:
        return cls(accounts=2_000, posts=20_000, celebrity_followers=1_000, measured=50)


@dataclass
class Built:
    """What the benchmark needs to know about the network it measures."""

    params: dict[str, Any]
    celebrity_id: int
    celebrity_user_id: int
    measured_ids: list[int]
    measured_user_ids: list[int]
    max_post_id: int
    counts: dict[str, int] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> Built | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None


# --- table helpers ---------------------------------------------------------------------------


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


class Table:
    """The columns written for a model: the chosen fields per row, then every other column
    with its model default (the same constant on every row)."""

    def __init__(self, model: type[models.Model], varying: Sequence[str], now: dt.datetime) -> None:
        meta = model._meta
        fields = [meta.get_field(name) for name in varying]
        rest = [
            f
            for f in meta.concrete_fields
            if f.name not in varying and not (f.primary_key and isinstance(f, models.AutoField))
        ]
        consts = []
        for f in rest:
            if f.has_default():
                consts.append(_sql_value(f.get_default()))
            elif f.null:
                consts.append(None)
            elif isinstance(f, models.DateTimeField):
                consts.append(_sql_value(now))
            else:
                consts.append("")  # CharField/TextField without default: blank
        self.consts = tuple(consts)
        self.columns = [f.column for f in fields] + [f.column for f in rest]  # type: ignore[union-attr]
        self.name = meta.db_table


class Sink(abc.ABC):
    """Where the builder's rows go: a database connection and how to bulk-load into it."""

    @abc.abstractmethod
    def write(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        """Bulk-load ``rows`` into ``table``."""

    @abc.abstractmethod
    def execute(self, sql: str, args: Sequence[Any] = ()) -> None:
        """Run one statement."""

    @abc.abstractmethod
    def scalar(self, sql: str) -> Any:
        """The first column of the first row of ``sql``."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Make what was written durable."""

    @abc.abstractmethod
    def rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        """Stream the rows of ``sql`` from a separate connection (writes may go on meanwhile)."""

    vendor = ""

    def finish(self) -> None:  # noqa: B027  (an optional hook: nothing to do by default)
        """After the last row: whatever the database needs before it is queried."""

    def insert(self, table: Table, rows: Iterable[Sequence[Any]], total: int, label: str) -> None:
        bar = tqdm(total=total, desc=f"{label:<14}", unit=" rows", unit_scale=True, leave=False)
        it = iter(rows)
        while chunk := list(itertools.islice(it, BATCH)):
            self.write(table, [(*r, *table.consts) for r in chunk])
            bar.update(len(chunk))
        bar.close()
        self.commit()


class SqliteSink(Sink):
    """``executemany`` in 50,000-row transactions, ``synchronous=OFF`` (a crash = a rebuild)."""

    vendor = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = connect(path)

    def rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        reader = sqlite3.connect(self.path)
        try:
            yield from reader.execute(sql)
        finally:
            reader.close()

    def write(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        quoted = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join("?" * len(table.columns))
        self.db.executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', rows)

    def execute(self, sql: str, args: Sequence[Any] = ()) -> None:
        self.db.execute(sql, tuple(args))

    def scalar(self, sql: str) -> Any:
        return self.db.execute(sql).fetchone()[0]

    def commit(self) -> None:
        self.db.commit()

    def finish(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.close()


class PgSink(Sink):
    """psycopg 3 ``COPY ... FROM STDIN`` (text format: PostgreSQL parses each value as its
    column's type). Foreign-key triggers are off for the load (``session_replication_role =
    replica``, the cluster is the bench's own and we are its superuser): the builder writes
    consistent rows, and checking 5 million references one by one would double the build.
    ``finish`` moves the id sequences past the explicit ids and runs ``ANALYZE``."""

    vendor = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.db = psycopg.connect(url)
        self.db.execute("SET session_replication_role = replica")
        self.db.execute("SET synchronous_commit = off")
        self.db.execute("SET TIME ZONE 'UTC'")  # the builder's timestamps are naive UTC
        self.db.execute("SET maintenance_work_mem = '256MB'")

    def write(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        quoted = ", ".join(f'"{c}"' for c in table.columns)
        with self.db.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as cp:
            for row in rows:
                cp.write_row(row)

    def execute(self, sql: str, args: Sequence[Any] = ()) -> None:
        self.db.execute(sql.replace("?", "%s"), tuple(args))

    def scalar(self, sql: str) -> Any:
        row = self.db.execute(sql).fetchone()
        return row[0] if row else None

    def rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url) as reader, reader.cursor(name="bench_rows") as cur:
            cur.itersize = 20_000  # a server-side cursor: a million rows are never all in memory
            cur.execute(sql)
            yield from cur

    def commit(self) -> None:
        self.db.commit()

    def finish(self) -> None:
        for model in (User, Hashtag):  # the only tables written with explicit serial ids
            table = model._meta.db_table
            self.db.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT MAX(id) FROM "{table}"))'
            )
        self.db.execute("SET session_replication_role = DEFAULT")
        self.db.commit()
        self.db.autocommit = True
        self.db.execute("ANALYZE")
        self.db.close()


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level="DEFERRED")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")
    db.execute("PRAGMA temp_store=MEMORY")
    return db


# --- the network -----------------------------------------------------------------------------


def _snowflakes(rng: random.Random, times: Iterable[dt.datetime]) -> Iterator[int]:
    used: set[int] = set()
    for when in times:
        base = int(when.timestamp() * 1000) << 16
        while (ident := base | rng.getrandbits(16)) in used:
            pass
        used.add(ident)
        yield ident


def _follows(rng: random.Random, p: Params) -> list[list[int]]:
    """following[i] = indexes account i follows. Index 0 is the celebrity with exactly
    ``celebrity_followers`` followers; everyone else is picked with a Zipf weight, so
    follower counts are heavy-tailed (a few thousand at the top, a handful typically)."""
    n = p.accounts
    weights = [1.0 / (rank + 50) for rank in range(n - 1)]
    order = list(range(1, n))
    rng.shuffle(order)  # popularity is not tied to the index
    cum = list(itertools.accumulate(weights))
    mu = math.log(p.mean_following) - 0.5
    following: list[list[int]] = []
    for i in tqdm(range(n), desc="follow graph  ", leave=False, unit_scale=True):
        k = min(n // 2, max(1, int(rng.lognormvariate(mu, 1.0))))
        chosen = {order[bisect.bisect(cum, rng.random() * cum[-1])] for _ in range(k)}
        chosen.discard(i)
        following.append(sorted(chosen))
    for i in rng.sample(range(1, n), k=min(n - 1, p.celebrity_followers)):
        following[i].insert(0, 0)
    return following


def build(target: Path | Sink, p: Params) -> Built:
    """Fill the (migrated, empty) database -- a SQLite file or a :class:`Sink` -- with the
    network described by ``p``."""
    rng = random.Random(p.seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=p.days)
    db = target if isinstance(target, Sink) else SqliteSink(target)
    n = p.accounts

    following = _follows(rng, p)
    followers_count = [0] * n
    for targets in following:
        for t in targets:
            followers_count[t] += 1

    # Posts: authors by activity (heavy-tailed too), 85% originals, 10% replies, 5% reshares.
    activity = list(itertools.accumulate(rng.paretovariate(1.5) for _ in range(n)))
    span = (now - dt.timedelta(minutes=1) - start).total_seconds()
    times = sorted(start + dt.timedelta(seconds=span * rng.random()) for _ in range(p.posts))
    post_ids = list(_snowflakes(rng, times))
    author = [bisect.bisect(activity, rng.random() * activity[-1]) for _ in range(p.posts)]
    author = [min(a, n - 1) for a in author]
    kind = [0] * p.posts  # 0 original, 1 reply, 2 reshare
    parent = [-1] * p.posts
    root = [-1] * p.posts
    replies = [0] * p.posts
    reshares = [0] * p.posts
    visibility = ["public"] * p.posts
    reshared: set[tuple[int, int]] = set()
    for i in tqdm(range(p.posts), desc="posts (plan)  ", leave=False, unit_scale=True):
        r = rng.random()
        if i > 100 and r < 0.15:
            j = i - 1 - int(rng.random() * min(i - 1, 5000))
            if kind[j] == 2 or visibility[j] != "public":
                continue
            if r < 0.10:
                kind[i], parent[i] = 1, j
                root[i] = root[j] if root[j] >= 0 else j
                replies[j] += 1
            elif author[j] != author[i] and (author[i], j) not in reshared:
                reshared.add((author[i], j))
                kind[i], parent[i] = 2, j
                reshares[j] += 1
        elif r > 0.97:
            visibility[i] = "followers" if r > 0.985 else "unlisted"

    users = Table(User, ["id", "username", "email", "password", "date_joined"], now)
    password = "!bench"  # unusable: sessions are made directly, nobody logs in with a form
    db.insert(
        users,
        ((i + 1, f"u{i}", f"u{i}@bench.test", password, _sql_value(now)) for i in range(n)),
        n,
        "users",
    )
    created = [start - dt.timedelta(days=30 + rng.random() * 700) for _ in range(n)]
    account_ids = list(_snowflakes(rng, created))
    posts_count = [0] * n
    last_posted: list[dt.datetime | None] = [None] * n
    for i, a in enumerate(author):
        posts_count[a] += 1
        if kind[i] != 2:
            last_posted[a] = times[i]
    accounts = Table(
        Account,
        [
            "id", "user", "username", "display_name", "bio", "followers_count",
            "following_count", "posts_count", "last_posted_at", "created_at", "interests",
        ],
        now,
    )  # fmt: skip
    db.insert(
        accounts,
        (
            (
                account_ids[i], i + 1, f"u{i}", f"Bench Person {i}",
                "A synthetic account for benchmarks.", followers_count[i], len(following[i]),
                posts_count[i], _sql_value(last_posted[i]), _sql_value(created[i]),
                json.dumps(rng.sample(TAGS, 2)),
            )
            for i in range(n)
        ),
        n,
        "accounts",
    )  # fmt: skip
    follows = Table(Follow, ["follower", "target", "created_at"], now)
    before = _sql_value(start - dt.timedelta(days=1))
    db.insert(
        follows,
        (
            (account_ids[i], account_ids[t], before)
            for i, targets in enumerate(following)
            for t in targets
        ),
        sum(len(t) for t in following),
        "follows",
    )
    posts = Table(
        Post,
        [
            "id", "author", "text", "html", "visibility", "in_reply_to", "in_reply_to_account",
            "thread_root", "reshare_of", "replies_count", "reshares_count", "created_at",
        ],
        now,
    )  # fmt: skip
    tag_of = [rng.randrange(len(TAGS)) for _ in range(p.posts)]

    def post_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(p.posts):
            text = html = ""
            if kind[i] != 2:
                sentence, tag = rng.choice(SENTENCES), TAGS[tag_of[i]]
                text = f"{sentence} #{tag}"
                html = f'<p>{sentence} <a href="/tags/{tag}" class="hashtag">#{tag}</a></p>'
            j = parent[i]
            yield (
                post_ids[i],
                account_ids[author[i]],
                text,
                html,
                visibility[i],
                post_ids[j] if kind[i] == 1 else None,
                account_ids[author[j]] if kind[i] == 1 else None,
                post_ids[root[i]] if kind[i] == 1 else None,
                post_ids[j] if kind[i] == 2 else None,
                replies[i],
                reshares[i],
                _sql_value(times[i]),
            )

    db.insert(posts, post_rows(), p.posts, "posts")
    db.insert(
        Table(Hashtag, ["id", "name", "created_at"], now),
        [(k + 1, t, _sql_value(start)) for k, t in enumerate(TAGS)],
        len(TAGS),
        "hashtags",
    )
    tags = Table(PostHashtag, ["post", "hashtag"], now)
    db.insert(
        tags,
        ((post_ids[i], tag_of[i] + 1) for i in range(p.posts) if kind[i] != 2),
        p.posts,
        "post hashtags",
    )

    # Home feeds: the newest ``feed_depth`` entries of each measured account, computed with
    # the fan-out rules (own posts; followed authors' posts; replies to others only when the
    # owner follows the person replied to; followers-only posts of followed authors).
    candidates = [i for i in range(1, n) if len(following[i]) >= 5]
    measured = sorted(rng.sample(candidates, k=min(p.measured, len(candidates))))
    by_author: dict[int, list[int]] = {}
    for i, a in enumerate(author):
        by_author.setdefault(a, []).append(i)

    def feed(owner: int) -> Iterator[tuple[int, int, int]]:
        follows_set = set(following[owner])
        sources = [owner, *following[owner]]
        streams = [reversed(by_author.get(s, [])) for s in sources]
        taken = 0
        for i in heapq.merge(*streams, reverse=True):
            other = author[parent[i]] if kind[i] == 1 else None
            if (
                other is not None
                and other != author[i]
                and other != owner
                and other not in follows_set
            ):
                continue
            yield account_ids[owner], post_ids[i], account_ids[author[i]]
            taken += 1
            if taken >= p.feed_depth:
                return

    entries = Table(HomeFeedEntry, ["owner", "post", "source"], now)
    db.insert(
        entries,
        (row for owner in measured for row in feed(owner)),
        len(measured) * p.feed_depth,
        "home feeds",
    )
    counts = {
        name: int(db.scalar(f'SELECT COUNT(*) FROM "{model._meta.db_table}"'))
        for name, model in (
            ("accounts", Account), ("follows", Follow), ("posts", Post),
            ("home_feed_entries", HomeFeedEntry), ("post_hashtags", PostHashtag),
        )
    }  # fmt: skip
    db.finish()
    return Built(
        params=asdict(p),
        celebrity_id=account_ids[0],
        celebrity_user_id=1,
        measured_ids=[account_ids[i] for i in measured],
        measured_user_ids=[i + 1 for i in measured],
        max_post_id=max(post_ids),
        counts=counts,
    )
