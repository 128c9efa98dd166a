"""Creating and reading-off notifications. Called from other apps' actions, inside their transaction."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, User, Visibility
from network.models import Block, Connection, Follow, Mute
from notifications.models import (
    NEW_ACCOUNT_DAYS,
    Notification,
    NotificationKind,
    NotificationPermission,
    NotificationPolicy,
    NotificationRequest,
    PolicyAction,
    ThreadMute,
)
from plaza import events
from plaza.errors import ActionError
from posts.models import Post

# Kinds no policy puts aside: moderation notices (they bypass notify altogether, see
# moderation.actions), answers to something the recipient asked for, and post
# notifications they subscribed to (Mastodon: account warnings, polls, edits, admin kinds).
NEVER_FILTERED = frozenset(
    {
        NotificationKind.REPORT_RESOLVED,
        NotificationKind.MODERATION_WARNING,
        NotificationKind.CONNECTION_ACCEPTED,
        NotificationKind.GROUP_REQUEST_APPROVED,
        # Requests to join a group go to its moderators: work they took on, not attention
        # from strangers (the group's Requests page lists them either way).
        NotificationKind.GROUP_JOIN_REQUEST,
        NotificationKind.GROUP_POST,
        NotificationKind.STATUS,
    }
)
PRIVATE_VISIBILITIES = (Visibility.FOLLOWERS, Visibility.CONNECTIONS)
_STRICTNESS: dict[str, int] = {PolicyAction.ACCEPT: 0, PolicyAction.FILTER: 1, PolicyAction.DROP: 2}
_DEFAULT_POLICY = tuple(str(getattr(NotificationPolicy(), f)) for f in NotificationPolicy.FIELDS)


@dataclass(frozen=True)
class SenderFacts:
    """What notify() knows about a sender, from the recipient's point of view."""

    unwelcome: bool  # blocked either way, muted, or the conversation is muted
    policy: tuple[str, ...]  # the recipient's policy, in NotificationPolicy.FIELDS order
    following: bool  # the recipient follows or is connected to the sender
    follower: bool  # the sender follows or is connected to the recipient
    new_account: bool
    limited: bool
    staff: bool
    permitted: bool  # the recipient accepted a request from the sender


def _facts_sql(with_thread: bool) -> str:
    """The statement of :func:`sender_facts`, written once per database and shape."""
    return _facts_sql_for(connection.vendor, with_thread)


@functools.cache
def _facts_sql_for(vendor: str, with_thread: bool) -> str:
    q = connection.ops.quote_name
    t = {
        m.__name__: q(m._meta.db_table)
        for m in (
            Account,
            User,
            Block,
            Mute,
            Follow,
            Connection,
            ThreadMute,
            NotificationPolicy,
            NotificationPermission,
        )
    }
    thread = (
        f"OR EXISTS (SELECT 1 FROM {t['ThreadMute']} WHERE account_id = %(r)s "
        f"AND thread_root_id = %(thread)s)"
        if with_thread
        else ""
    )
    columns = ", ".join(f"p.{f}" for f in NotificationPolicy.FIELDS)
    return (
        f"SELECT (EXISTS (SELECT 1 FROM {t['Block']} WHERE (account_id = %(r)s AND "
        f"target_id = %(a)s) OR (account_id = %(a)s AND target_id = %(r)s)) "
        f"OR EXISTS (SELECT 1 FROM {t['Mute']} WHERE account_id = %(r)s AND target_id = %(a)s "
        f"AND notifications = %(true)s AND (expires_at IS NULL OR expires_at > %(now)s)) "
        f"{thread}), "
        f"p.account_id IS NOT NULL, {columns}, "
        f"EXISTS (SELECT 1 FROM {t['Follow']} WHERE follower_id = %(r)s AND target_id = %(a)s), "
        f"EXISTS (SELECT 1 FROM {t['Connection']} WHERE account_id = %(r)s AND other_id = %(a)s), "
        f"EXISTS (SELECT 1 FROM {t['Follow']} WHERE follower_id = %(a)s AND target_id = %(r)s), "
        f"s.created_at > %(new_since)s, s.limited_at IS NOT NULL, u.is_staff, "
        f"EXISTS (SELECT 1 FROM {t['NotificationPermission']} WHERE account_id = %(r)s "
        f"AND from_account_id = %(a)s) "
        f"FROM {t['Account']} s JOIN {t['User']} u ON u.id = s.user_id "
        f"LEFT JOIN {t['NotificationPolicy']} p ON p.account_id = %(r)s "
        f"WHERE s.id = %(a)s"
    )


