"""The only write path for relationships: follow, connect, block, mute.

Each action validates, writes in one transaction, keeps the denormalized counters on
:class:`~accounts.models.Account` right, and queues feed work with ``on_commit``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Account
from network.models import (
    AccountNote,
    Block,
    Connection,
    ConnectionRequest,
    Follow,
    FollowRequest,
    Mute,
)
from network.queries import is_blocked_either_way
from notifications.actions import notify, withdraw
from notifications.models import NotificationKind
from plaza.errors import ActionError, NotAllowed, NotFound


def _bump(account_id: int, **deltas: int) -> None:
    Account.objects.filter(pk=account_id).update(**{k: F(k) + v for k, v in deltas.items()})


def _check_reachable(actor: Account, target: Account, doing: str) -> None:
    if actor.pk == target.pk:
        raise ActionError(f"You can't {doing} yourself.")
    if is_blocked_either_way(actor, target):
        raise NotAllowed(f"You can't {doing} this account.")


def _after_commit_backfill(owner_id: int, source_id: int) -> None:
    from feeds.tasks import backfill_home_feed

    transaction.on_commit(lambda: backfill_home_feed(owner_id, source_id))


def _after_commit_refan_out_if_back_under_limit(target_id: int) -> None:
    # Crossing down to the fan-out limit: posts made while above it were pulled, not
    # delivered, and will no longer be pulled (see feeds.actions.refan_out_recent).
    count = Account.objects.filter(pk=target_id).values_list("followers_count", flat=True).first()
    if count == settings.PLAZA.fanout_limit:
        from feeds.tasks import refan_out_recent_posts

        transaction.on_commit(lambda: refan_out_recent_posts(target_id))


def _after_commit_prune(owner_id: int, source_id: int) -> None:
    from feeds.tasks import prune_home_feed

    transaction.on_commit(lambda: prune_home_feed(owner_id, source_id))


# --- follows --------------------------------------------------------------------------------


def follow(
    actor: Account,
    target: Account,
    *,
    show_reshares: bool | None = None,
    notify_posts: bool | None = None,
) -> Literal["following", "requested"]:
    """Follow ``target``; for a locked account, send a follow request instead.

    Following again is not an error (idempotent, like Mastodon): options given are updated,
    options left as ``None`` keep their value (a second "Follow" click from a stale page must
    not turn the bell off). A new follow shows reshares and has no post notifications unless
    told otherwise.
    """
    _check_reachable(actor, target, "follow")
    given = {
        k: v
        for k, v in (("show_reshares", show_reshares), ("notify", notify_posts))
        if v is not None
    }
    with transaction.atomic():
        existing = Follow.objects.filter(follower=actor, target=target).first()
        if existing is not None:
            if given:
                Follow.objects.filter(pk=existing.pk).update(**given)
            return "following"
        options = {"show_reshares": True, "notify": False, **given}
        if target.locked:
            request, created = FollowRequest.objects.get_or_create(
                requester=actor, target=target, defaults=options
            )
            if created:
                notify(target, actor, NotificationKind.FOLLOW_REQUEST)
            elif given:
                FollowRequest.objects.filter(pk=request.pk).update(**given)
            return "requested"
        _create_follow(
            actor, target, show_reshares=options["show_reshares"], notify_posts=options["notify"]
        )
        notify(target, actor, NotificationKind.FOLLOW)
    return "following"


def set_post_notifications(actor: Account, target: Account, on: bool) -> None:
    """Be notified (or no longer) each time ``target`` posts: the bell on a profile, Mastodon's
    ``notify`` follow option. Only for accounts one follows (or asked to follow)."""
    with transaction.atomic():
        updated = Follow.objects.filter(follower=actor, target=target).update(notify=on)
        updated += FollowRequest.objects.filter(requester=actor, target=target).update(notify=on)
    if not updated:
        raise ActionError(f"Follow @{target.username} first to be notified of their posts.")


def _create_follow(
    actor: Account, target: Account, *, show_reshares: bool, notify_posts: bool
) -> None:
    try:
        with transaction.atomic():
            Follow.objects.create(
                follower=actor, target=target, show_reshares=show_reshares, notify=notify_posts
            )
    except IntegrityError:
        return  # a concurrent request made the same follow
    _bump(actor.pk, following_count=1)
    _bump(target.pk, followers_count=1)
    _after_commit_backfill(actor.pk, target.pk)


def unfollow(actor: Account, target: Account) -> None:
    """Stop following ``target`` (or withdraw a pending follow request). Idempotent."""
    with transaction.atomic():
        FollowRequest.objects.filter(requester=actor, target=target).delete()
        withdraw(actor, NotificationKind.FOLLOW_REQUEST, recipient=target)
        deleted, _ = Follow.objects.filter(follower=actor, target=target).delete()
        if deleted:
            _bump(actor.pk, following_count=-1)
            _bump(target.pk, followers_count=-1)
            _after_commit_prune(actor.pk, target.pk)
            _after_commit_refan_out_if_back_under_limit(target.pk)


def approve_follow_request(target: Account, requester: Account) -> None:
    """``target`` lets ``requester`` follow them."""
    with transaction.atomic():
        request = FollowRequest.objects.filter(requester=requester, target=target).first()
        if request is None:
            raise NotFound("There is no such follow request.")
        request.delete()
        withdraw(requester, NotificationKind.FOLLOW_REQUEST, recipient=target)
        _create_follow(
            requester, target, show_reshares=request.show_reshares, notify_posts=request.notify
        )
        notify(target, requester, NotificationKind.FOLLOW)


def reject_follow_request(target: Account, requester: Account) -> None:
    """``target`` turns down ``requester``'s follow request."""
    with transaction.atomic():
        deleted, _ = FollowRequest.objects.filter(requester=requester, target=target).delete()
        if not deleted:
            raise NotFound("There is no such follow request.")
        withdraw(requester, NotificationKind.FOLLOW_REQUEST, recipient=target)


