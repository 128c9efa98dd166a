"""Reads of posts, always scoped by the viewer. The visibility rule lives here, once.

Who sees a post (``visibility``):

========== =====================================================================
public     everyone, listed in public and hashtag feeds
unlisted   everyone with the link or on the profile; not in public/hashtag feeds
followers  the author, their followers and connections, and people it mentions
connections the author, their connections, and people it mentions
direct     the author and the people it mentions
========== =====================================================================

On top of that, nobody sees posts of accounts they block or that block them, and a reshare
is visible only when the post it carries is. A post in a group (``group`` set) is visible only
when the group is public or the viewer is an active member of it (see :func:`_group_q`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.query import ModelIterable

from accounts.models import Account, Visibility
from network.models import Block, Connection, Follow
from plaza import rows
from plaza.errors import NotFound
from posts.models import (
    Bookmark,
    Like,
    MediaAttachment,
    Mention,
    Pin,
    Poll,
    PollOption,
    PollVote,
    Post,
    PostEdit,
)

OPEN = (Visibility.PUBLIC, Visibility.UNLISTED)


def _visibility_q(viewer: Account | None, prefix: str = "") -> Q:
    def f(name: str) -> str:
        return f"{prefix}{name}"

    if viewer is None:
        return Q(**{f("visibility__in"): OPEN}) & _group_q(viewer, prefix)
    follows = Follow.objects.filter(follower=viewer).values("target_id")
    connections = Connection.objects.filter(account=viewer).values("other_id")
    mentioned = Mention.objects.filter(account=viewer).values("post_id")
    return _group_q(viewer, prefix) & (
        Q(**{f("visibility__in"): OPEN})
        | Q(**{f("author_id"): viewer.pk})
        | Q(**{f("visibility"): Visibility.FOLLOWERS, f("author_id__in"): follows})
        | Q(
            **{
                f("visibility__in"): (Visibility.FOLLOWERS, Visibility.CONNECTIONS),
                f("author_id__in"): connections,
            }
        )
        | Q(**{f("id__in"): mentioned})
    )


def _group_q(viewer: Account | None, prefix: str = "") -> Q:
    """Posts outside groups, posts in public groups, and posts in groups where ``viewer`` is
    an active member (not banned). Private and secret groups' posts reach nobody else: not
    their mentioned people, not their author once banned, on no path."""
    from groups.models import Group as GroupModel
    from groups.models import GroupVisibility, Membership, MemberState

    public = GroupModel.objects.filter(visibility=GroupVisibility.PUBLIC).values("id")
    q = Q(**{f"{prefix}group__isnull": True}) | Q(**{f"{prefix}group_id__in": public})
    if viewer is not None:
        member_of = Membership.objects.filter(account=viewer, state=MemberState.ACTIVE).values(
            "group_id"
        )
        q |= Q(**{f"{prefix}group_id__in": member_of})
    return q


def _not_blocked_q(viewer: Account | None, prefix: str = "") -> Q:
    if viewer is None:
        return Q()
    blocked = Block.objects.filter(account=viewer).values("target_id")
    blockers = Block.objects.filter(target=viewer).values("account_id")
    return ~Q(**{f"{prefix}author_id__in": blocked}) & ~Q(**{f"{prefix}author_id__in": blockers})


def _moderated_q(viewer: Account | None) -> Q:
    """Moderation (see :mod:`moderation.actions`): posts of suspended accounts are gone for
    everyone, and posts of limited (silenced) accounts reach only the account's followers
    and connections — for a post and for the post a reshare carries. The subqueries read
    partial indexes holding just the moderated accounts."""
    suspended = Account.objects.filter(suspended_at__isnull=False).values("id")
    limited = Account.objects.filter(limited_at__isnull=False).values("id")

    def allowed(prefix: str) -> Q:
        reach = ~Q(**{f"{prefix}author_id__in": limited})
        if viewer is not None:
            follows = Follow.objects.filter(follower=viewer).values("target_id")
            connections = Connection.objects.filter(account=viewer).values("other_id")
            reach |= (
                Q(**{f"{prefix}author_id": viewer.pk})
                | Q(**{f"{prefix}author_id__in": follows})
                | Q(**{f"{prefix}author_id__in": connections})
            )
        return ~Q(**{f"{prefix}author_id__in": suspended}) & reach

    return allowed("") & (Q(reshare_of__isnull=True) | allowed("reshare_of__"))


def visible_posts(viewer: Account | None) -> QuerySet[Post]:
    """Every post ``viewer`` (None: someone logged out) may see."""
    carried = Q(reshare_of__isnull=True) | (
        _visibility_q(viewer, "reshare_of__") & _not_blocked_q(viewer, "reshare_of__")
    )
    return Post.objects.filter(
        _visibility_q(viewer), _not_blocked_q(viewer), carried & _moderated_q(viewer)
    )


def can_see(viewer: Account | None, post: Post) -> bool:
    """Whether ``viewer`` may see ``post`` (one small query)."""
    return visible_posts(viewer).filter(pk=post.pk).exists()


def get_post_for(viewer: Account | None, post_id: int | str) -> Post:
    """The post, if ``viewer`` may see it; :class:`NotFound` otherwise (never say which)."""
    try:
        pid = int(post_id)
    except (TypeError, ValueError):
        raise NotFound("This post does not exist or you can't see it.")
    post = (
        visible_posts(viewer).select_related("author", "reshare_of__author").filter(pk=pid).first()
    )
    if post is None:
        raise NotFound("This post does not exist or you can't see it.")
    return post


@dataclass
class PostCard:
    """A post ready to render for one viewer: what it shows and what the viewer did to it."""

    post: Post  # the post as it appears in the list (may be a reshare)
    shown: Post  # the post whose content is displayed (the original for a reshare)
    reshared_by: Account | None
    liked: bool
    bookmarked: bool
    reshared: bool
    pinned: bool
    quote: Post | None  # the quoted post, when the viewer may see it
    quote_hidden: bool  # the post quotes something the viewer can't see
    # Titles of the viewer's "warn"/"blur" filters this post trips (shown behind a warning).
    filtered: tuple[str, ...] = ()
    # The viewer's ballots in the polls of the shown post and its quote: poll id -> the
    # option indexes they chose (no entry: not voted, or no viewer).
    poll_votes: dict[int, tuple[int, ...]] = field(default_factory=dict)

    @property
    def poll(self) -> Poll | None:
        """The shown post's poll (loaded with the page), or None."""
        return poll_of(self.shown)

    @property
    def own_votes(self) -> tuple[int, ...] | None:
        """The options the viewer chose in the shown post's poll; None: not voted."""
        return self.poll_votes.get(self.shown.pk)


