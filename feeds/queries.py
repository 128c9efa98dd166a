"""Feed reads: home, profile, hashtag, public. Keyset-paginated by post id, viewer-scoped.

Every function returns a :class:`FeedPage` of at most ``limit`` posts, loaded with
:func:`posts.queries.with_related`, so a page costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.models import Account, Visibility
from feeds.models import HomeFeedEntry
from network.models import Block, Follow, Mute
from posts.models import Post
from posts.queries import OPEN, visible_posts, with_related

DEFAULT_LIMIT = 20
MAX_LIMIT = 40


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
    # min_id asks for the page just after min_id (oldest first), then we flip it back.
    return field if page.min_id is not None and page.max_id is None else f"-{field}"


def _finish(posts: list[Post], page: PageRange) -> FeedPage:
    if page.min_id is not None and page.max_id is None:
        posts.reverse()
    return FeedPage(
        posts=posts,
        next_max_id=posts[-1].pk if len(posts) == page.limit else None,
        prev_min_id=posts[0].pk if posts else page.min_id or page.since_id,
    )


def _hidden_sources(viewer: Account) -> Q:
    """Authors the viewer blocked, is blocked by, or muted (applied at read time so an unmute
    brings everything back)."""
    blocked = Block.objects.filter(account=viewer).values("target_id")
    blockers = Block.objects.filter(target=viewer).values("account_id")
    muted = Mute.objects.filter(account=viewer).values("target_id")
    return (
        Q(author_id__in=blocked)
        | Q(author_id__in=blockers)
        | Q(author_id__in=muted)
        | Q(reshare_of__author_id__in=blocked)
        | Q(reshare_of__author_id__in=blockers)
        | Q(reshare_of__author_id__in=muted)
    )


def home_feed(viewer: Account, page: PageRange = PageRange()) -> FeedPage:
    """The viewer's own posts and posts of accounts they follow or are connected to."""
    page = page.clamp()
    entries = _apply_range(HomeFeedEntry.objects.filter(owner=viewer), "post_id", page)
    ids = list(
        entries.order_by(_order("post_id", page)).values_list("post_id", flat=True)[: page.limit]
    )
    ids += _pulled_ids(viewer, page)
    qs = with_related(Post.objects.filter(pk__in=ids).exclude(_hidden_sources(viewer)))
    posts = sorted(
        qs, key=lambda p: p.pk, reverse=not (page.min_id is not None and page.max_id is None)
    )
    return _finish(posts[: page.limit], page)


def _pulled_ids(viewer: Account, page: PageRange) -> list[int]:
    """Posts by followed accounts too big to fan out, read from their profile index."""
    big = list(
        Follow.objects.filter(
            follower=viewer, target__followers_count__gt=settings.PLAZA.fanout_limit
        ).values_list("target_id", flat=True)
    )
    if not big:
        return []
    qs = _apply_range(
        Post.objects.filter(
            author_id__in=big,
            visibility__in=(*OPEN, Visibility.FOLLOWERS),
        ).filter(Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account_id__in=big)),
        "id",
        page,
    )
    return list(qs.order_by(_order("id", page)).values_list("id", flat=True)[: page.limit])


def profile_feed(
    viewer: Account | None,
    author: Account,
    page: PageRange = PageRange(),
    *,
    with_replies: bool = False,
) -> FeedPage:
    """An account's posts and reshares that the viewer may see."""
    page = page.clamp()
    qs = visible_posts(viewer).filter(author=author)
    if not with_replies:
        qs = qs.filter(Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account=author))
    qs = _apply_range(qs, "id", page).order_by(_order("id", page))
    return _finish(list(with_related(qs)[: page.limit]), page)


def public_feed(viewer: Account | None, page: PageRange = PageRange()) -> FeedPage:
    """Public original posts on this instance, newest first (no reshares, no replies to others)."""
    page = page.clamp()
    qs = Post.objects.filter(
        visibility=Visibility.PUBLIC, reshare_of__isnull=True, in_reply_to__isnull=True
    )
    if viewer is not None:
        qs = qs.exclude(_hidden_sources(viewer))
    qs = _apply_range(qs, "id", page).order_by(_order("id", page))
    return _finish(list(with_related(qs)[: page.limit]), page)


def hashtag_feed(viewer: Account | None, name: str, page: PageRange = PageRange()) -> FeedPage:
    """Public posts tagged ``#name``."""
    page = page.clamp()
    qs = Post.objects.filter(
        posthashtag__hashtag__name=name.lower(),
        visibility=Visibility.PUBLIC,
        reshare_of__isnull=True,
    )
    if viewer is not None:
        qs = qs.exclude(_hidden_sources(viewer))
    qs = _apply_range(qs, "id", page).order_by(_order("id", page))
    return _finish(list(with_related(qs)[: page.limit]), page)