def sender_facts(recipient_id: int, actor_id: int, *, thread_root_id: int | None) -> SenderFacts:
    """Everything notify() decides on, in one statement (hand-written: notify runs for
    every like, reply and follow, and the ORM took longer to build this than the database
    to answer it). Connections count as following both ways, as they do for visibility."""
    now = timezone.now()
    params = {
        "r": recipient_id,
        "a": actor_id,
        "thread": thread_root_id,
        "true": True,
        "now": now,
        "new_since": now - timedelta(days=NEW_ACCOUNT_DAYS),
    }
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(thread_root_id is not None), params)
        row = cursor.fetchone()
    if row is None:  # the sender is gone
        return SenderFacts(True, _DEFAULT_POLICY, False, False, False, False, False, False)
    n = len(NotificationPolicy.FIELDS)
    has_policy = bool(row[1])
    policy = tuple(str(v) for v in row[2 : 2 + n]) if has_policy else _DEFAULT_POLICY
    follows, connected, followed_by, new, limited, staff, permitted = (
        bool(v) for v in row[2 + n :]
    )
    return SenderFacts(
        unwelcome=bool(row[0]),
        policy=policy,
        following=follows or connected,
        follower=followed_by or connected,
        new_account=new,
        limited=limited,
        staff=staff,
        permitted=permitted,
    )


def verdict(facts: SenderFacts, kind: str, post: Post | None, recipient_id: int) -> PolicyAction:
    """What the recipient's policy does with this notification: the strictest action of the
    categories the sender falls in (Mastodon's rule). Never-filtered kinds, senders the
    recipient follows or accepted, and staff always come through."""
    if kind in NEVER_FILTERED or facts.following or facts.permitted or facts.staff:
        return PolicyAction.ACCEPT
    (not_following, not_followers, new_accounts, private_mentions, limited) = facts.policy
    applying = [not_following]  # the recipient doesn't follow the sender (checked above)
    if not facts.follower:
        applying.append(not_followers)
    if facts.new_account:
        applying.append(new_accounts)
    if (
        kind == NotificationKind.MENTION
        and post is not None
        and post.visibility in PRIVATE_VISIBILITIES
        and post.in_reply_to_account_id != recipient_id  # an answer to them is solicited
    ):
        applying.append(private_mentions)
    if facts.limited:
        applying.append(limited)
    strictest = max(applying, key=lambda action: _STRICTNESS.get(action, 0))
    return PolicyAction(strictest)


def notify(
    recipient: Account | int,
    actor: Account | int,
    kind: NotificationKind | str,
    *,
    post: Post | None = None,
) -> Notification | None:
    """Tell ``recipient`` that ``actor`` did ``kind``; nothing when it would be unwelcome.

    Nobody is notified of their own actions, of actions by accounts they block or that block
    them, by accounts they muted (mutes hide notifications unless the mute says otherwise),
    or about a post in a conversation they muted. Then the recipient's NotificationPolicy
    decides (:func:`verdict`): accepted notifications are stored and streamed; filtered ones
    are stored aside under the sender's NotificationRequest (one more statement) and not
    streamed; dropped ones are not stored at all.
    """
    recipient_id = recipient if isinstance(recipient, int) else recipient.pk
    actor_id = actor if isinstance(actor, int) else actor.pk
    if recipient_id == actor_id:
        return None
    thread = thread_of(post) if post is not None else None
    facts = sender_facts(recipient_id, actor_id, thread_root_id=thread)
    if facts.unwelcome:
        return None
    action = verdict(facts, str(kind), post, recipient_id)
    if action == PolicyAction.DROP:
        return None
    filtered = action == PolicyAction.FILTER
    notification = Notification.objects.create(
        recipient_id=recipient_id, actor_id=actor_id, kind=kind, post=post, filtered=filtered
    )
    if filtered:
        _touch_request(recipient_id, actor_id)
    else:
        events.notification_created(notification)  # the recipient's user stream, after commit
    return notification


