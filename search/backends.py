"""One full-text interface, two engines: SQLite FTS5 (embedded default), PostgreSQL (production).

Both keep a *side index* written only by :mod:`search.index`:

- posts: the text (and content warning), the author's username and display name, the
  hashtags, and filter keys (author id, has media, group), keyed by the post id;
- accounts: username, display name and bio, keyed by the account id;
- groups: name, handle, description and topic tags, keyed by the group id.

SQLite: FTS5 virtual tables ``search_post_fts(body, author, tags, flags)`` and
``search_account_fts(username, name, bio)`` (rowid = the id; ``flags`` holds the filter
tokens ``a<author id>``, ``hasmedia`` and ``g<group id>`` so ``from:``, ``has:media`` and
``in:group`` are index lookups, not scans). PostgreSQL: tables ``search_post_document`` / ``search_account_document`` with a
weighted ``tsvector`` (body A, tags B, author C, and a group post's ``g<group id>`` token
at D, so ``in:group`` is one GIN lookup) under a GIN index, plus plain columns for the
filters; their foreign keys cascade, so a deleted post leaves no row behind.

Text is normalised in Python before it reaches either engine (lowercase runs of letters and
digits separated by single spaces) so both tokenise identically, and queries are built from
the same word lists: no user input ever reaches FTS5's or ``to_tsquery``'s syntax.

Reads return ``(id, score)`` pairs, higher score = more relevant. Callers intersect them with
the viewer-scoped querysets (:func:`posts.queries.visible_posts`, blocks), never trust them
alone: the index says what matches, never what a viewer may see.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

WORD = re.compile(r"[^\W_]+")
POST_FTS = "search_post_fts"
ACCOUNT_FTS = "search_account_fts"
POST_DOC = "search_post_document"
ACCOUNT_DOC = "search_account_document"
GROUP_FTS = "search_group_fts"
GROUP_DOC = "search_group_document"


def _fold(text: str) -> str:
    """Lowercase without diacritics ("Café" → "cafe"), the same for both engines."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Folded words (letters and digits) separated by single spaces."""
    return " ".join(WORD.findall(_fold(text)))


def words(text: str) -> list[str]:
    """The folded words of ``text``, as the index holds them."""
    return WORD.findall(_fold(text))


@dataclass
class TextQuery:
    """What must match: every word, every phrase, every hashtag (AND)."""

    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    prefix_last: bool = False  # the last word may be the start of a longer one (type-ahead)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases or self.tags)


@dataclass
class PostFilter:
    """Filters the index itself applies, so a filtered search reads only matching entries."""

    author_id: int | None = None
    has_media: bool = False
    min_id: int | None = None  # ids are time-sortable: a date range is an id range
    max_id: int | None = None
    group_id: int | None = None  # in:group (a token in the index, see the module docstring)


@dataclass
class PostDoc:
    id: int
    author_id: int
    body: str
    author: str
    tags: str
    has_media: bool
    group_id: int | None = None


@dataclass
class AccountDoc:
    id: int
    username: str
    name: str
    bio: str


@dataclass
class GroupDoc:
    id: int
    name: str
    handle: str
    description: str
    topics: str


