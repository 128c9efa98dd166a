"""The issue-4 extension of the bench network: groups, messages, media and the search index.

Built on top of the base network (:mod:`bench.build`) as a separate step with its own marker
(``bench-extension.json`` beside the SQLite file, a ``bench_extension`` table in PostgreSQL),
so adding it never forces the base (1M posts) to be rebuilt; it is built when missing, or
when the base or :class:`ExtParams` changed. Rows go through the same :class:`Sink`:

- 1,000 groups (70% public, 20% private, 10% secret; heavy-tailed sizes) owned by random
  accounts, with memberships; the *busy* group (private, request to join) has every measured
  account and 1,800 others as members and 2,000 of the group posts;
- 20,000 group posts (discussions, questions, announcements), with ids below the base's
  newest post id so the between-runs reset (``bench/credentials.py``) keeps them;
- 20,000 media attachments on public posts (so ``has:media`` has something to find);
- 100,000 direct messages in 4,000 one-to-one and 100 group conversations, read state and
  inbox sort keys consistent; 10 one-to-one conversations between measured accounts are the
  message-delivery scenario's pairs;
- the full-text index (:mod:`search.backends`) of every account, group and post, written with
  the same normalisation as :mod:`search.index` (FTS5 rows on SQLite; on PostgreSQL a staging
  table and ``to_tsvector`` in one ``INSERT ... SELECT``, GIN indexes built after the load).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tqdm import tqdm

from accounts.models import Account
from bench.build import SENTENCES, TAGS, Built, Sink, Table, _snowflakes, _sql_value
from groups.models import Group, Membership
from messaging.models import Conversation, Message, Participant
from posts.models import Hashtag, MediaAttachment, Post, PostHashtag
from search.backends import (
    ACCOUNT_DOC,
    ACCOUNT_FTS,
    GROUP_DOC,
    GROUP_FTS,
    POST_DOC,
    POST_FTS,
    backend_for,
    group_token,
    normalise,
)
from search.index import tag_token

MARKER = "bench-extension.json"
MARKER_TABLE = "bench_extension"
TOPIC_WORDS = ["club", "circle", "guild", "community", "crew", "network", "lab", "society"]
MESSAGES = [
    "Are we still on for Thursday?",
    "Sent you the slides from the meetup",
    "Thanks, that fixed the pipeline",
    "Coffee at ten?",
    "Can you review my draft when you have a minute",
    "Great talk today, congratulations",
]


@dataclass(frozen=True)
class ExtParams:
    """What the extension is made of; a different value means rebuilding the extension only."""

    groups: int = 1_000
    busy_members: int = 2_000
    group_posts: int = 20_000
    busy_group_posts: int = 2_000
    media_posts: int = 20_000
    messages: int = 100_000
    conversations: int = 4_000
    group_conversations: int = 100
    pairs: int = 10  # message-delivery pairs (measured accounts)
    seed: int = 4
    version: int = 1  # bump when the extension changes what it writes

    @classmethod
    def small(cls) -> ExtParams:
        return cls(
            groups=50, busy_members=200, group_posts=2_000, busy_group_posts=500,
            media_posts=500, messages=5_000, conversations=300, group_conversations=10, pairs=5,
        )  # fmt: skip


@dataclass
class Extended:
    """What the scenarios need to know about the extension."""

    params: dict[str, Any]
    base_max_post_id: int  # ties the extension to one build of the base network
    busy_group_handle: str
    max_message_id: int
    pairs: list[list[int]]  # [conversation id, sender user id, receiver user id]
    counts: dict[str, int] = field(default_factory=dict)

    def matches(self, built: Built, params: ExtParams) -> bool:
        return self.params == asdict(params) and self.base_max_post_id == built.max_post_id

    @classmethod
    def from_json(cls, text: str) -> Extended | None:
        try:
            return cls(**json.loads(text))
        except (TypeError, ValueError):
            return None


class _Exec:
    """The ``schema_editor.execute`` the search backends' ``create`` expects, over a sink."""

    def __init__(self, db: Sink) -> None:
        self.db = db

    def execute(self, sql: str, params: Any = None) -> None:
        self.db.execute(sql)


def _t(name: str, columns: list[str]) -> Any:
    """A pseudo :class:`Table` for a table that is not a model (index and staging tables)."""
    return SimpleNamespace(name=name, columns=columns, consts=())


def _ids(db: Sink, sql: str) -> list[int]:
    return [int(r[0]) for r in db.rows(sql)]


