"""Reads of lists, always scoped to their owner (nobody else sees a list or its members)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from accounts.models import Account, Visibility
from feeds.queries import FeedPage, PageRange
from lists.models import List, ListMember, RepliesPolicy
from network.queries import following_ids, muted_ids
from plaza.errors import NotFound
from posts.models import Post
from posts.queries import visible_posts, with_related

MAX_PAGE = 80


def lists_of(owner: Account) -> QuerySet[List]:
    """``owner``'s lists, by title."""
    return List.objects.filter(owner=owner).order_by("title", "id")


def get_list(owner: Account, list_id: int | str) -> List:
    """``owner``'s list with this id, or :class:`NotFound` (also for someone else's list)."""
    try:
        pk = int(list_id)
    except (TypeError, ValueError):
        raise NotFound("This list does not exist.") from None
    if not 0 < pk < 2**63:
        raise NotFound("This list does not exist.")
    found = List.objects.filter(pk=pk, owner=owner).first()
    if found is None:
        raise NotFound("This list does not exist.")
    return found


def lists_containing(owner: Account, account: Account | int) -> QuerySet[List]:
    """The lists of ``owner``'s that ``account`` is in."""
    return lists_of(owner).filter(members__account=account)


@dataclass(frozen=True)
class MemberPage:
    accounts: list[Account]
    keys: list[int]  # the membership row id of each account, for keyset paging
    next_max_id: int | None


def members_page(
    lst: List,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    limit: int | None = 40,
) -> MemberPage:
    """Accounts in the list, newest member first; ``limit=None``: all of them (≤ 500)."""
    qs = ListMember.objects.filter(list=lst).select_related("account").order_by("-id")
    qs = qs.filter(account__suspended_at__isnull=True)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    if since_id is not None:
        qs = qs.filter(pk__gt=since_id)
    rows = list(qs if limit is None else qs[: min(limit, MAX_PAGE)])
    full = limit is not None and len(rows) == min(limit, MAX_PAGE)
    return MemberPage(
        accounts=[r.account for r in rows],
        keys=[r.pk for r in rows],
        next_max_id=rows[-1].pk if rows and full else None,
    )


def member_ids(lst: List) -> list[int]:
    return list(ListMember.objects.filter(list=lst).values_list("account_id", flat=True))


def exclusive_member_ids(owner: Account) -> QuerySet[ListMember, int]:
    """Accounts in ``owner``'s exclusive lists: their posts stay out of the home feed
    (a subquery: use with ``__in``)."""
    return ListMember.objects.filter(list__owner=owner, list__exclusive=True).values_list(
        "account_id", flat=True
    )


def addable_accounts(owner: Account, lst: List, *, limit: int = 200) -> list[Account]:
    """People ``owner`` follows who are not in the list yet, by name (the web picker)."""
    return list(
        Account.objects.filter(pk__in=following_ids(owner), suspended_at__isnull=True)
        .exclude(pk__in=ListMember.objects.filter(list=lst).values("account_id"))
        .order_by("username")[:limit]
    )


def list_timeline(owner: Account, lst: List, page: PageRange | None = None) -> FeedPage:
    """Posts (and reshares) by the list's members that ``owner`` may see, newest first.

    A pull query over the members' posts (lists are small), through ``visible_posts`` so
    every visibility and block rule holds; muted accounts are left out as in the home feed.
    Replies follow the list's ``replies_policy``. Four queries plus ``with_related``'s.
    """
    page = (page or PageRange()).clamp()
    members = member_ids(lst)
    if not members:
        return FeedPage(posts=[], next_max_id=None, prev_min_id=None)
    qs = (
        visible_posts(owner)
        .filter(author_id__in=members)
        .exclude(visibility=Visibility.DIRECT)
        .exclude(author_id__in=muted_ids(owner))
    )
    # Threads by the member and replies to the owner always count, as in Mastodon.
    not_reply = Q(in_reply_to__isnull=True) | Q(in_reply_to_account_id=F("author_id"))
    self_reply = Q(in_reply_to_account_id=owner.pk)
    if lst.replies_policy == RepliesPolicy.NONE:
        qs = qs.filter(not_reply)
    elif lst.replies_policy == RepliesPolicy.LIST:
        qs = qs.filter(not_reply | self_reply | Q(in_reply_to_account_id__in=members))
    else:
        qs = qs.filter(not_reply | self_reply | Q(in_reply_to_account_id__in=following_ids(owner)))
    if page.max_id is not None:
        qs = qs.filter(pk__lt=page.max_id)
    for bound in (page.since_id, page.min_id):
        if bound is not None:
            qs = qs.filter(pk__gt=bound)
    posts: list[Post] = list(
        with_related(qs.order_by("id" if page.ascending else "-id"))[: page.limit]
    )
    if page.ascending:
        posts.reverse()
    return FeedPage(
        posts=posts,
        next_max_id=posts[-1].pk if len(posts) == page.limit else None,
        prev_min_id=posts[0].pk if posts else page.min_id or page.since_id,
    )


def lists_with_counts(owner: Account) -> QuerySet[List]:
    """``owner``'s lists by title, each with ``members_count`` (one query)."""
    return lists_of(owner).annotate(members_count=Count("members"))


def member_count(lst: List) -> int:
    return ListMember.objects.filter(list=lst).count()