def poll_of(post: Post) -> Poll | None:
    """``post``'s poll as :func:`load_related` attached it (a query if it did not); None for
    a post without one (no query: ``has_poll`` says so)."""
    if not post.has_poll:
        return None
    try:
        return post.poll
    except Poll.DoesNotExist:
        return None


def with_related(qs: QuerySet[Post]) -> QuerySet[Post]:
    """Everything a post card needs, in a fixed number of queries whatever the page size.

    When the queryset is evaluated, each post comes with its author and the account it
    replies to, the post it reshares and the post it (or that reshared post) quotes, with
    their authors, and the media of all of them (ordered), as ``post.media.all()``.
    """
    qs = qs.all()
    qs._iterable_class = _WithRelatedIterable
    return qs


class _WithRelatedIterable(ModelIterable):
    """Posts, then what their cards show loaded in bulk by :func:`load_related`.

    Plain ``pk IN (...)`` queries instead of ``select_related`` joins and ``Prefetch``: on a
    40-post home page the ORM spent ~2 ms compiling the six-way join and ~1.5 ms building
    per-post prefetch querysets, several times what SQLite spent running the queries.
    """

    def __iter__(self) -> Iterator[Post]:
        posts = list(super().__iter__())
        load_related(posts)
        return iter(posts)


