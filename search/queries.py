"""Viewer-scoped search reads: posts, people, hashtags, groups, followed hashtags.

The full-text engine (:mod:`search.backends`) only says which ids match; every result is then
read through the same viewer-scoped querysets as the rest of the site
(:func:`posts.queries.visible_posts`, blocks either way, ``discoverable``), so search can never
show a post or a person that the viewer could not reach another way.

Posts come in two orders:

- ``recent``: newest first, keyset-paged by id (``max_id``), the match and the visibility
  rules in one statement, so a page is only short when the results end;
- ``relevance``: the newest :data:`CANDIDATES` text matches (the index stops there, so a
  common word costs the same as a rare one), kept if visible, then ranked by text score,
  recency and engagement; bounded offset paging inside those candidates.

People, groups and relevance-ordered posts read the index's candidates and the viewer's
rules in one statement (:func:`_scored`): the candidates are a ``WITH`` table joined to the
viewer-scoped queryset, never a list of hundreds of ids sent back to the database (building,
quoting and parsing a 500-id ``IN (...)`` list cost more CPU than the rest of the page's SQL).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from accounts.models import Account, Visibility
from network.queries import blocked_ids, blocker_ids, muted_ids
from plaza.ids import id_for_time
from posts.models import Hashtag, Post, PostHashtag
from posts.queries import load_related, visible_posts, with_related
from search import compiled
from search.backends import PostFilter, TextQuery, backend
from search.models import FollowedHashtag
from search.parse import ParsedQuery

CANDIDATES = 500
PEOPLE_CANDIDATES = 200
GROUP_CANDIDATES = 500
TAG_CANDIDATES = 40
TAG_COUNT_CAP = 1000
MAX_LIMIT = 40
HOUR_MS = 3_600_000
TAG_PREFIX = re.compile(r"^\w{1,100}$")
# "Not a reshare", written so that no database picks the reshare_of index for it: 95% of
# posts have no reshare_of, but SQLite's statistics average over the few non-null values and
# take ``reshare_of_id IS NULL`` for a selective lookup, then walk most of the table (seconds
# at a million posts) instead of the id list or the author/group index that bound a search.
# The unary plus makes the column an expression (valid SQL on both engines).
NOT_A_RESHARE = RawSQL('+"posts_post"."reshare_of_id" IS NULL', [], output_field=BooleanField())
# Whether posts can belong to groups (the groups app adds Post.group).
_GROUP_POSTS = any(f.name == "group" for f in Post._meta.get_fields())


@dataclass
class PostResults:
    posts: list[Post]
    next_max_id: int | None = None  # order "recent"
    next_offset: int | None = None  # order "relevance"


@dataclass
class PeopleResults:
    accounts: list[Account]
    next_offset: int | None = None


MATCHES = "search_matches"  # the candidates' WITH table in _scored statements
IN_MATCHES = RawSQL(f"SELECT id FROM {MATCHES}", [])


def _scored(
    matches: tuple[str, list[Any]],
    qs: QuerySet[Any] | tuple[str, list[Any]],
    *columns: str,
) -> tuple[list[tuple[Any, ...]], dict[int, float]]:
    """``qs`` (which filters on :data:`IN_MATCHES`) as ``columns`` rows (the pk first), and
    the text score of every candidate, visible or not (scores are relative to the best).
    ``qs`` may also be given as its ``values_list(*columns)`` statement, already compiled.

    One statement: ``WITH search_matches AS MATERIALIZED (<the index's candidates>)``, then
    the queryset's rows and the candidates' scores side by side (``UNION ALL``), paired up
    here. Not a join of the two: the visibility rules' row estimates (one row) made
    PostgreSQL pair them by a nested loop over the candidates, 240,000 comparisons (20 ms)
    for 500 candidates.
    """
    matches_sql, matches_params = matches
    inner_sql, inner_params = (
        qs if isinstance(qs, tuple) else qs.values_list(*columns).query.sql_with_params()
    )
    nulls = ", NULL" * (len(columns) - 1)
    sql = (
        f"WITH {MATCHES} AS MATERIALIZED ({matches_sql}) "
        f"SELECT 0, s.*, NULL FROM ({inner_sql}) s "
        f"UNION ALL SELECT 1, id{nulls}, score FROM {MATCHES}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*matches_params, *inner_params])
        found = cursor.fetchall()
    rows = [tuple(r[1:-1]) for r in found if r[0] == 0]
    scores = {int(r[1]): float(r[-1]) for r in found if r[0] == 1}
    return rows, scores


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _post_filter(viewer: Account | None, q: ParsedQuery) -> PostFilter | None:
    """The index-level filters; None when they can match nothing (an unknown author)."""
    f = PostFilter(has_media=q.has_media, author_id=q.author_id)
    if q.from_user:
        author = (
            Account.objects.annotate(lname=Lower("username"))
            .filter(lname=q.from_user)
            .values_list("pk", flat=True)
            .first()
        )
        if author is None or (q.author_id is not None and author != q.author_id):
            return None
        f.author_id = author
    if q.after:
        f.min_id = id_for_time(_day_start(q.after) + dt.timedelta(days=1))
    if q.before:
        f.max_id = id_for_time(_day_start(q.before))
    return f


def _group_id(viewer: Account | None, handle: str) -> int | None:
    """The group ``in:handle`` names, if groups exist. Reading its posts is still decided by
    :func:`posts.queries.visible_posts` (membership of private and secret groups)."""
    try:
        from groups.models import Group
    except ImportError:  # pragma: no cover - groups not installed
        return None
    return (
        Group.objects.annotate(lhandle=Lower("handle"))
        .filter(lhandle=handle)
        .values_list("pk", flat=True)
        .first()
    )


def _scope(viewer: Account | None, group_id: int | None = None) -> QuerySet[Post]:
    """Posts the viewer may find: visible to them, not reshares, not other people's unlisted
    posts (unlisted means "keep out of listings"), not by accounts they muted; only the
    group's with ``group_id`` (``in:group``). Reads nothing: only builds the queryset (the
    statements are compiled once per shape, see :mod:`search.compiled`)."""
    qs = visible_posts(viewer).filter(NOT_A_RESHARE)
    listed = ~Q(visibility=Visibility.UNLISTED)
    if _GROUP_POSTS:
        # Group posts are stored unlisted; whether the viewer may read them is the group's
        # rule, which visible_posts applied already.
        listed |= Q(group__isnull=False)
    if viewer is not None:
        listed |= Q(author_id=viewer.pk)
        qs = qs.exclude(author_id__in=muted_ids(viewer))
    qs = qs.filter(listed)
    if group_id is not None:
        qs = qs.filter(group_id=group_id)
    return qs


def search_posts(
    viewer: Account | None,
    q: ParsedQuery,
    *,
    order: str = "relevance",
    limit: int = 20,
    offset: int = 0,
    max_id: int | None = None,
    min_id: int | None = None,
) -> PostResults:
    """Posts matching ``q`` that ``viewer`` may see (see the module docstring for orders).

    A query without words needs ``from:`` or ``in:`` (then it lists those posts, newest
    first); an empty query finds nothing rather than everything.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    filters = _post_filter(viewer, q)
    if filters is None:
        return PostResults([])
    if q.in_group:
        # in:group also becomes an index filter; reading the group's posts is still decided
        # by visible_posts (membership of private and secret groups).
        filters.group_id = _group_id(viewer, q.in_group) if _GROUP_POSTS else None
        if filters.group_id is None:
            return PostResults([])
    if not q.text:
        if not (q.from_user or q.in_group or q.author_id):
            return PostResults([])
        order = "recent"
    if max_id is not None:
        filters.max_id = min(max_id, filters.max_id or max_id)
    if min_id is not None:
        filters.min_id = max(min_id + 1, filters.min_id or 0)
    if order == "recent" or q.in_group:
        # in:group: the group's matches, newest first. The relevance path ranks the newest
        # CANDIDATES matches of the whole site, which a small group's posts rarely are.
        return _recent(viewer, q.text, filters, limit, offset)
    return _relevant(viewer, q.text, filters, limit, offset)