class Backend(Protocol):
    vendor: str

    def create(self, schema_editor: BaseDatabaseSchemaEditor) -> None: ...
    def drop(self, schema_editor: BaseDatabaseSchemaEditor) -> None: ...
    def clear(self) -> None: ...
    def upsert_posts(self, docs: Sequence[PostDoc]) -> None: ...
    def delete_posts(self, ids: Sequence[int]) -> None: ...
    def upsert_accounts(self, docs: Sequence[AccountDoc]) -> None: ...
    def delete_accounts(self, ids: Sequence[int]) -> None: ...
    def create_groups(self, schema_editor: BaseDatabaseSchemaEditor) -> None: ...
    def drop_groups(self, schema_editor: BaseDatabaseSchemaEditor) -> None: ...
    def upsert_groups(self, docs: Sequence[GroupDoc]) -> None: ...
    def delete_groups(self, ids: Sequence[int]) -> None: ...
    def match_groups(self, query: TextQuery, *, limit: int) -> list[tuple[int, float]]: ...
    def group_matches_sql(self, query: TextQuery, *, limit: int) -> tuple[str, list[Any]]: ...
    def post_ids_sql(self, query: TextQuery, filters: PostFilter) -> tuple[str, list[Any]]: ...
    def match_posts(
        self, query: TextQuery, filters: PostFilter, *, limit: int
    ) -> list[tuple[int, float]]: ...
    def post_matches_sql(
        self, query: TextQuery, filters: PostFilter, *, limit: int
    ) -> tuple[str, list[Any]]: ...
    def match_accounts(self, query: TextQuery, *, limit: int) -> list[tuple[int, float]]: ...
    def account_matches_sql(self, query: TextQuery, *, limit: int) -> tuple[str, list[Any]]: ...
    def indexed_post_ids(self, ids: Sequence[int]) -> set[int]: ...
    def optimize(self) -> None: ...


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _fetch(sql: str, params: list[Any]) -> list[tuple[int, float]]:
    """Run one of the ``*_matches_sql`` statements: ``(id, score)`` pairs."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(r[0]), float(r[1])) for r in cursor.fetchall()]


def group_token(group_id: int | None) -> str:
    """The index word that marks a group's posts (``in:group``); empty for other posts."""
    return f"g{group_id}" if group_id is not None else ""


def _flags(d: PostDoc) -> str:
    """SQLite's ``flags`` column: the filter tokens of a post."""
    flags = [f"a{d.author_id}"]
    if d.has_media:
        flags.append("hasmedia")
    if d.group_id is not None:
        flags.append(group_token(d.group_id))
    return " ".join(flags)


# --- SQLite FTS5 ----------------------------------------------------------------------------