def remove_follower(actor: Account, follower: Account) -> None:
    """``actor`` removes ``follower`` from their followers (a "soft block")."""
    unfollow(follower, actor)


# --- connections ----------------------------------------------------------------------------


def request_connection(
    actor: Account, target: Account, *, note: str = ""
) -> Literal["requested", "connected"]:
    """Ask ``target`` to connect. If they already asked ``actor``, this accepts instead."""
    _check_reachable(actor, target, "connect with")
    if len(note) > 300:
        raise ActionError("A note can have at most 300 characters.", field="note")
    with transaction.atomic():
        if Connection.objects.filter(account=actor, other=target).exists():
            return "connected"
        if ConnectionRequest.objects.filter(requester=target, target=actor).exists():
            accept_connection(actor, target)
            return "connected"
        _, created = ConnectionRequest.objects.get_or_create(
            requester=actor, target=target, defaults={"note": note.strip()}
        )
        if created:
            notify(target, actor, NotificationKind.CONNECTION_REQUEST)
    return "requested"


def accept_connection(actor: Account, requester: Account) -> None:
    """``actor`` accepts ``requester``'s connection request: both are now connected."""
    with transaction.atomic():
        deleted, _ = ConnectionRequest.objects.filter(requester=requester, target=actor).delete()
        if not deleted:
            raise NotFound("There is no such connection request.")
        withdraw(requester, NotificationKind.CONNECTION_REQUEST, recipient=actor)
        ConnectionRequest.objects.filter(requester=actor, target=requester).delete()
        if Connection.objects.filter(account=actor, other=requester).exists():
            return  # already connected (a stale request): counters must not move
        Connection.objects.bulk_create(
            [
                Connection(account=actor, other=requester),
                Connection(account=requester, other=actor),
            ],
            ignore_conflicts=True,
        )
        _bump(actor.pk, connections_count=1)
        _bump(requester.pk, connections_count=1)
        notify(requester, actor, NotificationKind.CONNECTION_ACCEPTED)
        _after_commit_backfill(actor.pk, requester.pk)
        _after_commit_backfill(requester.pk, actor.pk)


def decline_connection(actor: Account, requester: Account) -> None:
    """``actor`` declines ``requester``'s connection request."""
    with transaction.atomic():
        deleted, _ = ConnectionRequest.objects.filter(requester=requester, target=actor).delete()
        if not deleted:
            raise NotFound("There is no such connection request.")
        withdraw(requester, NotificationKind.CONNECTION_REQUEST, recipient=actor)


def withdraw_connection_request(actor: Account, target: Account) -> None:
    """``actor`` takes back a connection request they sent. Idempotent."""
    with transaction.atomic():
        ConnectionRequest.objects.filter(requester=actor, target=target).delete()
        withdraw(actor, NotificationKind.CONNECTION_REQUEST, recipient=target)