def _recent(
    viewer: Account | None, text: TextQuery, f: PostFilter, limit: int, offset: int
) -> PostResults:
    values = {
        compiled.VIEWER: viewer.pk if viewer is not None else None,
        compiled.GROUP: f.group_id,
        compiled.AUTHOR: None if text else f.author_id,
        compiled.MIN_ID: None if text else f.min_id,
        compiled.MAX_ID: None if text else f.max_id,
    }
    has_media = bool(f.has_media) and not text
    key = (
        "recent",
        bool(text),
        has_media,
        offset,
        limit,
        *(v is not None for v in values.values()),
    )

    def build(v: dict[int, Any]) -> tuple[str, list[Any]]:
        qs = _scope(compiled.stand_in(v[compiled.VIEWER]), v[compiled.GROUP])
        if text:
            # The matches are the statement's WITH table (inlined by both databases: the
            # same plan as ``id IN (<matches>)``), so the rest compiles once per shape.
            qs = qs.filter(pk__in=IN_MATCHES)
        else:
            if v[compiled.AUTHOR] is not None:
                qs = qs.filter(author_id=v[compiled.AUTHOR])
            if has_media:
                qs = qs.filter(media__isnull=False).distinct()
            if v[compiled.MIN_ID] is not None:
                qs = qs.filter(pk__gte=v[compiled.MIN_ID])
            if v[compiled.MAX_ID] is not None:
                qs = qs.filter(pk__lt=v[compiled.MAX_ID])
        sql, params = qs.order_by("-id")[offset : offset + limit].query.sql_with_params()
        return sql, list(params)

    sql, params = compiled.statement(key, values, build)
    if text:
        matches_sql, matches_params = backend().post_ids_sql(text, f)
        sql = f"WITH {MATCHES}(id) AS ({matches_sql}) {sql}"
        params = [*matches_params, *params]
    posts = list(Post.objects.raw(sql, params))
    load_related(posts)
    return PostResults(posts, next_max_id=posts[-1].pk if len(posts) == limit else None)


