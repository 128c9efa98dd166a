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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_page_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
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
