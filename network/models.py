"""Relationships between accounts: follows (one-way), connections (mutual), blocks, mutes."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Account


class Follow(models.Model):
    """``follower`` sees ``target``'s broadcasts in their home feed."""

    follower = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="following_set")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="follower_set")
    # Whether the follower wants the target's reshares in their home feed (Mastodon option).
    show_reshares = models.BooleanField(default=True)
    # The follower wants a notification each time the target posts (the bell on a profile).
    notify = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "target"], name="follow_unique"),
            models.CheckConstraint(condition=~Q(follower=F("target")), name="follow_not_self"),
        ]
        indexes = [
            models.Index(fields=["target", "-id"], name="follow_target_idx"),
            models.Index(fields=["follower", "-id"], name="follow_follower_idx"),
            # Who to notify of a new post: few rows even for an account with many followers.
            models.Index(fields=["target"], condition=Q(notify=True), name="follow_notify_idx"),
        ]


class FollowRequest(models.Model):
    """A request to follow a locked account, waiting for its approval."""

    requester = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="sent_follow_requests"
    )
    target = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="received_follow_requests"
    )
    show_reshares = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requester", "target"], name="follow_request_unique"),
            models.CheckConstraint(
                condition=~Q(requester=F("target")), name="follow_request_not_self"
            ),
        ]
        indexes = [models.Index(fields=["target", "-id"], name="follow_request_target_idx")]


class Connection(models.Model):
    """A mutual connection, stored once in each direction so either side is one index lookup."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="connection_set")
    other = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "other"], name="connection_unique"),
            models.CheckConstraint(condition=~Q(account=F("other")), name="connection_not_self"),
        ]
        indexes = [models.Index(fields=["account", "-id"], name="connection_page_idx")]


class ConnectionRequest(models.Model):
    """``requester`` asks ``target`` to connect, with an optional note."""

    requester = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="sent_connection_requests"
    )
    target = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="received_connection_requests"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "target"], name="connection_request_unique"
            ),
            models.CheckConstraint(
                condition=~Q(requester=F("target")), name="connection_request_not_self"
            ),
        ]
        indexes = [models.Index(fields=["target", "-id"], name="connection_request_target_idx")]


class Block(models.Model):
    """``account`` blocks ``target``: neither sees the other, all ties between them are cut."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="blocks_made")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="blocked_by_set")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="block_unique"),
            models.CheckConstraint(condition=~Q(account=F("target")), name="block_not_self"),
        ]


def active_mute_q(prefix: str = "") -> Q:
    """Mutes still in force (no end, or an end still ahead)."""
    return Q(**{f"{prefix}expires_at__isnull": True}) | Q(
        **{f"{prefix}expires_at__gt": timezone.now()}
    )


class ActiveMuteManager(models.Manager["Mute"]):
    """Mutes in force: a timed mute past its ``expires_at`` no longer applies anywhere.

    The default manager, so every ORM read of mutes (feeds, notifications, search, streaming)
    ignores expired rows without knowing about expiry; ``network.tasks`` deletes them later.
    Writes that must see every row (re-muting, unmuting) use ``Mute.all_objects``.
    """

    def get_queryset(self) -> models.QuerySet[Mute]:
        return super().get_queryset().filter(active_mute_q())


class Mute(models.Model):
    """``account`` no longer sees ``target``'s posts in feeds; ``target`` is not told."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mutes_made")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="muted_by_set")
    notifications = models.BooleanField(default=True, help_text="Also hide their notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    # A timed mute (Mastodon's ``duration``) ends on its own; None: until unmuted.
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveMuteManager()
    all_objects = models.Manager()  # noqa: DJ012 (a manager, not a field)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="mute_unique"),
            models.CheckConstraint(condition=~Q(account=F("target")), name="mute_not_self"),
        ]


class AccountNote(models.Model):
    """A private note ``account`` keeps about ``target`` (only its author ever sees it)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notes_made")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    comment = models.TextField(max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="account_note_unique"),
            models.CheckConstraint(condition=~Q(account=F("target")), name="account_note_not_self"),
        ]


class Endorsement(models.Model):
    """``account`` features ``target`` on its profile (Mastodon's "endorsed" accounts)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="endorsements")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="endorsement_unique"),
            models.CheckConstraint(condition=~Q(account=F("target")), name="endorsement_not_self"),
        ]
        indexes = [models.Index(fields=["account", "-id"], name="endorsement_page_idx")]