_SCORE_COLUMNS = ("pk", "likes_count", "reshares_count", "replies_count", "quotes_count")


def _relevant(
    viewer: Account | None, text: TextQuery, f: PostFilter, limit: int, offset: int
) -> PostResults:
    if offset >= CANDIDATES:
        return PostResults([])

    def build(v: dict[int, Any]) -> tuple[str, list[Any]]:
        qs = _scope(compiled.stand_in(v[compiled.VIEWER]), v[compiled.GROUP])
        sql, params = (
            qs.filter(pk__in=IN_MATCHES).values_list(*_SCORE_COLUMNS).query.sql_with_params()
        )
        return sql, list(params)

    values = {
        compiled.VIEWER: viewer.pk if viewer is not None else None,
        compiled.GROUP: f.group_id,
    }
    key = ("relevant", *(v is not None for v in values.values()))
    rows, matches = _scored(
        backend().post_matches_sql(text, f, limit=CANDIDATES),
        compiled.statement(key, values, build),
        *_SCORE_COLUMNS,
    )
    best = max(matches.values(), default=1.0) or 1.0
    now_ms = time.time() * 1000
    scored: list[tuple[float, int]] = []
    for pk, likes, reshares, replies, quotes in rows:
        scored.append((rank(matches[pk] / best, pk, likes, reshares, replies, quotes, now_ms), pk))
    scored.sort(reverse=True)
    page_ids = [pk for _, pk in scored[offset : offset + limit]]
    by_id = {p.pk: p for p in with_related(Post.objects.filter(pk__in=page_ids))}
    more = offset + limit < len(scored)
    return PostResults(
        [by_id[pk] for pk in page_ids if pk in by_id], next_offset=offset + limit if more else None
    )


