"""Posts written now and published later (Mastodon's scheduled statuses).

A :class:`ScheduledPost` keeps the arguments of :func:`posts.actions.publish` until
``scheduled_at``; the periodic task :func:`studio.tasks.publish_scheduled_posts` then
publishes it through the same action as everything else. The post it replies to or quotes
may disappear meanwhile, so those are plain ids, resolved (and re-checked) when due.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Account, Visibility
from plaza.fields import SnowflakeIdField
from posts.models import Post


class ScheduledState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class ScheduledPost(models.Model):
    id = SnowflakeIdField()
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scheduled_posts")
    text = models.TextField(blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility.choices)
    content_warning = models.CharField(max_length=500, blank=True)
    # ISO 639 code; None: the author's default language when it is published.
    language = models.CharField(max_length=8, null=True, blank=True)
    # Mastodon's "sensitive" flag, kept to echo it back; Plaza hides content behind a warning.
    sensitive = models.BooleanField(default=False)
    in_reply_to_id = models.BigIntegerField(null=True, blank=True)
    quote_of_id = models.BigIntegerField(null=True, blank=True)
    media_ids = models.JSONField(
        default=list, blank=True, help_text="MediaAttachment ids, in order"
    )
    scheduled_at = models.DateTimeField()
    # The API client that scheduled it (Mastodon's ScheduledStatus reports it); 0: the web UI.
    application_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        max_length=16, choices=ScheduledState.choices, default=ScheduledState.SCHEDULED
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "scheduled_at"], name="scheduled_due_idx"),
            models.Index(fields=["account", "state", "-id"], name="scheduled_account_idx"),
        ]

    def __str__(self) -> str:
        return f"scheduled post {self.id} by {self.account_id} at {self.scheduled_at}"