class SqliteBackend:
    """FTS5 tables that store their own (normalised) copy of the text.

    Not ``content=''``: deleting one row from a contentless table needs SQLite 3.43's
    ``contentless_delete``, and Debian 12 ships 3.40. The copy is small (normalised words).
    """

    vendor = "sqlite"
    TOKENIZE = "unicode61 remove_diacritics 2"
    # bm25 column weights: body, author, tags, flags (flags never count towards relevance).
    POST_WEIGHTS = "1.0, 0.3, 2.0, 0.0"
    ACCOUNT_WEIGHTS = "4.0, 3.0, 1.0"
    GROUP_WEIGHTS = "4.0, 3.0, 1.0, 2.0"  # name, handle, description, topics

    def create(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {POST_FTS} USING fts5("
            f"body, author, tags, flags, tokenize='{self.TOKENIZE}')"
        )
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {ACCOUNT_FTS} USING fts5("
            f"username, name, bio, tokenize='{self.TOKENIZE}')"
        )
        self.create_groups(schema_editor)

    def create_groups(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {GROUP_FTS} USING fts5("
            f"name, handle, description, topics, tokenize='{self.TOKENIZE}')"
        )

    def drop(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        schema_editor.execute(f"DROP TABLE IF EXISTS {POST_FTS}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {ACCOUNT_FTS}")
        self.drop_groups(schema_editor)

    def drop_groups(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        schema_editor.execute(f"DROP TABLE IF EXISTS {GROUP_FTS}")

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {POST_FTS}")
            cursor.execute(f"DELETE FROM {ACCOUNT_FTS}")
            cursor.execute(f"DELETE FROM {GROUP_FTS}")

    def upsert_posts(self, docs: Sequence[PostDoc]) -> None:
        if not docs:
            return
        self.delete_posts([d.id for d in docs])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {POST_FTS} (rowid, body, author, tags, flags) "
                "VALUES (%s, %s, %s, %s, %s)",
                [
                    (
                        d.id,
                        d.body,
                        d.author,
                        d.tags,
                        _flags(d),
                    )
                    for d in docs
                ],
            )

    def delete_posts(self, ids: Sequence[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {POST_FTS} WHERE rowid IN ({_marks(len(ids))})", ids)

    def upsert_accounts(self, docs: Sequence[AccountDoc]) -> None:
        if not docs:
            return
        self.delete_accounts([d.id for d in docs])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ACCOUNT_FTS} (rowid, username, name, bio) VALUES (%s, %s, %s, %s)",
                [(d.id, d.username, d.name, d.bio) for d in docs],
            )

    def delete_accounts(self, ids: Sequence[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {ACCOUNT_FTS} WHERE rowid IN ({_marks(len(ids))})", ids
                )

    def upsert_groups(self, docs: Sequence[GroupDoc]) -> None:
        if not docs:
            return
        self.delete_groups([d.id for d in docs])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {GROUP_FTS} (rowid, name, handle, description, topics) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(d.id, d.name, d.handle, d.description, d.topics) for d in docs],
            )

    def delete_groups(self, ids: Sequence[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {GROUP_FTS} WHERE rowid IN ({_marks(len(ids))})", ids)

    def match_groups(self, query: TextQuery, *, limit: int) -> list[tuple[int, float]]:
        return _fetch(*self.group_matches_sql(query, limit=limit))

    def group_matches_sql(self, query: TextQuery, *, limit: int) -> tuple[str, list[Any]]:
        expr = self._expression(query, "{name handle description topics}", tags="topics")
        sql = (
            f"SELECT rowid AS id, -bm25({GROUP_FTS}, {self.GROUP_WEIGHTS}) AS score "
            f"FROM {GROUP_FTS} WHERE {GROUP_FTS} MATCH %s ORDER BY 2 DESC, rowid LIMIT %s"
        )
        return sql, [expr, limit]

    @staticmethod
    def _expression(query: TextQuery, columns: str, tags: str = "tags") -> str:
        # Words are [^\W_]+ runs, so quoting them is all the escaping FTS5 needs.
        parts = [f'{columns} : "{w}"' for w in query.words]
        if query.prefix_last and parts:
            parts[-1] += "*"
        parts += [f'{columns} : "{" ".join(p)}"' for p in query.phrases if p]
        parts += [f'{tags} : "{t}"' for t in query.tags]
        return " AND ".join(parts)

    def _post_match(self, query: TextQuery, filters: PostFilter) -> tuple[str, list[Any]]:
        expr = self._expression(query, "{body author tags}")
        if filters.author_id is not None:
            expr += f' AND flags : "a{filters.author_id}"'
        if filters.has_media:
            expr += ' AND flags : "hasmedia"'
        if filters.group_id is not None:
            expr += f' AND flags : "g{filters.group_id}"'
        where = [f"{POST_FTS} MATCH %s"]
        params: list[Any] = [expr]
        if filters.min_id is not None:
            where.append("rowid >= %s")
            params.append(filters.min_id)
        if filters.max_id is not None:
            where.append("rowid < %s")
            params.append(filters.max_id)
        return " AND ".join(where), params

    def post_ids_sql(self, query: TextQuery, filters: PostFilter) -> tuple[str, list[Any]]:
        where, params = self._post_match(query, filters)
        return f"SELECT rowid FROM {POST_FTS} WHERE {where}", params

    def match_posts(
        self, query: TextQuery, filters: PostFilter, *, limit: int
    ) -> list[tuple[int, float]]:
        return _fetch(*self.post_matches_sql(query, filters, limit=limit))

    def post_matches_sql(
        self, query: TextQuery, filters: PostFilter, *, limit: int
    ) -> tuple[str, list[Any]]:
        where, params = self._post_match(query, filters)
        # The newest ``limit`` matches: FTS5 walks its doclists in rowid order and stops, so
        # the cost is bounded however common the words are; recency is part of the ranking.
        sql = (
            f"SELECT rowid AS id, -bm25({POST_FTS}, {self.POST_WEIGHTS}) AS score "
            f"FROM {POST_FTS} WHERE {where} ORDER BY rowid DESC LIMIT %s"
        )
        return sql, [*params, limit]

    def match_accounts(self, query: TextQuery, *, limit: int) -> list[tuple[int, float]]:
        return _fetch(*self.account_matches_sql(query, limit=limit))

    def account_matches_sql(self, query: TextQuery, *, limit: int) -> tuple[str, list[Any]]:
        sql = (
            f"SELECT rowid AS id, -bm25({ACCOUNT_FTS}, {self.ACCOUNT_WEIGHTS}) AS score "
            f"FROM {ACCOUNT_FTS} WHERE {ACCOUNT_FTS} MATCH %s ORDER BY 2 DESC, rowid LIMIT %s"
        )
        return sql, [self._expression(query, "{username name bio}"), limit]

    def indexed_post_ids(self, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {POST_FTS} WHERE rowid IN ({_marks(len(ids))})", ids)
            return {int(r[0]) for r in cursor.fetchall()}

    def optimize(self) -> None:
        """After a bulk (re)build: merge each FTS5 table's segments into one b-tree (fewer
        doclists to read per query)."""
        with connection.cursor() as cursor:
            for table in (POST_FTS, ACCOUNT_FTS, GROUP_FTS):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")


# --- PostgreSQL -----------------------------------------------------------------------------


class PostgresBackend:
    """Weighted ``tsvector`` side tables with GIN indexes (``simple`` configuration: no
    stemming or stop words, so every language is treated alike and matches are predictable)."""

    vendor = "postgresql"
    # ts_rank weights for D, C, B, A: body A, tags B (as strong), author C, unused D.
    WEIGHTS = "'{0.1, 0.3, 1.0, 1.0}'"

    def create(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        # No foreign keys to posts or accounts: Django's flush (tests) truncates their tables
        # without CASCADE and PostgreSQL refuses while an unmanaged table references them.
        # Deletes reach the index through signals, and every search joins back to visible
        # posts and accounts, so a row left behind by a raw delete is never shown.
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {POST_DOC} ("
            "post_id bigint PRIMARY KEY, "
            "author_id bigint NOT NULL, has_media boolean NOT NULL DEFAULT false, "
            "doc tsvector NOT NULL)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {POST_DOC}_doc_idx ON {POST_DOC} USING GIN (doc)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {POST_DOC}_author_idx ON {POST_DOC} "
            "(author_id, post_id DESC)"
        )
        self.create_media_index(schema_editor)
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {ACCOUNT_DOC} ("
            "account_id bigint PRIMARY KEY, doc tsvector NOT NULL)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {ACCOUNT_DOC}_doc_idx ON {ACCOUNT_DOC} USING GIN (doc)"
        )
        self.create_groups(schema_editor)

    def create_media_index(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        # has:media: a GIN index over the posts with media only. With the full GIN index and
        # ``has_media`` as a filter the planner walks the primary key backwards from the
        # newest post, testing each row, and media posts are a few percent of all posts: at a
        # million posts, 840,000 rows read for 500 "#books with media" (380 ms). The partial
        # index hands over exactly the matching media posts (about 1,000 there: 7 ms).
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {POST_DOC}_media_idx ON {POST_DOC} "
            "USING GIN (doc) WHERE has_media"
        )

    def create_groups(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        # Name A, topics B, handle C, description D (as for posts: no foreign key).
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {GROUP_DOC} ("
            "group_id bigint PRIMARY KEY, doc tsvector NOT NULL)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GROUP_DOC}_doc_idx ON {GROUP_DOC} USING GIN (doc)"
        )

    def drop(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        schema_editor.execute(f"DROP TABLE IF EXISTS {POST_DOC}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {ACCOUNT_DOC}")
        self.drop_groups(schema_editor)

    def drop_groups(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        schema_editor.execute(f"DROP TABLE IF EXISTS {GROUP_DOC}")

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {POST_DOC}")
            cursor.execute(f"DELETE FROM {ACCOUNT_DOC}")
            cursor.execute(f"DELETE FROM {GROUP_DOC}")

    def upsert_posts(self, docs: Sequence[PostDoc]) -> None:
        if not docs:
            return
        with connection.cursor() as cursor:
            # ``WHERE EXISTS``: a post deleted while its task waited is simply not indexed.
            cursor.executemany(
                f"INSERT INTO {POST_DOC} (post_id, author_id, has_media, doc) "
                "SELECT %s, %s, %s, setweight(to_tsvector('simple', %s), 'A') || "
                "setweight(to_tsvector('simple', %s), 'B') || "
                "setweight(to_tsvector('simple', %s), 'C') || "
                "setweight(to_tsvector('simple', %s), 'D') "
                "WHERE EXISTS (SELECT 1 FROM posts_post WHERE id = %s) "
                "ON CONFLICT (post_id) DO UPDATE SET author_id = EXCLUDED.author_id, "
                "has_media = EXCLUDED.has_media, doc = EXCLUDED.doc",
                [
                    (
                        d.id,
                        d.author_id,
                        d.has_media,
                        d.body,
                        d.tags,
                        d.author,
                        group_token(d.group_id),
                        d.id,
                    )
                    for d in docs
                ],
            )

    def delete_posts(self, ids: Sequence[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {POST_DOC} WHERE post_id = ANY(%s)", [list(ids)])

    def upsert_accounts(self, docs: Sequence[AccountDoc]) -> None:
        if not docs:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ACCOUNT_DOC} (account_id, doc) "
                "SELECT %s, setweight(to_tsvector('simple', %s), 'A') || "
                "setweight(to_tsvector('simple', %s), 'B') || "
                "setweight(to_tsvector('simple', %s), 'D') "
                "WHERE EXISTS (SELECT 1 FROM accounts_account WHERE id = %s) "
                "ON CONFLICT (account_id) DO UPDATE SET doc = EXCLUDED.doc",
                [(d.id, d.username, d.name, d.bio, d.id) for d in docs],
            )

    def delete_accounts(self, ids: Sequence[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {ACCOUNT_DOC} WHERE account_id = ANY(%s)", [list(ids)])

    def upsert_groups(self, docs: Sequence[GroupDoc]) -> None:
        if not docs:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {GROUP_DOC} (group_id, doc) "
                "SELECT %s, setweight(to_tsvector('simple', %s), 'A') || "
                "setweight(to_tsvector('simple', %s), 'B') || "
                "setweight(to_tsvector('simple', %s), 'C') || "
                "setweight(to_tsvector('simple', %s), 'D') "
                "ON CONFLICT (group_id) DO UPDATE SET doc = EXCLUDED.doc",
                [(d.id, d.name, d.topics, d.handle, d.description) for d in docs],
            )

    def delete_groups(self, ids: Sequence[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {GROUP_DOC} WHERE group_id = ANY(%s)", [list(ids)])

    def match_groups(self, query: TextQuery, *, limit: int) -> list[tuple[int, float]]:
        return _fetch(*self.group_matches_sql(query, limit=limit))

    def group_matches_sql(self, query: TextQuery, *, limit: int) -> tuple[str, list[Any]]:
        sql = (
            "SELECT group_id AS id, ts_rank('{0.1, 0.3, 0.7, 1.0}', doc, q) AS score "
            f"FROM {GROUP_DOC}, to_tsquery('simple', %s) q WHERE doc @@ q "
            "ORDER BY 2 DESC, group_id LIMIT %s"
        )
        return sql, [self._tsquery(query), limit]

    @staticmethod
    def _tsquery(query: TextQuery) -> str:
        # Words are [^\W_]+ runs: nothing in them is tsquery syntax.
        parts = list(query.words)
        if query.prefix_last and parts:
            parts[-1] += ":*"
        parts += [f"({' <-> '.join(p)})" for p in query.phrases if p]
        parts += [f"{t}:B" for t in query.tags]
        return " & ".join(parts)

    def _post_match(self, query: TextQuery, filters: PostFilter) -> tuple[str, list[Any]]:
        tsquery = self._tsquery(query)
        if filters.group_id is not None:
            # The group's token (weight D) in the same GIN lookup: the group's matching posts,
            # not the group's posts each tested against the text, nor every match of the text.
            tsquery += f" & {group_token(filters.group_id)}:D"
        where = ["doc @@ to_tsquery('simple', %s)"]
        params: list[Any] = [tsquery]
        if filters.author_id is not None:
            where.append("author_id = %s")
            params.append(filters.author_id)
        if filters.has_media:
            where.append("has_media")
        if filters.min_id is not None:
            where.append("post_id >= %s")
            params.append(filters.min_id)
        if filters.max_id is not None:
            where.append("post_id < %s")
            params.append(filters.max_id)
        return " AND ".join(where), params

    def post_ids_sql(self, query: TextQuery, filters: PostFilter) -> tuple[str, list[Any]]:
        where, params = self._post_match(query, filters)
        sql = f"SELECT post_id FROM {POST_DOC} WHERE {where}"
        if filters.group_id is not None:
            # A group's matches are few (at most its posts), but the planner underestimates
            # the visible posts of the group (the visibility rules' estimates multiply down
            # to one row) and tests each of the group's posts against the index instead:
            # 2,000 lookups for 243 matches, 17 ms. ``ARRAY(...)`` is computed first, once.
            sql = f"SELECT unnest(ARRAY({sql}))"
        return sql, params

    def match_posts(
        self, query: TextQuery, filters: PostFilter, *, limit: int
    ) -> list[tuple[int, float]]:
        return _fetch(*self.post_matches_sql(query, filters, limit=limit))

    def post_matches_sql(
        self, query: TextQuery, filters: PostFilter, *, limit: int
    ) -> tuple[str, list[Any]]:
        where, params = self._post_match(query, filters)
        # The newest ``limit`` matches first, then the rank of those only: a hashtag with
        # media matches ~1,000 posts, and ranking each before the sort cost a third more.
        sql = (
            f"SELECT post_id AS id, ts_rank({self.WEIGHTS}, doc, to_tsquery('simple', %s)) "
            f"AS score FROM (SELECT post_id, doc FROM {POST_DOC} WHERE {where} "
            "ORDER BY post_id DESC LIMIT %s) newest"
        )
        return sql, [self._tsquery(query), *params, limit]

    def match_accounts(self, query: TextQuery, *, limit: int) -> list[tuple[int, float]]:
        return _fetch(*self.account_matches_sql(query, limit=limit))

    def account_matches_sql(self, query: TextQuery, *, limit: int) -> tuple[str, list[Any]]:
        sql = (
            "SELECT account_id AS id, ts_rank('{0.1, 0.3, 0.7, 1.0}', doc, q) AS score "
            f"FROM {ACCOUNT_DOC}, to_tsquery('simple', %s) q WHERE doc @@ q "
            "ORDER BY 2 DESC, account_id LIMIT %s"
        )
        return sql, [self._tsquery(query), limit]

    def indexed_post_ids(self, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT post_id FROM {POST_DOC} WHERE post_id = ANY(%s)", [list(ids)])
            return {int(r[0]) for r in cursor.fetchall()}

    def optimize(self) -> None:
        """After a bulk (re)build: fresh planner statistics for the side tables (the plans
        above depend on how common a word, media or a group's posts are)."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {POST_DOC}, {ACCOUNT_DOC}, {GROUP_DOC}")


def backend_for(vendor: str) -> Backend:
    """The engine for a database vendor (``connection.vendor``)."""
    if vendor == "postgresql":
        return PostgresBackend()
    if vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"Full-text search is not implemented for {vendor}.")


def backend() -> Backend:
    """The engine of the default database."""
    return backend_for(connection.vendor)