def rank(
    text: float, post_id: int, likes: int, reshares: int, replies: int, quotes: int, now_ms: float
) -> float:
    """A post's search score: text relevance (0..1, relative to the best match) weighs most,
    then freshness (halves over three days), then engagement (logarithmic, so a viral post
    can't bury a better match)."""
    age_hours = max(0.0, (now_ms - (post_id >> 16)) / HOUR_MS)
    recency = 1.0 / (1.0 + age_hours / 72.0)
    engagement = min(1.0, math.log1p(likes + 2 * reshares + replies + 2 * quotes) / 6.0)
    return 0.6 * text + 0.25 * recency + 0.15 * engagement


# --- people ---------------------------------------------------------------------------------


def _people_scope(viewer: Account | None) -> QuerySet[Account]:
    qs = Account.objects.filter(suspended_at__isnull=True)  # suspended: gone for everyone
    if viewer is not None:
        qs = qs.exclude(pk__in=blocked_ids(viewer)).exclude(pk__in=blocker_ids(viewer))
    return qs


def search_people(
    viewer: Account | None,
    q: ParsedQuery,
    *,
    limit: int = 20,
    offset: int = 0,
    following_only: bool = False,
) -> PeopleResults:
    """Discoverable people matching the words (username, display name, bio; the last word may
    be the start of one), plus the account whose username is exactly the query even if it
    opted out of discovery. Never accounts blocked either way. Exact username first, then
    text relevance with a nudge for well-followed accounts."""
    limit = max(1, min(limit, MAX_LIMIT))
    typed = q.raw_words.strip()
    if not typed:
        return PeopleResults([])
    text = TextQuery(words=typed.split()[:8], prefix_last=True)
    exact_name = q.raw_words.replace(" ", "_").lower()
    # lower(username) = ..., not iexact (LIKE): the case-insensitive unique index answers it.
    # The text's candidates plus the exact username, then the discoverable rule: written as
    # one id set, because "in the candidates OR this name" made PostgreSQL scan every account.
    if following_only and viewer is None:
        return PeopleResults([])
    accounts = connection.ops.quote_name(Account._meta.db_table)

    def build(v: dict[Any, Any]) -> tuple[str, list[Any]]:
        name = v[compiled.NAME]
        ids = RawSQL(
            f"SELECT id FROM {MATCHES} UNION SELECT id FROM {accounts} WHERE lower(username) = %s",
            [name],
        )
        who = compiled.stand_in(v[compiled.VIEWER])
        qs = (
            _people_scope(who)
            .annotate(lname=Lower("username"))
            .filter(Q(pk__in=ids), Q(discoverable=True) | Q(lname=name))
        )
        if following_only:
            from network.queries import following_ids

            qs = qs.filter(pk__in=following_ids(who))
        sql, params = (
            qs[: PEOPLE_CANDIDATES + 1]
            .values_list("pk", "username", "followers_count")
            .query.sql_with_params()
        )
        return sql, list(params)

    values: dict[Any, Any] = {
        compiled.VIEWER: viewer.pk if viewer is not None else None,
        compiled.NAME: exact_name,
    }
    # Scored on three columns; only the page's accounts are read whole.
    rows, matches = _scored(
        backend().account_matches_sql(text, limit=PEOPLE_CANDIDATES),
        compiled.statement(("people", viewer is not None, following_only), values, build),
        "pk", "username", "followers_count",
    )  # fmt: skip
    best = max(matches.values(), default=1.0) or 1.0

    def score(row: tuple[Any, ...]) -> tuple[int, float, int]:
        pk, username, followers = row
        exact = 0 if username.lower() == exact_name else 1
        s = matches.get(pk, 0.0) / best + 0.05 * math.log1p(followers)
        return (exact, -s, pk)

    rows.sort(key=score)
    page_ids = [row[0] for row in rows[offset : offset + limit]]
    by_id = Account.objects.in_bulk(page_ids)
    page = [by_id[pk] for pk in page_ids if pk in by_id]
    more = offset + limit < len(rows)
    return PeopleResults(page, next_offset=offset + limit if more else None)


