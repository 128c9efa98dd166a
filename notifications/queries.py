"""Reads of notifications, always for their recipient."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Account
from network.models import Block, Connection, Follow, Mute
from notifications.models import (
    Notification,
    NotificationKind,
    NotificationPermission,
    NotificationPolicy,
    NotificationRequest,
    PolicyAction,
    ThreadMute,
)
from plaza.errors import NotFound
from posts.models import Post

DEFAULT_LIMIT = 30
MAX_LIMIT = 60
# The "Mentions" tab: things said to the recipient, which they may want to answer.
MENTION_KINDS = (NotificationKind.MENTION, NotificationKind.REPLY, NotificationKind.QUOTE)
# Kinds that read well as one row for several people ("Ana and 2 others liked your post").
GROUPABLE = (NotificationKind.LIKE, NotificationKind.RESHARE, NotificationKind.FOLLOW)
MAX_GROUP_ACTORS = 3
LIST_RELATED = ("actor", "post", "post__author", "post__reshare_of")


def unread_count(account: Account) -> int:
    """How many notifications ``account`` has not read yet, by the rule of :func:`_visible`
    (no blocked, muted or suspended actors; limited actors only if followed, connected or
    accepted; nothing the notification policy put aside).

    Hand-written SQL, one statement: every page's navigation shows this count, and the ORM
    took longer to build the statement than the database to run it. It reads the
    ``(recipient, read_at)`` index, and the moderated accounts through the partial indexes on
    ``suspended_at`` / ``limited_at`` (which hold only the few moderated accounts).
    """
    notification, block, mute, acct, follow, connection_t, policy, permission = (
        connection.ops.quote_name(m._meta.db_table)
        for m in (
            Notification,
            Block,
            Mute,
            Account,
            Follow,
            Connection,
            NotificationPolicy,
            NotificationPermission,
        )
    )
    sql = (
        f"SELECT COUNT(*) FROM {notification} WHERE recipient_id = %s AND read_at IS NULL "
        f"AND filtered = %s "
        f"AND actor_id NOT IN (SELECT target_id FROM {block} WHERE account_id = %s "
        f"UNION SELECT account_id FROM {block} WHERE target_id = %s "
        f"UNION SELECT target_id FROM {mute} WHERE account_id = %s AND notifications = %s "
        f"AND (expires_at IS NULL OR expires_at > %s) "
        f"UNION SELECT id FROM {acct} WHERE suspended_at IS NOT NULL "
        f"UNION SELECT id FROM {acct} WHERE limited_at IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {policy} WHERE account_id = %s "
        f"AND for_limited_accounts = %s) "
        f"AND id NOT IN (SELECT target_id FROM {follow} WHERE follower_id = %s) "
        f"AND id NOT IN (SELECT other_id FROM {connection_t} WHERE account_id = %s) "
        f"AND id NOT IN (SELECT from_account_id FROM {permission} WHERE account_id = %s))"
    )
    pk = account.pk
    now = timezone.now()
    params: list[int | bool | str | datetime] = [
        pk,
        False,
        pk,
        pk,
        pk,
        True,
        now,
        pk,
        str(PolicyAction.ACCEPT),
        pk,
        pk,
        pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _hidden_actors(recipient: Account, *, limited_too: bool) -> QuerySet[Any]:
    """Ids of the actors whose notifications ``recipient`` doesn't see: blocked either way,
    muted with notifications, suspended; with ``limited_too``, limited (silenced) accounts
    the recipient doesn't follow, isn't connected to and hasn't accepted, unless their
    policy accepts limited accounts. A request's notifications skip that last rule: the
    request is where the recipient looks at them."""
    hidden = (
        Block.objects.filter(account=recipient)
        .values("target_id")
        .union(Block.objects.filter(target=recipient).values("account_id"))
        .union(Mute.objects.filter(account=recipient, notifications=True).values("target_id"))
        .union(Account.objects.filter(suspended_at__isnull=False).values("id"))
    )
    if not limited_too:
        return hidden
    accepts_limited = NotificationPolicy.objects.filter(
        account=recipient, for_limited_accounts=PolicyAction.ACCEPT
    )
    limited = (
        Account.objects.filter(limited_at__isnull=False)
        .filter(~Exists(accepts_limited))
        .exclude(pk__in=Follow.objects.filter(follower=recipient).values("target_id"))
        .exclude(pk__in=Connection.objects.filter(account=recipient).values("other_id"))
        .exclude(
            pk__in=NotificationPermission.objects.filter(account=recipient).values(
                "from_account_id"
            )
        )
        .values("id")
    )
    return hidden.union(limited)


def _visible(recipient: Account, *, filtered: bool | None = False) -> QuerySet[Notification]:
    """The recipient's notifications, minus those from accounts blocked either way or muted
    (with notifications) *after* the notification was made: a later block or mute hides it too.

    Moderation: a suspended actor's notifications disappear (they come back if the
    suspension is lifted), and a limited (silenced) actor's reach only people who follow or
    are connected to them, as their posts do (Mastodon filters them the same way), unless
    the recipient accepts them (policy or accepted request).

    ``filtered``: False (the list: what the policy let through), True (what it put aside,
    read per request), None (both).
    """
    qs = Notification.objects.filter(recipient=recipient)
    if filtered is not None:
        qs = qs.filter(filtered=filtered)
    return qs.exclude(actor_id__in=_hidden_actors(recipient, limited_too=filtered is False))


@dataclass
class NotificationGroup:
    """One row of the list: one notification, or several of the same kind about one post."""

    kind: str
    post_id: int | None
    items: list[Notification] = field(default_factory=list)

    @property
    def latest(self) -> Notification:
        return self.items[0]

    @property
    def actors(self) -> list[Account]:
        seen: dict[int, Account] = {}
        for n in self.items:
            seen.setdefault(n.actor_id, n.actor)
        return list(seen.values())

    @property
    def shown_actors(self) -> list[Account]:
        return self.actors[:MAX_GROUP_ACTORS]

    @property
    def others_count(self) -> int:
        return len(self.actors) - 1

    @property
    def unread(self) -> bool:
        return any(n.read_at is None for n in self.items)

    @property
    def is_mention_like(self) -> bool:
        return self.kind in MENTION_KINDS


@dataclass
class NotificationPage:
    groups: list[NotificationGroup]
    newest_id: int | None  # for "mark read up to here"
    next_max_id: int | None


def notifications_page(
    recipient: Account,
    *,
    max_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
    mentions_only: bool = False,
) -> NotificationPage:
    """A keyset page of the recipient's notifications, newest first, grouped for display.

    One query whatever the page size: actors, posts and post authors come in the same join.
    Grouping only merges neighbours within the page, so paging stays a plain id range.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    qs = _visible(recipient)
    if mentions_only:
        qs = qs.filter(kind__in=MENTION_KINDS)
    if max_id is not None:
        qs = qs.filter(id__lt=max_id)
    items = list(qs.select_related(*LIST_RELATED).order_by("-id")[:limit])
    return _paged(items, limit)