def load_related(posts: Sequence[Post]) -> None:
    """Attach to ``posts`` (already loaded) what :func:`with_related` attaches: at most four
    queries (reshared and quoted posts, what reshared posts quote, accounts, media), and one
    more for polls with their options when some of the posts have one."""
    if not posts:
        return
    loaded: dict[int, Post] = {p.pk: p for p in posts}
    reshared = {p.reshare_of_id for p in posts if p.reshare_of_id is not None}
    _load_posts(loaded, [*reshared, *(p.quote_of_id for p in posts)])
    # A reshared post shows what it quotes too.
    originals = [loaded[pk] for pk in reshared if pk in loaded]
    _load_posts(loaded, {p.quote_of_id for p in originals})
    for post in [*posts, *originals]:
        _cache(post, "reshare_of", loaded.get(post.reshare_of_id or 0))
        _cache(post, "quote_of", loaded.get(post.quote_of_id or 0))
    account_ids = {p.author_id for p in loaded.values()}
    account_ids |= {p.in_reply_to_account_id for p in loaded.values() if p.in_reply_to_account_id}
    accounts = {a.pk: a for a in _raw_in(Account, "id", account_ids)}
    for p in loaded.values():
        _cache(p, "author", accounts.get(p.author_id))
        _cache(p, "in_reply_to_account", accounts.get(p.in_reply_to_account_id or 0))
    media: dict[int, list[MediaAttachment]] = {pk: [] for pk in loaded}
    for m in _raw_in(MediaAttachment, "post_id", list(loaded), order="position, id"):
        media[m.post_id].append(m)  # type: ignore[index]
    base = MediaAttachment.objects.order_by("position", "id")
    for pk, items in media.items():
        post = loaded[pk]
        for m in items:
            _cache(m, "post", post)
        # What Django's own prefetch stores, built as related managers build it: the post
        # filter is deferred, applied only if someone queries again (``media.filter(...)``).
        cached: Any = base.all()  # Django-internal attributes follow
        cached._deferred_filter = (False, (), {"post_id": pk})
        cached._result_cache = items
        cached._prefetch_done = True
        post.__dict__.setdefault("_prefetched_objects_cache", {})["media"] = cached
    _load_polls([p for p in loaded.values() if p.has_poll])


def _load_polls(posts: Sequence[Post]) -> None:
    """The polls of ``posts`` (all with ``has_poll``) and their options: one query."""
    if not posts:
        return
    by_post = {p.pk: p for p in posts}
    polls: dict[int, Poll] = {}
    options = PollOption.objects.filter(poll_id__in=list(by_post)).select_related("poll")
    for option in options.order_by("poll_id", "position"):
        poll = polls.get(option.poll_id)
        if poll is None:
            poll = polls[option.poll_id] = option.poll
            poll.__dict__["_loaded_options"] = []
        poll.__dict__["_loaded_options"].append(option)
    for pk, post in by_post.items():
        if pk in polls:
            _cache(post, "poll", polls[pk])


M = TypeVar("M", bound=Model)


def _raw_in(model: type[M], column: str, ids: Iterable[int], order: str = "") -> list[M]:
    """Rows of ``model`` whose ``column`` is one of ``ids``, as model instances. Written by
    hand (:mod:`plaza.rows`): every feed page runs these, and the ORM spent more time
    compiling them than the database running them (about 0.4 ms a page on PostgreSQL)."""
    ids = list(ids)
    if not ids:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    condition, params = rows.one_of(f"t.{column}", ids)
    sql = f"SELECT {rows.columns(model, 't')} FROM {table} t WHERE {condition}"
    if order:
        sql += f" ORDER BY {order}"
    return rows.instances(model, sql, params)


def _cache(obj: Any, name: str, value: Any) -> None:
    # What select_related does: the related object goes into the instance's field cache.
    obj._state.fields_cache[name] = value


def _load_posts(loaded: dict[int, Post], ids: Iterable[int | None]) -> None:
    """Add the posts among ``ids`` that ``loaded`` lacks (one query, none if it lacks none)."""
    missing = [i for i in ids if i is not None and i not in loaded]
    if missing:
        loaded.update((post.pk, post) for post in Post.objects.filter(pk__in=missing))