# --- hashtags -------------------------------------------------------------------------------


@dataclass
class HashtagResult:
    name: str
    posts: int
    following: bool = False
    capped: bool = False  # ``posts`` is TAG_COUNT_CAP and there are more


def search_hashtags(
    viewer: Account | None, q: ParsedQuery | str, *, limit: int = 20, offset: int = 0
) -> list[HashtagResult]:
    """Hashtags whose name starts with the query (an index range scan on the name), the exact
    name first, then the most used. ``posts`` counts public posts, up to :data:`TAG_COUNT_CAP`
    (``capped`` says there are more): a popular tag has tens of thousands, and counting them
    all on every search would cost more than the rest of the page."""
    raw = q if isinstance(q, str) else (q.text.tags[0] if q.text.tags else q.raw_words)
    prefix = raw.strip().lstrip("#").lower().replace(" ", "_")
    if not TAG_PREFIX.match(prefix):
        return []
    rows = _tag_candidates(viewer, prefix)
    ranked = sorted(rows, key=lambda r: (r[1] != prefix, -r[2], r[1]))
    return [
        HashtagResult(name, posts, following, capped=posts >= TAG_COUNT_CAP)
        for _pk, name, posts, following in ranked[offset : offset + limit]
    ]


def _tag_candidates(viewer: Account | None, prefix: str) -> list[tuple[int, str, int, bool]]:
    """``(id, name, public posts up to TAG_COUNT_CAP, followed by the viewer)`` for the first
    :data:`TAG_CANDIDATES` hashtags by name from ``prefix``, in one statement: the name range
    (``name >= prefix AND name < prefix + U+10FFFF``: both databases use the unique index),
    then per tag one bounded walk of the ``(hashtag, -post)`` index and one follow lookup."""
    tags, links, posts = Hashtag._meta.db_table, PostHashtag._meta.db_table, Post._meta.db_table
    followed = FollowedHashtag._meta.db_table
    sql = (
        "SELECT h.id, h.name, "
        f'(SELECT COUNT(*) FROM (SELECT 1 FROM "{links}" t JOIN "{posts}" p ON p.id = t.post_id '
        f"WHERE t.hashtag_id = h.id AND p.visibility = %s LIMIT {TAG_COUNT_CAP}) c), "
        f'EXISTS (SELECT 1 FROM "{followed}" f WHERE f.account_id = %s AND f.hashtag_id = h.id) '
        f'FROM (SELECT id, name FROM "{tags}" WHERE name >= %s AND name < %s '
        f"ORDER BY name LIMIT {TAG_CANDIDATES}) h"
    )
    params: list[Any] = [
        Visibility.PUBLIC.value,
        viewer.pk if viewer is not None else 0,  # no account has id 0: nothing followed
        prefix,
        prefix + "\U0010ffff",
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), str(name), int(n), bool(f)) for pk, name, n, f in cursor.fetchall()]


# --- groups ---------------------------------------------------------------------------------


