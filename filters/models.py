"""Content filters: words and posts someone does not want to see, and where.

A :class:`Filter` belongs to one account and applies in some *contexts* (the home feed,
notifications, public feeds, threads, profiles) with an *action*: ``warn`` (the post is shown
collapsed behind the filter's title), ``hide`` (the post is left out) or ``blur`` (the media
are blurred behind a warning). It matches posts by :class:`FilterKeyword` (a word or phrase,
optionally only as a whole word) and by :class:`FilterStatus` (one specific post). This is
Mastodon's filter model (v2); a Mastodon v1 filter is one keyword of a filter.

Matching lives in :func:`filters.queries.match`, the one function feeds, notifications and
the APIs call.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from plaza.fields import SnowflakeIdField
from posts.models import Post


class FilterContext(models.TextChoices):
    HOME = "home", "Home feed and lists"
    NOTIFICATIONS = "notifications", "Notifications"
    PUBLIC = "public", "Public feeds"
    THREAD = "thread", "Conversations"
    ACCOUNT = "account", "Profiles"


class FilterAction(models.TextChoices):
    WARN = "warn", "Hide behind a warning"
    BLUR = "blur", "Blur media behind a warning"
    HIDE = "hide", "Hide completely"


class Filter(models.Model):
    id = SnowflakeIdField()
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="filters")
    title = models.CharField(max_length=256)
    # A subset of FilterContext values. Few filters per account, so membership is tested
    # in Python and needs no portable JSON lookup.
    context = models.JSONField(default=list)
    action = models.CharField(max_length=8, choices=FilterAction.choices, default=FilterAction.WARN)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["account", "id"], name="filter_account_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.account_id})"


class FilterKeyword(models.Model):
    id = SnowflakeIdField()
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="keywords")
    keyword = models.CharField(max_length=200)
    whole_word = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["filter", "id"], name="filter_keyword_idx")]

    def __str__(self) -> str:
        return self.keyword


class FilterStatus(models.Model):
    id = SnowflakeIdField()
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="statuses")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["filter", "post"], name="filter_status_unique")
        ]

    def __str__(self) -> str:
        return f"{self.filter_id}: {self.post_id}"
