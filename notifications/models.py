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


class Notification(models.Model):
    id = SnowflakeIdField()
    recipient = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_page_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]