def _touch_request(recipient_id: int, actor_id: int) -> None:
    """The sender's request, created or moved up, in one upsert. A dismissed request stays
    dismissed: dismissing means "don't bother me with this sender's requests"."""
    NotificationRequest.objects.bulk_create(
        [NotificationRequest(account_id=recipient_id, from_account_id=actor_id)],
        update_conflicts=True,
        unique_fields=["account", "from_account"],
        update_fields=["updated_at"],
    )


def withdraw(
    actor: Account | int,
    kind: NotificationKind | str,
    *,
    recipient: Account | int | None = None,
    post: Post | None = None,
) -> None:
    """Remove notifications that no longer hold (an unlike, a withdrawn request)."""
    qs = Notification.objects.filter(actor=actor, kind=kind)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    if post is not None:
        qs = qs.filter(post=post)
    qs.delete()


def mark_read(recipient: Account, *, up_to_id: int | None = None) -> int:
    """Mark the recipient's notifications read (all, or those up to ``up_to_id``)."""
    qs = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if up_to_id is not None:
        qs = qs.filter(id__lte=up_to_id)
    return qs.update(read_at=timezone.now())


def dismiss(recipient: Account, ids: Iterable[int]) -> int:
    """Delete some of the recipient's notifications (never anyone else's); how many went."""
    deleted, _ = Notification.objects.filter(recipient=recipient, id__in=list(ids)).delete()
    return deleted


def clear(recipient: Account) -> int:
    """Delete all of the recipient's notifications; how many went."""
    deleted, _ = Notification.objects.filter(recipient=recipient).delete()
    return deleted


def mark_read_about(recipient: Account, post_ids: Iterable[int]) -> int:
    """Mark read the recipient's notifications about these posts (a conversation read in a
    client)."""
    return Notification.objects.filter(
        recipient=recipient, read_at__isnull=True, post_id__in=list(post_ids)
    ).update(read_at=timezone.now())


def thread_of(post: Post) -> int:
    """The id of the conversation ``post`` belongs to (its thread's first post; for a
    reshare, the conversation of the post it shares)."""
    if post.reshare_of_id is not None and post.reshare_of is not None:
        return post.reshare_of.thread_root_id or post.reshare_of_id
    return post.thread_root_id or post.pk


def mute_thread(account: Account, post: Post) -> None:
    """Stop notifications from the conversation ``post`` is part of (idempotent). The caller
    has checked that ``account`` can see ``post``."""
    ThreadMute.objects.get_or_create(account=account, thread_root_id=thread_of(post))


def unmute_thread(account: Account, post: Post) -> None:
    """Notifications from the conversation of ``post`` again (idempotent)."""
    ThreadMute.objects.filter(account=account, thread_root_id=thread_of(post)).delete()


def notify_subscribers(post: Post) -> int:
    """A new post: a ``status`` notification for each follower of its author who asked for
    them (the bell) and may see it. Not for reshares, group posts, direct posts or replies
    to others (those notify the people concerned); one query, one bulk insert; running it
    again for the same post notifies nobody twice."""
    if (
        post.reshare_of_id is not None
        or post.group_id is not None
        or post.visibility == Visibility.DIRECT
        or (post.in_reply_to_id is not None and post.in_reply_to_account_id != post.author_id)
    ):
        return 0
    author = post.author_id
    subscribers = Follow.objects.filter(target_id=author, notify=True)
    if not subscribers.exists():  # nearly always: one probe of the partial index, cheap
        return 0
    if post.visibility == Visibility.CONNECTIONS:
        subscribers = subscribers.filter(
            follower_id__in=Connection.objects.filter(account_id=author).values("other_id")
        )
    if thread_of(post) != post.pk:  # a self-reply: not for those who muted the conversation
        subscribers = subscribers.exclude(
            follower_id__in=ThreadMute.objects.filter(thread_root_id=thread_of(post)).values(
                "account_id"
            )
        )
    recipients = list(
        subscribers.exclude(
            follower_id__in=Block.objects.filter(target_id=author).values("account_id")
        )
        .exclude(follower_id__in=Block.objects.filter(account_id=author).values("target_id"))
        .exclude(
            follower_id__in=Mute.objects.filter(target_id=author, notifications=True).values(
                "account_id"
            )
        )
        .exclude(  # already told (the task that calls this may run again after a failure)
            follower_id__in=Notification.objects.filter(
                post=post, kind=NotificationKind.STATUS
            ).values("recipient_id")
        )
        .values_list("follower_id", flat=True)
    )
    if not recipients:
        return 0
    return _notify_many(recipients, author, NotificationKind.STATUS, post)


