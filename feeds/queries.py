"""Feed reads: home, profile, hashtag, public. Keyset-paginated by post id, viewer-scoped.

Every function returns a :class:`FeedPage` of at most ``limit`` posts, loaded with
:func:`posts.queries.with_related`, so a page costs a fixed number of queries.

Filters that hide posts (blocks, mutes, reshares turned off) are applied *inside* the keyset
query, before the ``LIMIT``: a page is only short when the feed really ends, so
``next_max_id`` never stops paging early and never skips a range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Account, Visibility
from feeds.models import HomeFeedEntry
from lists.models import List, ListMember
from network.models import Block, Connection, ConnectionRequest, Follow, FollowRequest, Mute
from posts.models import MediaAttachment, Post, PostHashtag
from posts.queries import OPEN, visible_posts, with_related

DEFAULT_LIMIT = 20
MAX_LIMIT = 40
TRENDING_WINDOW = dt.timedelta(hours=48)
TRENDING_CACHE_SECONDS = 120
TOP_ACCOUNTS_CACHE_SECONDS = 300
TOP_ACCOUNTS_POOL = 50


@dataclass(frozen=True)
class PageRange:
    """Keyset bounds: ``max_id`` (older than), ``since_id``/``min_id`` (newer than)."""

    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = DEFAULT_LIMIT

    def clamp(self) -> PageRange:
        return PageRange(
            self.max_id, self.since_id, self.min_id, max(1, min(self.limit, MAX_LIMIT))
        )

    @property
    def ascending(self) -> bool:
        """``min_id`` alone asks for the page just after it: read oldest first, then flip."""
        return self.min_id is not None and self.max_id is None


@dataclass
class FeedPage:
    posts: list[Post]
    # Keys for the next (older) and previous (newer) pages; None when there is none.
    next_max_id: int | None
    prev_min_id: int | None


def _apply_range(qs: QuerySet, field: str, page: PageRange) -> QuerySet:
    if page.max_id is not None:
        qs = qs.filter(**{f"{field}__lt": page.max_id})
    if page.since_id is not None:
        qs = qs.filter(**{f"{field}__gt": page.since_id})
    if page.min_id is not None:
        qs = qs.filter(**{f"{field}__gt": page.min_id})
    return qs


def _order(field: str, page: PageRange) -> str:
    return field if page.ascending else f"-{field}"


def _finish(posts: list[Post], page: PageRange) -> FeedPage:
    if page.ascending:
        posts.reverse()
    return FeedPage(
        posts=posts,
        next_max_id=posts[-1].pk if len(posts) == page.limit else None,
        prev_min_id=posts[0].pk if posts else page.min_id or page.since_id,
    )


def _hidden_ids(viewer: Account, *, mutes: bool = True) -> QuerySet:
    """Accounts whose posts the viewer must not get: blocked, blocking them, and (in feeds)
    muted. One ``UNION`` subquery, materialized once per statement by the database."""
    qs = (
        Block.objects.filter(account=viewer)
        .values("target_id")
        .union(Block.objects.filter(target=viewer).values("account_id"))
        .union(_suspended_ids())
    )
    if mutes:
        qs = qs.union(Mute.objects.filter(account=viewer).values("target_id"))
    return qs


def _suspended_ids() -> QuerySet:
    """Suspended accounts: their posts are gone for everyone (a partial-index scan)."""
    return Account.objects.filter(suspended_at__isnull=False).values("id")


def _unlisted_ids() -> QuerySet:
    """Accounts kept out of the public, hashtag and trending feeds: suspended or limited."""
    return Account.objects.filter(
        Q(suspended_at__isnull=False) | Q(limited_at__isnull=False)
    ).values("id")


def _hidden_sources(viewer: Account, *, mutes: bool = True) -> Q:
    """Posts by hidden accounts, or reshares of their posts (use with ``exclude``)."""
    hidden = _hidden_ids(viewer, mutes=mutes)
    return Q(author_id__in=hidden) | Q(reshare_of__author_id__in=hidden)


def home_reply_q(viewer: Account) -> Q:
    """Which replies belong in ``viewer``'s home feed (as in Mastodon): replies to nobody, to
    the author themselves, to the viewer, or to someone the viewer follows or is connected to."""
    return (
        Q(in_reply_to_account__isnull=True)
        | Q(in_reply_to_account_id=F("author_id"))
        | Q(in_reply_to_account_id=viewer.pk)
        | Q(in_reply_to_account_id__in=Follow.objects.filter(follower=viewer).values("target_id"))
        | Q(in_reply_to_account_id__in=Connection.objects.filter(account=viewer).values("other_id"))
    )


# --- home -----------------------------------------------------------------------------------


def home_feed(viewer: Account, page: PageRange = PageRange()) -> FeedPage:
    """The viewer's own posts and posts of accounts they follow or are connected to.

    Two sources merged by id: the materialized entries (one range scan on ``(owner, -post)``)
    and, for followed accounts too big to fan out, their posts pulled from ``(author, -id)``.
    Each source returns the top ``limit`` ids of the *same* range, so the merge is exact.
    """
    page = page.clamp()
    hide = _Hidden.of(viewer)  # one read of who to leave out, for both sources
    ids = _entry_ids(viewer, page, hide) + _pulled_ids(viewer, page, hide)
    posts = sorted(
        with_related(Post.objects.filter(pk__in=ids)),
        key=lambda p: p.pk,
        reverse=not page.ascending,
    )
    return _finish(posts[: page.limit], page)


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class _Hidden:
    """Who the viewer's home feed must leave out, read once per page as two short id lists.

    Inlining these (instead of subqueries) keeps the feed statements' plans obvious to both
    databases: driven by the owner's feed index, whatever the planner's statistics say about
    the rare suspended or limited accounts (on PostgreSQL a stale estimate made it scan every
    post).
    """

    hidden: tuple[int, ...]  # blocked either way, muted, suspended
    limited: tuple[int, ...]  # limited (silenced) accounts
    # Followed accounts whose reshares the viewer doesn't want (Mastodon's reblogs=false).
    # A list rather than a subquery: PostgreSQL charged the subquery to every row of the
    # join and chose to walk the posts' primary key (13 ms) instead of the feed index.
    no_reshares: tuple[int, ...] = ()

    @classmethod
    def of(cls, viewer: Account) -> _Hidden:
        block, mute, account = _t(Block), _t(Mute), _t(Account)
        lst, member = _t(List), _t(ListMember)
        # Members of the viewer's exclusive lists are read in those lists, not at home.
        sql = (
            f"SELECT 0, target_id FROM {block} WHERE account_id = %s "
            f"UNION SELECT 0, account_id FROM {block} WHERE target_id = %s "
            f"UNION SELECT 0, target_id FROM {mute} WHERE account_id = %s "
            f"AND (expires_at IS NULL OR expires_at > %s) "
            f"UNION SELECT 0, m.account_id FROM {member} m INNER JOIN {lst} l ON l.id = m.list_id "
            f"WHERE l.owner_id = %s AND l.exclusive = %s "
            f"UNION SELECT 0, id FROM {account} WHERE suspended_at IS NOT NULL "
            f"UNION SELECT 1, id FROM {account} WHERE limited_at IS NOT NULL "
            f"UNION SELECT 2, target_id FROM {_t(Follow)} "
            f"WHERE follower_id = %s AND show_reshares = %s"
        )
        params: list[Any] = [viewer.pk, viewer.pk, viewer.pk, timezone.now(), viewer.pk, True]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, viewer.pk, False])
            rows = cursor.fetchall()
        return cls(
            hidden=tuple(sorted(i for kind, i in rows if kind == 0)),
            limited=tuple(sorted(i for kind, i in rows if kind == 1 and i != viewer.pk)),
            no_reshares=tuple(sorted(i for kind, i in rows if kind == 2)),
        )

    def not_hidden(self, column: str) -> tuple[str, list[Any]]:
        """SQL true when ``column`` is not a hidden account (NULL counts as not hidden)."""
        if not self.hidden:
            return "1 = 1", []
        marks = ", ".join(["%s"] * len(self.hidden))
        return f"({column} IS NULL OR {column} NOT IN ({marks}))", list(self.hidden)

    def reaches(self, viewer: Account, column: str) -> tuple[str, list[Any]]:
        """SQL keeping a post by a limited account only for its followers and connections."""
        if not self.limited:
            return "1 = 1", []
        follow, conn = _t(Follow), _t(Connection)
        marks = ", ".join(["%s"] * len(self.limited))
        return (
            f"({column} IS NULL OR {column} NOT IN ({marks}) "
            f"OR {column} IN (SELECT target_id FROM {follow} WHERE follower_id = %s) "
            f"OR {column} IN (SELECT other_id FROM {conn} WHERE account_id = %s))",
            [*self.limited, viewer.pk, viewer.pk],
        )


def _entry_ids(viewer: Account, page: PageRange, hide: _Hidden) -> list[int]:
    """Top ``limit`` post ids of the viewer's materialized feed in the page's range.

    Hand-written SQL because this is the hottest read of the site: the ORM would spend more
    time building the statement than SQLite spends running it. The filters sit before the
    ``LIMIT`` so hidden posts never shorten a page.
    """
    entry, post = _t(HomeFeedEntry), _t(Post)
    where = ["e.owner_id = %s"]
    params: list[Any] = [viewer.pk]
    for bound, op in ((page.max_id, "<"), (page.since_id, ">"), (page.min_id, ">")):
        if bound is not None:
            where.append(f"e.post_id {op} %s")
            params.append(bound)
    # ``source`` is the post's author (the resharer, for a reshare); ``o`` the reshared post.
    # Limited accounts reach non-followers neither by mentions nor through reshares.
    for clause, clause_params in (
        hide.not_hidden("e.source_id"),
        hide.not_hidden("o.author_id"),
        hide.reaches(viewer, "p.author_id"),
        hide.reaches(viewer, "o.author_id"),
    ):
        where.append(clause)
        params += clause_params
    if hide.no_reshares:
        marks = ", ".join(["%s"] * len(hide.no_reshares))
        where.append(f"(p.reshare_of_id IS NULL OR e.source_id NOT IN ({marks}))")
        params += list(hide.no_reshares)
    direction = "ASC" if page.ascending else "DESC"
    sql = (
        f"SELECT e.post_id FROM {entry} e INNER JOIN {post} p ON p.id = e.post_id "
        f"LEFT OUTER JOIN {post} o ON o.id = p.reshare_of_id "
        f"WHERE {' AND '.join(where)} ORDER BY e.post_id {direction} LIMIT %s"
    )
    params.append(page.limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _big_sources(viewer: Account, hide: _Hidden) -> dict[int, tuple[bool, bool]]:
    """Followed or connected accounts above the fan-out limit, not hidden from the viewer:
    ``{id: (connected, show_reshares)}``. One short query over the viewer's own rows."""
    limit = settings.PLAZA.fanout_limit
    follow_ok, follow_params = hide.not_hidden("f.target_id")
    conn_ok, conn_params = hide.not_hidden("c.other_id")
    follow, conn, account = _t(Follow), _t(Connection), _t(Account)
    sql = (
        f"SELECT f.target_id, 0, f.show_reshares FROM {follow} f "
        f"INNER JOIN {account} a ON a.id = f.target_id "
        f"WHERE f.follower_id = %s AND a.followers_count > %s AND {follow_ok} "
        f"UNION ALL SELECT c.other_id, 1, %s FROM {conn} c "
        f"INNER JOIN {account} a ON a.id = c.other_id "
        f"WHERE c.account_id = %s AND a.followers_count > %s AND {conn_ok}"
    )
    # The booleans are parameters so both databases type the UNION's columns alike.
    params = [viewer.pk, limit, *follow_params, True, viewer.pk, limit, *conn_params]
    result: dict[int, tuple[bool, bool]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for target_id, connected, show in rows:
        was_connected, was_show = result.get(target_id, (False, True))
        if connected:  # a connection adds connections-only posts; the follow keeps its option
            result[target_id] = (True, was_show)
        else:
            result[target_id] = (was_connected, bool(show))
    return result


def _pulled_ids(viewer: Account, page: PageRange, hide: _Hidden) -> list[int]:
    """Posts by followed/connected accounts too big to fan out, read from their profile index.

    One ``UNION ALL`` of per-author ``ORDER BY id LIMIT n`` subqueries, so each author costs
    one short index range scan however many posts they have.
    """
    big = _big_sources(viewer, hide)
    if not big:
        return []
    hidden = _hidden_ids(viewer)
    parts: list[str] = []
    params: list[Any] = []
    for n, (author_id, (connected, show_reshares)) in enumerate(sorted(big.items())):
        visibilities: list[str] = [*OPEN, Visibility.FOLLOWERS]
        if connected:
            visibilities.append(Visibility.CONNECTIONS)
        qs = (
            # Group posts reach group members by fan-out (feeds.actions), never followers.
            Post.objects.filter(
                author_id=author_id, visibility__in=visibilities, group__isnull=True
            )
            .filter(home_reply_q(viewer))
            .exclude(reshare_of__author_id__in=hidden)
        )
        if not show_reshares:
            qs = qs.filter(reshare_of__isnull=True)
        qs = _apply_range(qs, "id", page).order_by(_order("id", page)).values_list("id")
        sql, sub_params = qs[: page.limit].query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS pull_{n}")
        params.extend(sub_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [row[0] for row in cursor.fetchall()]


# --- profile, public, hashtag ---------------------------------------------------------------


def profile_feed(
    viewer: Account | None,
    author: Account,
    page: PageRange = PageRange(),
    *,
    with_replies: bool = False,
    media_only: bool = False,
) -> FeedPage:
    """An account's posts and reshares that the viewer may see.

    ``with_replies`` adds replies to others; ``media_only`` keeps the author's own posts that
    carry media (the "Media" tab).
    """
    page = page.clamp()
    qs = visible_posts(viewer).filter(author=author).exclude(visibility=Visibility.DIRECT)
    if not with_replies:
        qs = qs.filter(Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account=author))
    if media_only:
        qs = qs.filter(
            Exists(MediaAttachment.objects.filter(post=OuterRef("pk"))), reshare_of__isnull=True
        )
    qs = _apply_range(qs, "id", page).order_by(_order("id", page))
    return _finish(list(with_related(qs)[: page.limit]), page)


def public_feed(viewer: Account | None, page: PageRange = PageRange()) -> FeedPage:
    """Public original posts on this instance, newest first (no reshares, no replies)."""
    page = page.clamp()
    qs = Post.objects.filter(
        visibility=Visibility.PUBLIC, reshare_of__isnull=True, in_reply_to__isnull=True
    ).exclude(author_id__in=_unlisted_ids())
    if viewer is not None:
        qs = qs.exclude(author_id__in=_hidden_ids(viewer))
    qs = _apply_range(qs, "id", page).order_by(_order("id", page))
    return _finish(list(with_related(qs)[: page.limit]), page)


def hashtag_feed(viewer: Account | None, name: str, page: PageRange = PageRange()) -> FeedPage:
    """Public posts tagged ``#name``, newest first.

    Read from the ``(hashtag, -post)`` index of the tag table, so a page is a range scan
    however many posts the instance has.
    """
    page = page.clamp()
    tagged = _apply_range(
        PostHashtag.objects.filter(
            hashtag__name=name.lower(),
            post__visibility=Visibility.PUBLIC,
            post__reshare_of__isnull=True,
        ).exclude(post__author_id__in=_unlisted_ids()),
        "post_id",
        page,
    )
    if viewer is not None:
        tagged = tagged.exclude(post__author_id__in=_hidden_ids(viewer))
    ids = list(
        tagged.order_by(_order("post_id", page)).values_list("post_id", flat=True)[: page.limit]
    )
    posts = sorted(with_related(Post.objects.filter(pk__in=ids)), key=lambda p: p.pk, reverse=True)
    if page.ascending:
        posts.reverse()
    return _finish(posts, page)


def hashtag_post_count(name: str) -> int:
    """How many public posts carry ``#name`` (for the tag page's header)."""
    return PostHashtag.objects.filter(
        hashtag__name=name.lower(),
        post__visibility=Visibility.PUBLIC,
        post__reshare_of__isnull=True,
    ).count()


# --- side panel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendingTag:
    name: str
    posts: int


def trending_hashtags(limit: int = 8) -> list[TrendingTag]:
    """Trending hashtags of the last 48 hours, best first (cached for two minutes).

    Scored by :func:`search.trends.hashtag_scores`: distinct accounts with time decay, each
    account's weight capped, so one account repeating a tag can't make it trend. ``posts``
    is how many public posts carried the tag in the window.
    """
    from search.trends import hashtag_scores

    return [TrendingTag(name, n) for name, _score, n in hashtag_scores()[:limit]]


def suggested_accounts(viewer: Account | None, limit: int = 5) -> list[Account]:
    """Popular discoverable accounts the viewer doesn't follow, hasn't asked to follow, and
    isn't blocked from; never the viewer themselves. Most-followed first.

    Usually two short queries: the instance-wide top list is cached, one statement finds
    which of those the viewer is already tied to, one loads the first ``limit`` others. When
    that leaves too few (a viewer who follows most of them), we ask the database directly.
    """
    top = cache.get("feeds:top_accounts")
    if top is None:
        top = list(
            Account.objects.filter(discoverable=True)
            .order_by("-followers_count", "-id")
            .values_list("id", flat=True)[:TOP_ACCOUNTS_POOL]
        )
        cache.set("feeds:top_accounts", top, TOP_ACCOUNTS_CACHE_SECONDS)
    if viewer is not None and top:
        taken = _tied_or_hidden(viewer, top) | {viewer.pk}
        top = [pk for pk in top if pk not in taken]
    if len(top) >= limit:
        # ``discoverable`` is checked again: the cached list may be a few minutes old.
        by_id = Account.objects.filter(pk__in=top[:limit], discoverable=True).in_bulk()
        if len(by_id) == limit:
            return [by_id[pk] for pk in top[:limit]]
    qs = Account.objects.filter(discoverable=True)
    if viewer is not None:
        qs = (
            qs.exclude(pk=viewer.pk)
            .exclude(pk__in=Follow.objects.filter(follower=viewer).values("target_id"))
            .exclude(pk__in=FollowRequest.objects.filter(requester=viewer).values("target_id"))
            .exclude(pk__in=ConnectionRequest.objects.filter(requester=viewer).values("target_id"))
            .exclude(pk__in=Connection.objects.filter(account=viewer).values("other_id"))
            .exclude(pk__in=_hidden_ids(viewer))
        )
    return list(qs.order_by("-followers_count", "-id")[:limit])


def _tied_or_hidden(viewer: Account, ids: list[int]) -> set[int]:
    """Which of ``ids`` the viewer follows, asked to follow or connect with, is connected to,
    blocks, is blocked by or mutes: one ``UNION ALL`` statement."""
    marks = ", ".join(["%s"] * len(ids))
    parts: list[str] = []
    params: list[Any] = []
    for model, owner, other in (
        (Follow, "follower_id", "target_id"),
        (FollowRequest, "requester_id", "target_id"),
        (ConnectionRequest, "requester_id", "target_id"),
        (Connection, "account_id", "other_id"),
        (Block, "account_id", "target_id"),
        (Block, "target_id", "account_id"),
        (Mute, "account_id", "target_id"),
    ):
        live = " AND (expires_at IS NULL OR expires_at > %s)" if model is Mute else ""
        parts.append(
            f"SELECT {other} FROM {_t(model)} WHERE {owner} = %s AND {other} IN ({marks}){live}"
        )
        params += [viewer.pk, *ids, *([timezone.now()] if live else [])]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {row[0] for row in cursor.fetchall()}


# --- Mastodon API filters -------------------------------------------------------------------

MAX_EXTRA_TAGS = 4  # as Mastodon: at most four tags from each of any[]/all[]/none[]


def public_feed_filtered(
    viewer: Account | None, page: PageRange = PageRange(), *, only_media: bool = False
) -> FeedPage:
    """:func:`public_feed`, optionally only posts that carry media (Mastodon's ``only_media``)."""
    if not only_media:
        return public_feed(viewer, page)
    page = page.clamp()
    qs = Post.objects.filter(
        Exists(MediaAttachment.objects.filter(post=OuterRef("pk"))),
        visibility=Visibility.PUBLIC,
        reshare_of__isnull=True,
        in_reply_to__isnull=True,
    ).exclude(author_id__in=_unlisted_ids())
    if viewer is not None:
        qs = qs.exclude(author_id__in=_hidden_ids(viewer))
    qs = _apply_range(qs, "id", page).order_by(_order("id", page))
    return _finish(list(with_related(qs)[: page.limit]), page)


def hashtag_feed_filtered(
    viewer: Account | None,
    name: str,
    page: PageRange = PageRange(),
    *,
    any_of: tuple[str, ...] = (),
    all_of: tuple[str, ...] = (),
    none_of: tuple[str, ...] = (),
    only_media: bool = False,
) -> FeedPage:
    """:func:`hashtag_feed` with Mastodon's extra tag filters: posts tagged ``name`` or any of
    ``any_of``, also tagged with every one of ``all_of``, with none of ``none_of``; with
    ``only_media``, only posts carrying media. Without filters it is :func:`hashtag_feed`."""
    if not (any_of or all_of or none_of or only_media):
        return hashtag_feed(viewer, name, page)
    page = page.clamp()

    def tagged(names: list[str]) -> Exists:
        return Exists(PostHashtag.objects.filter(post=OuterRef("pk"), hashtag__name__in=names))

    wanted = [name.lower(), *(t.lower() for t in any_of[:MAX_EXTRA_TAGS])]
    qs = Post.objects.filter(
        tagged(wanted), visibility=Visibility.PUBLIC, reshare_of__isnull=True
    ).exclude(author_id__in=_unlisted_ids())
    for tag in all_of[:MAX_EXTRA_TAGS]:
        qs = qs.filter(tagged([tag.lower()]))
    if none_of:
        qs = qs.exclude(tagged([t.lower() for t in none_of[:MAX_EXTRA_TAGS]]))
    if only_media:
        qs = qs.filter(Exists(MediaAttachment.objects.filter(post=OuterRef("pk"))))
    if viewer is not None:
        qs = qs.exclude(author_id__in=_hidden_ids(viewer))
    qs = _apply_range(qs, "id", page).order_by(_order("id", page))
    return _finish(list(with_related(qs)[: page.limit]), page)


def trending_posts(viewer: Account | None, *, limit: int = 20, offset: int = 0) -> list[Post]:
    """Public original posts of the last 48 hours with likes, reshares or quotes, scored by
    engagement with time decay and at most two per author (:mod:`search.trends`), that the
    viewer may see and hasn't hidden; best first."""
    from search.trends import visible_trending_posts

    return visible_trending_posts(viewer, limit=limit, offset=offset)