def extend(db: Sink, built: Built, p: ExtParams) -> Extended:
    """Add groups, messages, media and the search index to the base network in ``db``."""
    rng = random.Random(p.seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    accounts_t = Account._meta.db_table
    account_ids = _ids(db, f'SELECT id FROM "{accounts_t}" ORDER BY user_id')
    user_of = {a: i + 1 for i, a in enumerate(account_ids)}  # users are 1..n in the base
    n = len(account_ids)
    base_days = built.params["days"]
    last = dt.datetime.fromtimestamp((built.max_post_id >> 16) / 1000, dt.UTC)
    first = last - dt.timedelta(days=base_days)
    span = (last - first).total_seconds() - 1

    def past(k: int) -> list[dt.datetime]:
        return sorted(first + dt.timedelta(seconds=span * rng.random()) for _ in range(k))

    measured = list(built.measured_ids)
    counts: dict[str, int] = {}

    # --- groups and memberships --------------------------------------------------------------
    group_ids = list(_snowflakes(rng, past(p.groups)))
    vis = ["private"] + [
        rng.choices(["public", "private", "secret"], [70, 20, 10])[0] for _ in range(p.groups - 1)
    ]
    policy = {"public": "open", "private": "request", "secret": "invite"}
    owners = [rng.randrange(n) for _ in range(p.groups)]
    members: list[set[int]] = []
    for g in range(p.groups):
        if g == 0:
            others = max(0, p.busy_members - len(measured))
            chosen = set(measured) | {account_ids[i] for i in rng.sample(range(n), others)}
        else:
            size = min(2_000, max(2, int(rng.paretovariate(1.1) * 6)))
            chosen = {account_ids[rng.randrange(n)] for _ in range(size)}
        chosen.add(account_ids[owners[g]])
        members.append(chosen)
    handles = ["busy_group"] + [f"group_{g}" for g in range(1, p.groups)]
    topics = [rng.sample(TAGS, 2) for _ in range(p.groups)]
    names = [f"{topics[g][0].capitalize()} {rng.choice(TOPIC_WORDS)} {g}" for g in range(p.groups)]
    db.insert(
        Table(Group, ["id", "name", "handle", "description", "topics", "visibility",
                      "join_policy", "owner", "member_count", "created_at"], now),
        (
            (group_ids[g], names[g], handles[g],
             f"People talking about {topics[g][0]} and {topics[g][1]}.", json.dumps(topics[g]),
             vis[g], policy[vis[g]], account_ids[owners[g]], len(members[g]),
             _sql_value(first))
            for g in range(p.groups)
        ),
        p.groups, "groups",
    )  # fmt: skip
    total_members = sum(len(m) for m in members)
    membership_ids = _snowflakes(rng, (first for _ in range(total_members)))
    db.insert(
        Table(Membership, ["id", "group", "account", "role"], now),
        (
            (next(membership_ids), group_ids[g], a,
             "owner" if a == account_ids[owners[g]] else "member")
            for g in range(p.groups)
            for a in sorted(members[g])
        ),
        total_members, "memberships",
    )  # fmt: skip
    counts["groups"], counts["memberships"] = p.groups, total_members

    # --- group posts (ids below the base's newest: the between-runs reset keeps them) ---------
    in_busy = [0] * p.busy_group_posts + [
        1 + rng.randrange(p.groups - 1) for _ in range(p.group_posts - p.busy_group_posts)
    ]
    rng.shuffle(in_busy)
    post_times = past(p.group_posts)
    post_ids = list(_snowflakes(rng, post_times))
    member_lists = [sorted(m) for m in members]
    kinds = rng.choices(["discussion", "question", "announcement"], [80, 15, 5], k=p.group_posts)

    def group_post_rows() -> Iterator[tuple[Any, ...]]:
        for i, g in enumerate(in_busy):
            text = f"{rng.choice(SENTENCES)} in the {names[g]}"
            yield (
                post_ids[i], rng.choice(member_lists[g]), text, f"<p>{text}</p>", "unlisted",
                group_ids[g], kinds[i], _sql_value(post_times[i]),
            )  # fmt: skip

    db.insert(
        Table(Post, ["id", "author", "text", "html", "visibility", "group", "group_kind",
                     "created_at"], now),
        group_post_rows(), p.group_posts, "group posts",
    )  # fmt: skip
    counts["group_posts"] = p.group_posts

    # --- media on public posts ------------------------------------------------------------------
    posts_t = Post._meta.db_table
    public = _ids(
        db,
        f"SELECT id FROM \"{posts_t}\" WHERE visibility = 'public' AND reshare_of_id IS NULL "
        f"AND group_id IS NULL AND id <= {int(built.max_post_id)}",
    )
    with_media = sorted(rng.sample(public, min(p.media_posts, len(public))))
    authors = dict(db.rows(f'SELECT id, author_id FROM "{posts_t}" WHERE id IN '
                           f"({','.join(map(str, with_media))})")) if with_media else {}  # fmt: skip
    media_ids = _snowflakes(rng, (first for _ in with_media))
    db.insert(
        Table(MediaAttachment, ["id", "account", "post", "kind", "state", "file",
                                "content_type", "width", "height", "alt_text"], now),
        (
            (next(media_ids), authors[pid], pid, "image", "ready", f"media/bench/{pid}.webp",
             "image/webp", 1200, 800, "A synthetic picture")
            for pid in with_media
        ),
        len(with_media), "media",
    )  # fmt: skip
    counts["media"] = len(with_media)

    # --- conversations, participants, messages --------------------------------------------------
    pairs_idx = [(measured[2 * k], measured[2 * k + 1]) for k in range(p.pairs)]
    convs: list[list[int]] = [list(pair) for pair in pairs_idx]
    seen = {tuple(sorted(c)) for c in convs}
    while len(convs) < p.conversations:
        a, b = account_ids[rng.randrange(n)], account_ids[rng.randrange(n)]
        if a != b and tuple(sorted((a, b))) not in seen:
            seen.add(tuple(sorted((a, b))))
            convs.append([a, b])
    one_to_one = len(convs)
    for _ in range(p.group_conversations):
        convs.append(sorted({account_ids[rng.randrange(n)] for _ in range(rng.randint(3, 20))}))
    conv_ids = list(_snowflakes(rng, past(len(convs))))
    weights = [rng.paretovariate(1.3) for _ in convs]
    msg_conv = rng.choices(range(len(convs)), weights, k=p.messages)
    msg_times = past(p.messages)
    msg_ids = list(_snowflakes(rng, msg_times))
    last_msg: dict[int, int] = {}
    for i, c in enumerate(msg_conv):
        last_msg[c] = i  # times are sorted: the last seen is the newest
    db.insert(
        Table(Conversation, ["id", "kind", "title", "created_by", "created_at",
                             "last_message_at", "last_message", "pair_key"], now),
        (
            (conv_ids[c], "one_to_one" if c < one_to_one else "group",
             "" if c < one_to_one else f"Group chat {c}", convs[c][0],
             _sql_value(first),
             _sql_value(msg_times[last_msg[c]]) if c in last_msg else None,
             msg_ids[last_msg[c]] if c in last_msg else None,
             f"{min(convs[c])}:{max(convs[c])}" if c < one_to_one else None)
            for c in range(len(convs))
        ),
        len(convs), "conversations",
    )  # fmt: skip
    db.insert(
        Table(Participant, ["conversation", "account", "role", "last_read_message_id",
                            "sort_key", "joined_at"], now),
        (
            (conv_ids[c], a, "owner" if a == convs[c][0] and c >= one_to_one else "member",
             msg_ids[last_msg[c]] if c in last_msg else None,
             msg_ids[last_msg[c]] if c in last_msg else conv_ids[c], _sql_value(first))
            for c in range(len(convs))
            for a in convs[c]
        ),
        sum(len(c) for c in convs), "participants",
    )  # fmt: skip

    def message_rows() -> Iterator[tuple[Any, ...]]:
        for i, c in enumerate(msg_conv):
            text = rng.choice(MESSAGES)
            yield (msg_ids[i], conv_ids[c], rng.choice(convs[c]), text, f"<p>{text}</p>",
                   _sql_value(msg_times[i]))  # fmt: skip

    db.insert(
        Table(Message, ["id", "conversation", "sender", "text", "html", "created_at"], now),
        message_rows(), p.messages, "messages",
    )  # fmt: skip
    counts["conversations"], counts["messages"] = len(convs), p.messages

    counts.update(_index(db, set(with_media)))
    return Extended(
        params=asdict(p),
        base_max_post_id=built.max_post_id,
        busy_group_handle=handles[0],
        max_message_id=max(msg_ids),
        pairs=[[conv_ids[k], user_of[a], user_of[b]] for k, (a, b) in enumerate(pairs_idx)],
        counts=counts,
    )


# --- the full-text index -------------------------------------------------------------------------


def _index(db: Sink, with_media: set[int]) -> dict[str, int]:
    """Fill the search index for every account, group and post (emptied first)."""
    pg = db.vendor == "postgresql"
    engine = backend_for(db.vendor)
    accounts_t, posts_t = Account._meta.db_table, Post._meta.db_table
    groups_t = Group._meta.db_table
    tags_t, hashtag_t = PostHashtag._meta.db_table, Hashtag._meta.db_table
    if pg:
        for table, indexes in (
            (POST_DOC, ("doc_idx", "author_idx", "media_idx")),
            (ACCOUNT_DOC, ("doc_idx",)),
            (GROUP_DOC, ("doc_idx",)),
        ):
            for suffix in indexes:
                db.execute(f"DROP INDEX IF EXISTS {table}_{suffix}")
            db.execute(f"DELETE FROM {table}")  # fmt: skip
    else:
        for table in (POST_FTS, ACCOUNT_FTS, GROUP_FTS):
            db.execute(f"DELETE FROM {table}")
    db.commit()

    names: dict[int, str] = {}
    account_rows = []
    for pk, username, display, bio in db.rows(
        f'SELECT id, username, display_name, bio FROM "{accounts_t}"'
    ):
        names[pk] = normalise(f"{username} {display}")
        account_rows.append((pk, normalise(username), normalise(display), normalise(bio)))
    group_rows = [
        (pk, normalise(name), normalise(handle), normalise(desc),
         " ".join(tag_token(str(t)) for t in (json.loads(tp) if isinstance(tp, str) else tp)))
        for pk, name, handle, desc, tp in db.rows(
            f'SELECT id, name, handle, description, topics FROM "{groups_t}"'
        )
    ]  # fmt: skip
    agg = "string_agg(h.name, ' ')" if pg else "group_concat(h.name, ' ')"
    total = int(db.scalar(f'SELECT COUNT(*) FROM "{posts_t}" WHERE reshare_of_id IS NULL'))

    def post_rows() -> Iterator[tuple[Any, ...]]:
        for pk, author, cw, text, tags, group in db.rows(
            f"SELECT p.id, p.author_id, p.content_warning, p.text, (SELECT {agg} FROM "
            f'"{tags_t}" t JOIN "{hashtag_t}" h ON h.id = t.hashtag_id WHERE t.post_id = p.id), '
            f'p.group_id FROM "{posts_t}" p WHERE p.reshare_of_id IS NULL'
        ):
            tag_words = " ".join(tag_token(t) for t in (tags or "").split())
            body = normalise(f"{cw} {text}")
            if pg:
                yield (pk, author, pk in with_media, body, tag_words, names.get(author, ""),
                       group_token(group))  # fmt: skip
            else:
                flags = f"a{author}" + (" hasmedia" if pk in with_media else "")
                if group is not None:
                    flags += f" {group_token(group)}"
                yield (pk, body, names.get(author, ""), tag_words, flags)

    if pg:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS bench_fts_stage (id bigint, author_id "
                   "bigint, has_media boolean, a text, b text, c text, d text)")  # fmt: skip
        stage = ["id", "author_id", "has_media", "a", "b", "c", "d"]
        db.insert(_t("bench_fts_stage", ["id", "a", "b", "c"]),
                  ((r[0], r[1], r[2], r[3]) for r in account_rows), len(account_rows),
                  "index accounts")  # fmt: skip
        db.execute(
            f"INSERT INTO {ACCOUNT_DOC} (account_id, doc) SELECT id, "
            "setweight(to_tsvector('simple', a), 'A') || setweight(to_tsvector('simple', b), "
            "'B') || setweight(to_tsvector('simple', c), 'D') FROM bench_fts_stage"
        )
        db.execute("TRUNCATE bench_fts_stage")
        db.insert(_t("bench_fts_stage", ["id", "a", "b", "c", "d"]),
                  ((g[0], g[1], g[4], g[2], g[3]) for g in group_rows), len(group_rows),
                  "index groups")  # fmt: skip
        db.execute(
            f"INSERT INTO {GROUP_DOC} (group_id, doc) SELECT id, "
            "setweight(to_tsvector('simple', a), 'A') || setweight(to_tsvector('simple', b), "
            "'B') || setweight(to_tsvector('simple', c), 'C') || "
            "setweight(to_tsvector('simple', d), 'D') FROM bench_fts_stage"
        )
        db.execute("TRUNCATE bench_fts_stage")
        db.insert(_t("bench_fts_stage", stage), post_rows(), total, "index posts")
        bar = tqdm(total=1, desc="index tsvector", leave=False)
        db.execute(
            f"INSERT INTO {POST_DOC} (post_id, author_id, has_media, doc) SELECT id, author_id, "
            "has_media, setweight(to_tsvector('simple', a), 'A') || "
            "setweight(to_tsvector('simple', b), 'B') || setweight(to_tsvector('simple', c), "
            "'C') || setweight(to_tsvector('simple', d), 'D') FROM bench_fts_stage"
        )
        db.execute("DROP TABLE bench_fts_stage")
        db.commit()
        bar.update(1)
        bar.close()
        bar = tqdm(total=1, desc="index GIN build", leave=False)
        engine.create(_Exec(db))  # type: ignore[arg-type]  # built once, over all rows
        db.commit()
        bar.update(1)
        bar.close()
    else:
        db.insert(_t(ACCOUNT_FTS, ["rowid", "username", "name", "bio"]), account_rows,
                  len(account_rows), "index accounts")  # fmt: skip
        db.insert(_t(GROUP_FTS, ["rowid", "name", "handle", "description", "topics"]),
                  group_rows, len(group_rows), "index groups")  # fmt: skip
        db.insert(_t(POST_FTS, ["rowid", "body", "author", "tags", "flags"]), post_rows(),
                  total, "index posts")  # fmt: skip
        bar = tqdm(total=1, desc="index optimize", leave=False)
        db.execute(f"INSERT INTO {POST_FTS}({POST_FTS}) VALUES ('optimize')")
        db.commit()
        bar.update(1)
        bar.close()
    return {"indexed_accounts": len(account_rows), "indexed_groups": len(group_rows),
            "indexed_posts": total}  # fmt: skip


# --- markers and the entry points run.py calls ------------------------------------------------


def prepare_sqlite(path: Path, built: Built, p: ExtParams) -> Extended:
    """The extension in the SQLite file at ``path``: reused when its marker matches, else
    built (after deleting an older extension's rows)."""
    from bench.build import SqliteSink

    marker = path.parent / MARKER
    try:
        ext = Extended.from_json(marker.read_text())
    except OSError:
        ext = None
    if ext is not None and ext.matches(built, p):
        print(f"Reusing the issue-4 extension in {path.parent}.")
        return ext
    print(f"Building the issue-4 extension in {path.parent}: {p.groups:,} groups, "
          f"{p.messages:,} messages, the search index.")  # fmt: skip
    marker.unlink(missing_ok=True)
    sink = SqliteSink(path)
    _drop_old(sink, built)
    ext = extend(sink, built, p)
    sink.execute("ANALYZE")
    sink.commit()
    sink.finish()
    marker.write_text(json.dumps(asdict(ext), indent=1))
    print(f"Extension built: {ext.counts}")
    return ext


def prepare_pg(url: str, built: Built, p: ExtParams) -> Extended:
    """As :func:`prepare_sqlite`, in the PostgreSQL database at ``url``."""
    import psycopg

    from bench.build import PgSink

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(f"SELECT data FROM {MARKER_TABLE}").fetchone()
        ext = Extended.from_json(row[0]) if row else None
    except psycopg.Error:
        ext = None
    if ext is not None and ext.matches(built, p):
        print("Reusing the issue-4 extension in PostgreSQL.")
        return ext
    print(f"Building the issue-4 extension in PostgreSQL: {p.groups:,} groups, "
          f"{p.messages:,} messages, the search index.")  # fmt: skip
    sink = PgSink(url)
    sink.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
    _drop_old(sink, built)
    ext = extend(sink, built, p)
    sink.execute(f"CREATE TABLE {MARKER_TABLE} (data text NOT NULL)")
    sink.execute(f"INSERT INTO {MARKER_TABLE} (data) VALUES (?)", [json.dumps(asdict(ext))])
    sink.commit()
    sink.finish()  # ANALYZE
    print(f"Extension built: {ext.counts}")
    return ext


def _drop_old(db: Sink, built: Built) -> None:
    """Remove what an earlier extension wrote (a half-built one too): its groups (their posts,
    memberships...), media on base posts, conversations and messages. Base rows stay."""
    posts_t = Post._meta.db_table
    for table in (
        Message._meta.db_table,
        Participant._meta.db_table,
        Conversation._meta.db_table,
        Membership._meta.db_table,
        MediaAttachment._meta.db_table,
    ):
        db.execute(f'DELETE FROM "{table}"')  # fmt: skip
    group_tables = [
        rel.related_model._meta.db_table  # type: ignore[union-attr]
        for rel in Group._meta.get_fields(include_hidden=True)
        if rel.auto_created and not rel.concrete and rel.related_model not in (Post, Membership)
    ]
    for table in group_tables:
        db.execute(f'DELETE FROM "{table}"')
    db.execute(f'DELETE FROM "{posts_t}" WHERE group_id IS NOT NULL')
    db.execute(f'DELETE FROM "{Group._meta.db_table}"')
    db.commit()
