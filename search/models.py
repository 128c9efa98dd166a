"""Discovery: followed hashtags and dismissed suggestions.

The full-text index itself is not a Django model: it is an FTS5 virtual table on SQLite and a
``tsvector`` side table on PostgreSQL, created by migration 0002 for the database in use and
written only by :mod:`search.index` (see :mod:`search.backends`).
"""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from posts.models import Hashtag


class FollowedHashtag(models.Model):
    """``account`` gets new public posts tagged ``hashtag`` in its home feed."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "hashtag"], name="followed_hashtag_unique")
        ]
        indexes = [
            # Fan-out reads "who follows this tag"; the owner's list reads by account.
            models.Index(fields=["hashtag", "account"], name="followed_hashtag_tag_idx"),
            models.Index(fields=["account", "-id"], name="followed_hashtag_page_idx"),
        ]


class SuggestionKind(models.TextChoices):
    ACCOUNT = "account", "Account"
    GROUP = "group", "Group"


class DismissedSuggestion(models.Model):
    """``account`` said "not interested" to a suggested account or group: never suggest it again."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=SuggestionKind.choices)
    target_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "target_id"], name="dismissed_suggestion_unique"
            )
        ]