def remove_connection(actor: Account, other: Account) -> None:
    """End a connection, for both sides. Idempotent."""
    with transaction.atomic():
        deleted, _ = Connection.objects.filter(
            Q(account=actor, other=other) | Q(account=other, other=actor)
        ).delete()
        if deleted:
            _bump(actor.pk, connections_count=-1)
            _bump(other.pk, connections_count=-1)
            _after_commit_prune(actor.pk, other.pk)
            _after_commit_prune(other.pk, actor.pk)


# --- blocks and mutes -----------------------------------------------------------------------


def block(actor: Account, target: Account) -> None:
    """Block ``target``: cut every tie both ways and hide each from the other."""
    if actor.pk == target.pk:
        raise ActionError("You can't block yourself.")
    from feeds.actions import remove_all_between

    with transaction.atomic():
        unfollow(actor, target)
        unfollow(target, actor)
        remove_connection(actor, target)
        withdraw_connection_request(actor, target)
        withdraw_connection_request(target, actor)
        Block.objects.get_or_create(account=actor, target=target)
        remove_all_between(actor, target)


def unblock(actor: Account, target: Account) -> None:
    """Lift a block. Earlier follows and connections are not restored. Idempotent."""
    Block.objects.filter(account=actor, target=target).delete()


MAX_MUTE_DURATION = 10 * 365 * 24 * 3600  # longer than this is "until unmuted"


def mute(
    actor: Account,
    target: Account,
    *,
    notifications: bool = True,
    duration: int | None = None,
) -> None:
    """Hide ``target``'s posts (and, by default, notifications) from ``actor``.

    ``duration`` (seconds) makes the mute end on its own; None or 0: until unmuted. Muting
    again replaces the options and the end (an expired mute's row is reused).
    """
    if actor.pk == target.pk:
        raise ActionError("You can't mute yourself.")
    if duration is not None and duration < 0:
        raise ActionError("A mute's duration can't be negative.", field="duration")
    expires_at = None
    if duration and duration <= MAX_MUTE_DURATION:
        expires_at = timezone.now() + dt.timedelta(seconds=duration)
    try:
        with transaction.atomic():
            Mute.all_objects.update_or_create(
                account=actor,
                target=target,
                defaults={"notifications": notifications, "expires_at": expires_at},
            )
    except IntegrityError:
        pass  # a concurrent request made the same mute


def unmute(actor: Account, target: Account) -> None:
    """Lift a mute. Idempotent."""
    Mute.all_objects.filter(account=actor, target=target).delete()


def delete_expired_mutes() -> int:
    """Delete timed mutes that have ended (they already apply nowhere); how many."""
    deleted, _ = Mute.all_objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- private notes --------------------------------------------------------------------------

MAX_NOTE_LENGTH = 2000


def set_note(actor: Account, target: Account, comment: str) -> str:
    """Keep a private note about ``target`` (only ``actor`` sees it); an empty comment
    removes it. Returns the note as stored."""
    if actor.pk == target.pk:
        raise ActionError("You can't keep a note about yourself.")
    comment = (comment or "").strip()
    if len(comment) > MAX_NOTE_LENGTH:
        raise ActionError(
            f"A note is at most {MAX_NOTE_LENGTH} characters (it has {len(comment)}).",
            field="comment",
        )
    if not comment:
        AccountNote.objects.filter(account=actor, target=target).delete()
        return ""
    try:
        with transaction.atomic():
            AccountNote.objects.update_or_create(
                account=actor, target=target, defaults={"comment": comment}
            )
    except IntegrityError:
        pass  # a concurrent save of the same note
    return comment


# --- endorsements (featured accounts) -------------------------------------------------------


def endorse(actor: Account, target: Account) -> None:
    """Feature ``target`` on ``actor``'s profile. Only accounts ``actor`` follows can be
    featured (as in Mastodon). Idempotent."""
    from network.models import Endorsement

    if actor.pk == target.pk:
        raise ActionError("You can't feature yourself.")
    if is_blocked_either_way(actor, target):
        raise NotAllowed("You can't feature this account.")
    if not Follow.objects.filter(follower=actor, target=target).exists():
        raise ActionError("You must be already following the person you want to feature.")
    try:
        with transaction.atomic():
            Endorsement.objects.get_or_create(account=actor, target=target)
    except IntegrityError:
        pass  # a concurrent request featured them already


def unendorse(actor: Account, target: Account) -> None:
    """Stop featuring ``target`` on ``actor``'s profile. Idempotent."""
    from network.models import Endorsement

    Endorsement.objects.filter(account=actor, target=target).delete()