def _paged(items: list[Notification], limit: int) -> NotificationPage:
    """``items`` (newest first) grouped for display, with the next page's key."""
    groups: list[NotificationGroup] = []
    for n in items:
        last = groups[-1] if groups else None
        if (
            last is not None
            and n.kind in GROUPABLE
            and last.kind == n.kind
            and last.post_id == n.post_id
        ):
            last.items.append(n)
        else:
            groups.append(NotificationGroup(kind=n.kind, post_id=n.post_id, items=[n]))
    return NotificationPage(
        groups=groups,
        newest_id=items[0].pk if items else None,
        next_max_id=items[-1].pk if len(items) == limit else None,
    )


def notifications_for(
    recipient: Account,
    *,
    kinds: Iterable[str] | None = None,
    exclude_kinds: Iterable[str] = (),
    actor_id: int | None = None,
    filtered: bool | None = False,
) -> QuerySet[Notification]:
    """The recipient's notifications for API clients: those :func:`unread_count` counts (no
    blocked or muted actors), minus any whose post the recipient can no longer see (a post
    made private, or by someone they blocked since), optionally limited to ``kinds``, without
    ``exclude_kinds``, and from one actor. ``filtered`` as in :func:`_visible`. Unordered;
    callers page by id."""
    qs = _with_visible_post(_visible(recipient, filtered=filtered), recipient)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    excluded = list(exclude_kinds)
    if excluded:
        qs = qs.exclude(kind__in=excluded)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    return qs


def _with_visible_post(qs: QuerySet[Notification], viewer: Account) -> QuerySet[Notification]:
    from posts.queries import visible_posts  # posts' actions import this app

    return qs.filter(
        Q(post__isnull=True) | Exists(visible_posts(viewer).filter(pk=OuterRef("post_id")))
    )


def muted_threads(viewer: Account | None, posts: Iterable[Post]) -> set[int]:
    """Ids of those ``posts`` whose conversation ``viewer`` muted (one query, none if no posts)."""
    roots = {p.pk: p.thread_root_id or p.pk for p in posts}
    if viewer is None or not roots:
        return set()
    muted = set(
        ThreadMute.objects.filter(
            account=viewer, thread_root_id__in=set(roots.values())
        ).values_list("thread_root_id", flat=True)
    )
    return {pk for pk, root in roots.items() if root in muted}


# --- the notification policy and requests ---------------------------------------------------


