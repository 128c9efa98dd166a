"""Reads of notifications, always for their recipient."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Account
from network.models import Block, Connection, Follow, Mute
from notifications.models import Notification, NotificationKind, ThreadMute
from posts.models import Post

DEFAULT_LIMIT = 30
MAX_LIMIT = 60
# The "Mentions" tab: things said to the recipient, which they may want to answer.
MENTION_KINDS = (NotificationKind.MENTION, NotificationKind.REPLY, NotificationKind.QUOTE)
# Kinds that read well as one row for several people ("Ana and 2 others liked your post").
GROUPABLE = (NotificationKind.LIKE, NotificationKind.RESHARE, NotificationKind.FOLLOW)
MAX_GROUP_ACTORS = 3


def unread_count(account: Account) -> int:
    """How many notifications ``account`` has not read yet, by the rule of :func:`_visible`
    (no blocked, muted or suspended actors; limited actors only if followed or connected).

    Hand-written SQL, one statement: every page's navigation shows this count, and the ORM
    took longer to build the statement than the database to run it. It reads the
    ``(recipient, read_at)`` index, and the moderated accounts through the partial indexes on
    ``suspended_at`` / ``limited_at`` (which hold only the few moderated accounts).
    """
    notification, block, mute, acct, follow, connection_t = (
        connection.ops.quote_name(m._meta.db_table)
        for m in (Notification, Block, Mute, Account, Follow, Connection)
    )
    sql = (
        f"SELECT COUNT(*) FROM {notification} WHERE recipient_id = %s AND read_at IS NULL "
        f"AND actor_id NOT IN (SELECT target_id FROM {block} WHERE account_id = %s "
        f"UNION SELECT account_id FROM {block} WHERE target_id = %s "
        f"UNION SELECT target_id FROM {mute} WHERE account_id = %s AND notifications = %s "
        f"AND (expires_at IS NULL OR expires_at > %s) "
        f"UNION SELECT id FROM {acct} WHERE suspended_at IS NOT NULL "
        f"UNION SELECT id FROM {acct} WHERE limited_at IS NOT NULL "
        f"AND id NOT IN (SELECT target_id FROM {follow} WHERE follower_id = %s) "
        f"AND id NOT IN (SELECT other_id FROM {connection_t} WHERE account_id = %s))"
    )
    pk = account.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, pk, pk, pk, True, timezone.now(), pk, pk])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _visible(recipient: Account) -> QuerySet[Notification]:
    """The recipient's notifications, minus those from accounts blocked either way or muted
    (with notifications) *after* the notification was made: a later block or mute hides it too.

    Moderation: a suspended actor's notifications disappear (they come back if the
    suspension is lifted), and a limited (silenced) actor's reach only people who follow or
    are connected to them, as their posts do (Mastodon filters them the same way).
    """
    limited = (
        Account.objects.filter(limited_at__isnull=False)
        .exclude(pk__in=Follow.objects.filter(follower=recipient).values("target_id"))
        .exclude(pk__in=Connection.objects.filter(account=recipient).values("other_id"))
        .values("id")
    )
    hidden = (
        Block.objects.filter(account=recipient)
        .values("target_id")
        .union(Block.objects.filter(target=recipient).values("account_id"))
        .union(Mute.objects.filter(account=recipient, notifications=True).values("target_id"))
        .union(Account.objects.filter(suspended_at__isnull=False).values("id"))
        .union(limited)
    )
    return Notification.objects.filter(recipient=recipient).exclude(actor_id__in=hidden)


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
    items = list(
        qs.select_related("actor", "post", "post__author", "post__reshare_of").order_by("-id")[
            :limit
        ]
    )
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
) -> QuerySet[Notification]:
    """The recipient's notifications for API clients: those :func:`unread_count` counts (no
    blocked or muted actors), minus any whose post the recipient can no longer see (a post
    made private, or by someone they blocked since), optionally limited to ``kinds``, without
    ``exclude_kinds``, and from one actor. Unordered; callers page by id."""
    from posts.queries import visible_posts  # posts' actions import this app

    qs = _visible(recipient).filter(
        Q(post__isnull=True) | Exists(visible_posts(recipient).filter(pk=OuterRef("post_id")))
    )
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    excluded = list(exclude_kinds)
    if excluded:
        qs = qs.exclude(kind__in=excluded)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    return qs


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
