"""Notifications: something happened that an account should know about."""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from plaza.fields import SnowflakeIdField
from posts.models import Post


class NotificationKind(models.TextChoices):
    FOLLOW = "follow", "New follower"
    FOLLOW_REQUEST = "follow_request", "Follow request"
    CONNECTION_REQUEST = "connection_request", "Connection request"
    CONNECTION_ACCEPTED = "connection_accepted", "Connection accepted"
    MENTION = "mention", "Mention"
    REPLY = "reply", "Reply"
    LIKE = "like", "Like"
    RESHARE = "reshare", "Reshare"
    QUOTE = "quote", "Quote"
    # Moderation: a report the recipient sent was handled; a moderator warned the recipient.
    REPORT_RESOLVED = "report_resolved", "Report resolved"
    MODERATION_WARNING = "moderation_warning", "Moderation warning"
    GROUP_JOIN_REQUEST = "group_join_request", "Request to join a group"
    GROUP_REQUEST_APPROVED = "group_request_approved", "Group request approved"
    GROUP_INVITE = "group_invite", "Group invitation"
    GROUP_POST = "group_post", "New post in a group"
    # Someone not connected to or followed by the recipient wrote to them: the conversation
    # landed in their message requests. One per request (not per message), no post.
    MESSAGE_REQUEST = "message_request", "Message request"
    # Someone the recipient follows with the bell on (post notifications) published a post.
    STATUS = "status", "New post from someone you follow"
    # A poll ended: to its author (actor: the author too) and to everyone who voted in it.
    POLL = "poll", "Poll ended"


class Notification(models.Model):
    id = SnowflakeIdField()
    recipient = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The group a group notification is about (requests, approvals, invitations).
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    # Put aside by the recipient's NotificationPolicy: not in the list nor the unread count,
    # but under a NotificationRequest from its actor until the recipient accepts them.
    filtered = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_page_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # Only the few filtered rows: a request's notifications, its count and its latest.
            models.Index(
                fields=["recipient", "actor", "-id"],
                condition=models.Q(filtered=True),
                name="notification_filtered_idx",
            ),
        ]


class ThreadMute(models.Model):
    """An account that muted a conversation: nothing in the thread (replies, mentions, likes
    and reshares of its posts, post notifications of self-replies) notifies them any more; a
    quote starts a conversation of its own. Mastodon's "mute conversation"."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    thread_root = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "thread_root"], name="thread_mute_unique")
        ]


class PolicyAction(models.TextChoices):
    ACCEPT = "accept", "Accept"
    FILTER = "filter", "Filter"
    DROP = "drop", "Ignore"


def _policy_field(default: PolicyAction) -> models.CharField[str, str]:
    return models.CharField(max_length=8, choices=PolicyAction.choices, default=default)


class NotificationPolicy(models.Model):
    """Which senders' notifications an account takes in (accept), puts aside as a request
    (filter) or never stores (drop). Mastodon 4.3's NotificationPolicy, with its defaults; an
    account without a row has the defaults."""

    account = models.OneToOneField(
        Account, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # People the account doesn't follow (or isn't connected to).
    for_not_following = _policy_field(PolicyAction.ACCEPT)
    # People who don't follow the account (and aren't connected to it).
    for_not_followers = _policy_field(PolicyAction.ACCEPT)
    # Accounts created less than NEW_ACCOUNT_DAYS ago.
    for_new_accounts = _policy_field(PolicyAction.ACCEPT)
    # Mentions in followers- or connections-only posts from people the account doesn't
    # follow, other than replies to its own posts (direct messages are messaging's).
    for_private_mentions = _policy_field(PolicyAction.FILTER)
    # Accounts a moderator limited.
    for_limited_accounts = _policy_field(PolicyAction.FILTER)
    updated_at = models.DateTimeField(auto_now=True)

    FIELDS = (
        "for_not_following",
        "for_not_followers",
        "for_new_accounts",
        "for_private_mentions",
        "for_limited_accounts",
    )


NEW_ACCOUNT_DAYS = 30


class NotificationRequest(models.Model):
    """Notifications from one sender that the recipient's policy put aside. The count and the
    latest notification are read from the filtered notifications themselves, so unlikes and
    deletions never leave them stale. Dismissed requests are hidden (their notifications stay
    filtered); accepting one deletes it and grants a NotificationPermission."""

    id = SnowflakeIdField()
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    from_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    dismissed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "from_account"], name="notification_request_unique"
            )
        ]
        indexes = [models.Index(fields=["account", "-id"], name="notification_request_page_idx")]


class NotificationPermission(models.Model):
    """The recipient accepted notifications from this sender whatever their policy says."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    from_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "from_account"], name="notification_permission_unique"
            )
        ]
