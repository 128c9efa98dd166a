"""Creating and reading-off notifications. Called from other apps' actions, inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, Q
from django.utils import timezone

from accounts.models import Account, Visibility
from network.models import Block, Connection, Follow, Mute
from notifications.models import Notification, NotificationKind, ThreadMute
from plaza import events
from posts.models import Post


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
    or about a post in a conversation they muted.
    """
    recipient_id = recipient if isinstance(recipient, int) else recipient.pk
    actor_id = actor if isinstance(actor, int) else actor.pk
    if recipient_id == actor_id:
        return None
    blocked = Block.objects.filter(
        Q(account_id=recipient_id, target_id=actor_id)
        | Q(account_id=actor_id, target_id=recipient_id)
    )
    muted = Mute.objects.filter(account_id=recipient_id, target_id=actor_id, notifications=True)
    unwelcome = Q(Exists(blocked)) | Q(Exists(muted))
    if post is not None:
        thread = ThreadMute.objects.filter(account_id=recipient_id, thread_root_id=thread_of(post))
        unwelcome |= Q(Exists(thread))
    # One statement for every reason to stay quiet.
    if Account.objects.filter(pk=recipient_id).filter(unwelcome).exists():
        return None
    notification = Notification.objects.create(
        recipient_id=recipient_id, actor_id=actor_id, kind=kind, post=post
    )
    events.notification_created(notification)  # the recipient's user stream, after commit
    return notification


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
    created = Notification.objects.bulk_create(
        (
            Notification(recipient_id=r, actor_id=author, kind=NotificationKind.STATUS, post=post)
            for r in recipients
        ),
        batch_size=500,
    )
    events.notifications_created(created)
    return len(created)


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
    created = Notification.objects.bulk_create(
        (
            Notification(recipient_id=r, actor_id=author, kind=NotificationKind.POLL, post=post)
            for r in recipients
        ),
        batch_size=500,
    )
    events.notifications_created(created)
    return len(created)