def search_groups(
    viewer: Account | None, q: ParsedQuery, *, limit: int = 20, offset: int = 0
) -> list[Any]:
    """Groups matching the words (name, handle, description, topic tags; the last word may be
    the start of one) that the viewer may find: public and private groups are listed (their
    name and description are public), secret ones are found only by their active members
    (not by people invited, not by banned members). Never groups owned by someone blocked
    either way. Ranked by text relevance, then size (logarithmic: a big group can't bury a
    better match)."""
    group_model = _group_model()
    if group_model is None:
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    typed = q.raw_words.strip()
    if not typed and not q.text.tags:
        return []
    text = TextQuery(words=typed.split()[:8], prefix_last=True)
    if q.text.tags and not q.text.words and not q.text.phrases:
        # "#python" alone: groups tagged python first (topics), then the words anywhere.
        text = TextQuery(words=[], tags=q.text.tags[:8])

    def build(v: dict[Any, Any]) -> tuple[str, list[Any]]:
        qs = _findable_groups(compiled.stand_in(v[compiled.VIEWER]), group_model)
        sql, params = (
            qs.filter(pk__in=IN_MATCHES).values_list("pk", "member_count").query.sql_with_params()
        )
        return sql, list(params)

    findable = compiled.statement(
        ("groups", viewer is not None),
        {compiled.VIEWER: viewer.pk if viewer is not None else None},
        build,
    )
    rows, matches = _scored(
        backend().group_matches_sql(text, limit=GROUP_CANDIDATES), findable, "pk", "member_count"
    )
    if not matches and text.tags:
        # No group is tagged so: the words anywhere (name, description...).
        text = TextQuery(words=typed.split()[:8], prefix_last=True)
        rows, matches = _scored(
            backend().group_matches_sql(text, limit=GROUP_CANDIDATES),
            findable,
            "pk",
            "member_count",
        )
    best = max(matches.values(), default=1.0) or 1.0

    def score(row: tuple[Any, ...]) -> tuple[float, int]:
        pk, members = row
        return (-(matches[pk] / best + 0.1 * math.log1p(members)), -pk)

    rows.sort(key=score)
    page_ids = [row[0] for row in rows[offset : offset + limit]]
    by_id = group_model.objects.in_bulk(page_ids)
    return [by_id[pk] for pk in page_ids if pk in by_id]


def _group_model() -> Any:
    try:
        from groups.models import Group
    except ImportError:  # pragma: no cover
        return None
    return Group


def _findable_groups(viewer: Account | None, group_model: Any) -> QuerySet[Any]:
    """Groups search may show the viewer: public and private, plus secret groups they are an
    active member of (a banned member's row is not active)."""
    listed = Q(visibility__in=["public", "private"])
    if viewer is not None:
        from groups.models import Membership

        mine = Membership.objects.filter(account=viewer, state="active").values("group_id")
        listed |= Q(pk__in=mine)
    qs = group_model.objects.filter(listed)
    if viewer is not None:
        qs = qs.exclude(owner_id__in=blocked_ids(viewer)).exclude(owner_id__in=blocker_ids(viewer))
    return qs


# --- followed hashtags ----------------------------------------------------------------------


def followed_hashtag_ids(viewer: Account | None, tag_ids: list[int]) -> set[int]:
    """Which of ``tag_ids`` the viewer follows (one query; none for nobody)."""
    if viewer is None or not tag_ids:
        return set()
    return set(
        FollowedHashtag.objects.filter(account=viewer, hashtag_id__in=tag_ids).values_list(
            "hashtag_id", flat=True
        )
    )


def follows_hashtag(viewer: Account | None, name: str) -> bool:
    if viewer is None:
        return False
    return FollowedHashtag.objects.filter(account=viewer, hashtag__name=name.lower()).exists()


def followed_hashtag_names(viewer: Account, names: list[str]) -> set[str]:
    """Which of ``names`` the viewer follows (one query)."""
    if not names:
        return set()
    return set(
        FollowedHashtag.objects.filter(account=viewer, hashtag__name__in=names).values_list(
            "hashtag__name", flat=True
        )
    )


def followed_hashtags(
    viewer: Account, *, limit: int = 100, max_id: int | None = None
) -> list[FollowedHashtag]:
    """The hashtags the viewer follows, most recently followed first (keyset by row id)."""
    qs = FollowedHashtag.objects.filter(account=viewer).select_related("hashtag")
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    return list(qs.order_by("-id")[: max(1, min(limit, 200))])