def cards(
    viewer: Account | None, posts: Sequence[Post], *, context: str | None = None
) -> list[PostCard]:
    """Turn posts (loaded with :func:`with_related`) into cards for ``viewer``.

    Runs at most three queries whatever the number of posts: the viewer's likes, bookmarks,
    reshares and pins in one, which quoted posts the viewer may see when there are any, and
    the viewer's ballots when some post (or quote) has a poll.
    With a filter ``context`` (``home``, ``public``, ``thread``, ``account``) the viewer's
    filters for that place apply (one more query): posts a "hide" filter matches are left
    out, the others carry the titles of the filters that warn about them.
    """
    tripped: dict[int, tuple[str, ...]] = {}
    if context is not None and viewer is not None and posts:
        from filters.queries import hidden_post_ids, match

        results = match(viewer, posts, context)
        if results:
            hidden = hidden_post_ids(results)
            posts = [p for p in posts if p.pk not in hidden]
            tripped = {pk: tuple(r.filter.title for r in found) for pk, found in results.items()}
    shown_ids = [p.reshare_of_id or p.pk for p in posts]
    quote_ids: set[int] = set()
    for p in posts:
        shown_post = p.reshare_of if p.reshare_of is not None else p
        if shown_post.quote_of_id is not None:
            quote_ids.add(shown_post.quote_of_id)
    liked: set[int] = set()
    bookmarked: set[int] = set()
    reshared: set[int] = set()
    pinned: set[int] = set()
    visible_quotes: set[int] = set()
    if viewer is not None and shown_ids:
        marks = {"like": liked, "bookmark": bookmarked, "reshare": reshared, "pin": pinned}
        for kind, post_id in _viewer_marks(viewer, shown_ids):
            marks[kind].add(post_id)
    if quote_ids:
        visible_quotes = set(
            visible_posts(viewer).filter(pk__in=quote_ids).values_list("id", flat=True)
        )
    ballots: dict[int, tuple[int, ...]] = {}
    if viewer is not None:
        poll_ids: set[int] = set()
        for p in posts:
            shown_post = p.reshare_of if p.reshare_of is not None else p
            quoted = shown_post.quote_of if shown_post.quote_of_id is not None else None
            poll_ids |= {q.pk for q in (shown_post, quoted) if q is not None and q.has_poll}
        ballots = own_votes(viewer, poll_ids)
    result = []
    for p in posts:
        shown = p.reshare_of if p.reshare_of_id else p
        assert shown is not None
        quote = shown.quote_of if shown.quote_of_id in visible_quotes else None
        result.append(
            PostCard(
                post=p,
                shown=shown,
                reshared_by=p.author if p.reshare_of_id else None,
                liked=shown.pk in liked,
                bookmarked=shown.pk in bookmarked,
                reshared=shown.pk in reshared,
                pinned=shown.pk in pinned,
                quote=quote,
                quote_hidden=shown.quote_of_id is not None and quote is None,
                filtered=tripped.get(p.pk, ()),
                poll_votes={
                    pk: ballots[pk]
                    for pk in (shown.pk, quote.pk if quote is not None else None)
                    if pk in ballots
                },
            )
        )
    return result