def notify_poll_ended(post: Post) -> int:
    """A poll ended: a ``poll`` notification for its author and for everyone who voted in it,
    from the author (Mastodon's shape). Voters who block the author or are blocked, who muted
    the author's notifications or the conversation are left out; one query, one bulk insert;
    running it again for the same post notifies nobody twice."""
    from posts.models import PollVote

    author = post.author_id
    voters = (
        PollVote.objects.filter(poll_id=post.pk)
        .exclude(account_id__in=Block.objects.filter(target_id=author).values("account_id"))
        .exclude(account_id__in=Block.objects.filter(account_id=author).values("target_id"))
        .exclude(
            account_id__in=Mute.objects.filter(target_id=author, notifications=True).values(
                "account_id"
            )
        )
        .exclude(
            account_id__in=ThreadMute.objects.filter(thread_root_id=thread_of(post)).values(
                "account_id"
            )
        )
        .values("account_id")
    )
    told = Notification.objects.filter(post=post, kind=NotificationKind.POLL).values("recipient_id")
    recipients = list(
        Account.objects.filter(Q(pk=author) | Q(pk__in=voters))
        .exclude(pk__in=told)
        .values_list("pk", flat=True)
    )
    return _notify_many(recipients, author, NotificationKind.POLL, post)


def _notify_many(recipients: list[int], actor_id: int, kind: str, post: Post) -> int:
    """One ``kind`` notification about ``post`` from ``actor_id`` to each recipient (a bulk
    insert, announced to the live streams); how many."""
    created = Notification.objects.bulk_create(
        (Notification(recipient_id=r, actor_id=actor_id, kind=kind, post=post) for r in recipients),
        batch_size=500,
    )
    events.notifications_created(created)
    return len(created)


# --- the policy and its requests ------------------------------------------------------------


def update_policy(account: Account, changes: dict[str, str]) -> NotificationPolicy:
    """Set some of the account's policy fields (each accept / filter / drop). Checks every
    value before writing any: a bad one raises ActionError and nothing changes. Changing the
    policy applies to notifications from now on (as Mastodon: nothing is re-filtered)."""
    allowed = set(PolicyAction.values)
    for key, value in changes.items():
        if key not in NotificationPolicy.FIELDS:
            raise ActionError(f"Unknown policy setting: {key}.", field=key)
        if value not in allowed:
            raise ActionError(
                f"{key} must be one of accept, filter or drop (not {value!r}).", field=key
            )
    with transaction.atomic():
        policy, _ = NotificationPolicy.objects.select_for_update().get_or_create(account=account)
        for key, value in changes.items():
            setattr(policy, key, value)
        policy.save()
    return policy


def accept_requests(account: Account, requests: Iterable[NotificationRequest]) -> int:
    """Accept requests the caller loaded for ``account`` (queries.get_request): their senders'
    notifications move into the list and later ones come through (a permission); the requests
    go. How many were accepted."""
    found = [r for r in requests if r.account_id == account.pk]
    senders = [r.from_account_id for r in found]
    if not senders:
        return 0
    with transaction.atomic():
        NotificationPermission.objects.bulk_create(
            [NotificationPermission(account=account, from_account_id=s) for s in senders],
            ignore_conflicts=True,
        )
        Notification.objects.filter(recipient=account, actor_id__in=senders, filtered=True).update(
            filtered=False
        )
        NotificationRequest.objects.filter(pk__in=[r.pk for r in found]).delete()
    return len(found)


def dismiss_requests(account: Account, requests: Iterable[NotificationRequest]) -> int:
    """Hide requests of ``account``; their notifications stay filtered. How many."""
    ids = [r.pk for r in requests if r.account_id == account.pk]
    if not ids:
        return 0
    return NotificationRequest.objects.filter(account=account, pk__in=ids).update(
        dismissed=True, updated_at=timezone.now()
    )