def policy_of(account: Account) -> NotificationPolicy:
    """The account's policy; the defaults (unsaved) when they never changed it."""
    found = NotificationPolicy.objects.filter(account=account).first()
    return found if found is not None else NotificationPolicy(account=account)


@dataclass
class PendingRequest:
    """A request as lists show it: the sender, how many notifications, the latest one."""

    request: NotificationRequest
    count: int
    latest: Notification | None

    @property
    def sender(self) -> Account:
        return self.request.from_account


def _put_aside(recipient: Account) -> QuerySet[Notification]:
    # A request's notifications: filtered ones whose post the recipient may still see.
    # Hidden actors are left out at the request level (see _pending).
    return _with_visible_post(
        Notification.objects.filter(recipient=recipient, filtered=True), recipient
    )


def _pending(recipient: Account) -> QuerySet[NotificationRequest]:
    """The recipient's requests from senders they could see notifications from, annotated
    with ``notifications_total`` and ``latest_id``; those with nothing left are left out."""
    of_sender = _put_aside(recipient).filter(actor_id=OuterRef("from_account_id"))
    total = of_sender.order_by().values("actor_id").annotate(n=Count("id")).values("n")[:1]
    return (
        NotificationRequest.objects.filter(account=recipient)
        .exclude(from_account_id__in=_hidden_actors(recipient, limited_too=False))
        .annotate(
            latest_id=Subquery(of_sender.order_by("-id").values("id")[:1]),
            notifications_total=Subquery(total),
        )
        .filter(latest_id__isnull=False)
    )


def requests_page(
    recipient: Account,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[PendingRequest]:
    """A keyset page of the recipient's pending (not dismissed) requests, newest first (by
    request id, as Mastodon pages them). Two queries whatever the page size."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = _pending(recipient).filter(dismissed=False).select_related("from_account")
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    if since_id is not None:
        qs = qs.filter(pk__gt=since_id)
    if min_id is not None:
        qs = qs.filter(pk__gt=min_id)
    ascending = min_id is not None and max_id is None
    rows = list(qs.order_by("id" if ascending else "-id")[:limit])
    if ascending:
        rows.reverse()
    return _with_latest(rows)


def _with_latest(rows: list[NotificationRequest]) -> list[PendingRequest]:
    ids = [r.latest_id for r in rows]  # type: ignore[attr-defined]
    latest = {
        n.pk: n for n in Notification.objects.filter(pk__in=ids).select_related(*LIST_RELATED)
    }
    return [
        PendingRequest(
            request=r,
            count=int(r.notifications_total or 0),  # type: ignore[attr-defined]
            latest=latest.get(r.latest_id),  # type: ignore[attr-defined]
        )
        for r in rows
    ]


def get_request(recipient: Account, request_id: int | str) -> PendingRequest:
    """One of the recipient's requests (dismissed ones too: they can still be accepted);
    NotFound for anyone else's, an unknown id, or one with nothing left in it."""
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        raise NotFound("No such notification request.")
    rows = list(_pending(recipient).filter(pk=pk).select_related("from_account"))
    if not rows:
        raise NotFound("No such notification request.")
    return _with_latest(rows)[0]


def get_requests(recipient: Account, request_ids: Iterable[int]) -> list[NotificationRequest]:
    """Several of the recipient's requests at once (bulk accept / dismiss); NotFound if any
    id isn't one of theirs, so a bulk change is all or nothing."""
    wanted = set(request_ids)
    found = list(NotificationRequest.objects.filter(account=recipient, pk__in=wanted))
    if len(found) != len(wanted):
        raise NotFound("No such notification request.")
    return found


def request_notifications(
    recipient: Account,
    pending: PendingRequest,
    *,
    max_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> NotificationPage:
    """A page of one request's notifications, newest first (one query)."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = _put_aside(recipient).filter(actor_id=pending.request.from_account_id)
    if max_id is not None:
        qs = qs.filter(id__lt=max_id)
    return _paged(list(qs.select_related(*LIST_RELATED).order_by("-id")[:limit]), limit)


@dataclass(frozen=True)
class PendingSummary:
    requests: int
    notifications: int


def pending_summary(recipient: Account) -> PendingSummary:
    """How many pending (not dismissed) requests and notifications in them: one statement."""
    senders = (
        NotificationRequest.objects.filter(account=recipient, dismissed=False)
        .exclude(from_account_id__in=_hidden_actors(recipient, limited_too=False))
        .values("from_account_id")
    )
    totals = (
        _put_aside(recipient)
        .filter(actor_id__in=senders)
        .aggregate(notifications=Count("id"), requests=Count("actor_id", distinct=True))
    )
    return PendingSummary(requests=totals["requests"], notifications=totals["notifications"])