def own_votes(viewer: Account, poll_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """The option indexes ``viewer`` chose in each of these polls they voted in, in the order
    they chose them (Mastodon's ``own_votes``; one query, none when there are no polls)."""
    ids = list(poll_ids)
    if not ids:
        return {}
    chosen: dict[int, list[int]] = {}
    rows = (
        PollVote.objects.filter(account=viewer, poll_id__in=ids)
        .order_by("poll_id", "choice_number", "option__position")
        .values_list("poll_id", "option__position")
    )
    for poll_id, position in rows:
        chosen.setdefault(poll_id, []).append(position)
    return {k: tuple(v) for k, v in chosen.items()}


def _viewer_marks(viewer: Account, post_ids: Sequence[int]) -> list[tuple[str, int]]:
    """Which of ``post_ids`` the viewer liked, bookmarked, reshared and pinned, as
    ``(kind, post_id)`` rows: one ``UNION ALL`` statement instead of four queries."""
    ids = list(dict.fromkeys(post_ids))
    parts, params = [], []
    for kind, model, column, owner in (
        ("like", Like, "post_id", "account_id"),
        ("bookmark", Bookmark, "post_id", "account_id"),
        ("reshare", Post, "reshare_of_id", "author_id"),
        ("pin", Pin, "post_id", "account_id"),
    ):
        table = connection.ops.quote_name(model._meta.db_table)
        condition, values = rows.one_of(column, ids)
        parts.append(f"SELECT '{kind}', {column} FROM {table} WHERE {owner} = %s AND {condition}")
        params += [viewer.pk, *values]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [(str(kind), int(post_id)) for kind, post_id in cursor.fetchall()]


def thread(viewer: Account | None, post: Post) -> tuple[list[Post], list[Post]]:
    """Ancestors (oldest first) and descendants (in reading order) of ``post`` that the viewer
    may see. A fixed number of queries for the whole thread, however deep or wide."""
    root_id = post.thread_root_id or post.pk
    members = {
        p.pk: p
        for p in with_related(
            visible_posts(viewer).filter(Q(thread_root_id=root_id) | Q(pk=root_id))
        ).order_by("id")
    }
    ancestors: list[Post] = []
    cursor = post.in_reply_to_id
    while cursor is not None and cursor in members:
        ancestors.append(members[cursor])
        cursor = members[cursor].in_reply_to_id
    ancestors.reverse()
    children: dict[int, list[Post]] = {}
    for p in members.values():
        if p.in_reply_to_id is not None and p.reshare_of_id is None:
            children.setdefault(p.in_reply_to_id, []).append(p)
    # An explicit stack, not recursion: a thread thousands of replies deep must not hit
    # Python's recursion limit. Children are pushed in reverse so they pop oldest first.
    descendants: list[Post] = []
    stack: list[tuple[Post, int]] = [(c, 1) for c in reversed(children.get(post.pk, []))]
    while stack:
        child, depth = stack.pop()
        child.thread_depth = depth  # type: ignore[attr-defined]
        descendants.append(child)
        stack.extend((c, depth + 1) for c in reversed(children.get(child.pk, [])))
    return ancestors, descendants


def pinned_posts(viewer: Account | None, author: Account) -> QuerySet[Post]:
    """The author's pinned posts the viewer may see, newest pin first."""
    pins = Pin.objects.filter(account=author, post=OuterRef("pk"))
    return visible_posts(viewer).filter(Exists(pins), author=author).order_by("-id")


def ids_liked_by(viewer: Account, post_ids: Iterable[int]) -> set[int]:
    return set(
        Like.objects.filter(account=viewer, post_id__in=list(post_ids)).values_list(
            "post_id", flat=True
        )
    )


T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One keyset page: ``items`` and the ``next_max_id`` to ask for the next (None: the end)."""

    items: list[T]
    next_max_id: int | None


def _keyset(rows: list[tuple[int, T]], limit: int) -> Page[T]:
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([item for _, item in rows], rows[-1][0] if more and rows else None)


def bookmarked_posts(viewer: Account, *, max_id: int | None = None, limit: int = 20) -> Page[Post]:
    """The viewer's bookmarked posts they may still see, newest bookmark first.

    Keyset-paginated by bookmark id; a fixed number of queries whatever ``limit`` is.
    """
    marks = Bookmark.objects.filter(account=viewer, post__in=visible_posts(viewer).values("id"))
    if max_id is not None:
        marks = marks.filter(pk__lt=max_id)
    pairs = list(marks.order_by("-id").values_list("id", "post_id")[: limit + 1])
    posts = {p.pk: p for p in with_related(Post.objects.filter(pk__in=[pid for _, pid in pairs]))}
    return _keyset([(bid, posts[pid]) for bid, pid in pairs if pid in posts], limit)


def _visible_accounts(viewer: Account | None) -> QuerySet[Account]:
    qs = Account.objects.all()
    if viewer is not None:
        qs = qs.exclude(pk__in=Block.objects.filter(account=viewer).values("target_id")).exclude(
            pk__in=Block.objects.filter(target=viewer).values("account_id")
        )
    return qs


def liked_by(
    viewer: Account | None, post: Post, *, max_id: int | None = None, limit: int = 40
) -> Page[Account]:
    """Accounts that liked ``post`` (already checked visible), newest like first, minus blocks."""
    likes = Like.objects.filter(post=post, account__in=_visible_accounts(viewer))
    if max_id is not None:
        likes = likes.filter(pk__lt=max_id)
    rows = list(likes.select_related("account").order_by("-id")[: limit + 1])
    return _keyset([(like.pk, like.account) for like in rows], limit)


def reshared_by(
    viewer: Account | None, post: Post, *, max_id: int | None = None, limit: int = 40
) -> Page[Account]:
    """Accounts whose reshare of ``post`` the viewer may see, newest first, minus blocks.
    Reshares to followers only are not listed (as Mastodon's "boosted by"): they went to the
    resharer's followers, not to the post's public record."""
    shares = visible_posts(viewer).filter(reshare_of=post, visibility__in=OPEN)
    if max_id is not None:
        shares = shares.filter(pk__lt=max_id)
    rows = list(shares.select_related("author").order_by("-id")[: limit + 1])
    return _keyset([(share.pk, share.author) for share in rows], limit)


def edit_history(post: Post) -> list[PostEdit]:
    """Previous versions of ``post`` (already checked visible), newest first."""
    return list(PostEdit.objects.filter(post=post).order_by("-id"))


def liked_posts(viewer: Account, *, max_id: int | None = None, limit: int = 20) -> Page[Post]:
    """The posts ``viewer`` liked and may still see, newest like first.

    Keyset-paginated by like id (``max_id`` is a like id, as ``next_max_id`` returns); a fixed
    number of queries whatever ``limit`` is.
    """
    likes = Like.objects.filter(account=viewer, post__in=visible_posts(viewer).values("id"))
    if max_id is not None:
        likes = likes.filter(pk__lt=max_id)
    pairs = list(likes.order_by("-id").values_list("id", "post_id")[: limit + 1])
    posts = {p.pk: p for p in with_related(Post.objects.filter(pk__in=[pid for _, pid in pairs]))}
    return _keyset([(lid, posts[pid]) for lid, pid in pairs if pid in posts], limit)


def hashtag_use(author: Account, names: Sequence[str]) -> dict[str, tuple[int, int]]:
    """How often ``author`` used each hashtag of ``names`` in public and unlisted posts (not
    reshares): ``{name: (posts, id of the newest post)}``; unused names are left out. One
    query (Mastodon's FeaturedTag ``statuses_count`` / ``last_status_at``)."""
    from django.db.models import Count, Max

    from posts.models import PostHashtag

    rows = (
        PostHashtag.objects.filter(
            hashtag__name__in=list(names),
            post__author=author,
            post__visibility__in=OPEN,
            post__reshare_of__isnull=True,
        )
        .values("hashtag__name")
        .annotate(n=Count("post_id"), last=Max("post_id"))
    )
    return {r["hashtag__name"]: (r["n"], r["last"]) for r in rows}


def recent_hashtags_of(author: Account, *, limit: int = 10, scan: int = 200) -> list[str]:
    """The hashtags ``author`` used most in their latest ``scan`` posts, most used first (ties:
    most recent first). One query over a bounded number of rows."""
    from posts.models import PostHashtag

    recent = Post.objects.filter(author=author, reshare_of__isnull=True).order_by("-id")[:scan]
    counts: dict[str, list[int]] = {}
    rows = PostHashtag.objects.filter(post_id__in=recent.values("id")).values_list(
        "hashtag__name", "post_id"
    )
    for name, post_id in rows:
        entry = counts.setdefault(name, [0, 0])
        entry[0] += 1
        entry[1] = max(entry[1], post_id)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], -kv[1][1]))
    return [name for name, _ in ranked[:limit]]
