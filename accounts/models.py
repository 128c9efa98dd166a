"""People and organizations.

A :class:`User` is a login; an :class:`Account` is what the world sees (a profile that posts,
follows and is followed). Every user has exactly one account of their own. An account is a
person or an organization (brand page); organizations get teams in the studio issue.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from plaza.fields import SnowflakeIdField


class User(AbstractUser):
    email = models.EmailField("email address", unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")


class AccountKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"


class Visibility(models.TextChoices):
    """Who may see a post. Ordered from widest to narrowest."""

    PUBLIC = "public", "Public"
    UNLISTED = "unlisted", "Unlisted"
    FOLLOWERS = "followers", "Followers only"
    CONNECTIONS = "connections", "Connections only"
    DIRECT = "direct", "Mentioned people only"


class Account(models.Model):
    id = SnowflakeIdField()
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="account")
    username = models.CharField(max_length=30, unique=True)
    kind = models.CharField(max_length=16, choices=AccountKind.choices, default=AccountKind.PERSON)
    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(max_length=500, blank=True)
    bio_html = models.TextField(blank=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    header = models.ImageField(upload_to="headers/%Y/%m/", blank=True)
    location = models.CharField(max_length=100, blank=True)
    website = models.URLField(max_length=200, blank=True)
    # Interests are lowercase hashtag names without '#'; they drive suggestions.
    interests = models.JSONField(default=list, blank=True)
    # Profile fields (Mastodon's "fields"): up to four {"name", "value", "value_html"}, in
    # order; value_html is rendered once on save (escaped, links made clickable, sanitized).
    fields = models.JSONField(default=list, blank=True)
    locked = models.BooleanField(default=False, help_text="Approve each new follower")
    discoverable = models.BooleanField(default=True, help_text="Appear in search and suggestions")
    # Alt text of the profile picture and header image (Mastodon's avatar_description).
    avatar_description = models.CharField(max_length=1500, blank=True, default="")
    header_description = models.CharField(max_length=1500, blank=True, default="")
    # Who one follows, one's followers and connections are for oneself only (Mastodon's
    # "hide_collections"); the counts stay public.
    hide_network = models.BooleanField(
        default=False, help_text="Hide followers, following and connections from others"
    )
    default_visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # The language new posts are marked as written in when the author doesn't choose one
    # (an ISO 639 code, plaza.languages; "" for none).
    default_language = models.CharField(max_length=8, blank=True, default="", db_default="")
    # Counters kept by actions (F() updates) so profile headers need no COUNT(*).
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    connections_count = models.PositiveIntegerField(default=0)
    posts_count = models.PositiveIntegerField(default=0)
    last_posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moderation state, set only by moderation.actions (which also records why, and who).
    # Suspended: cannot log in, and everything they posted disappears for everyone else.
    # Limited (silenced): posts reach only their followers and connections.
    suspended_at = models.DateTimeField(null=True, blank=True)
    limited_at = models.DateTimeField(null=True, blank=True)
    warnings_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="account_username_ci_unique"),
        ]
        # Partial indexes: the few moderated accounts are read by every post query
        # (``author_id NOT IN (suspended)``), so that subquery is a scan of a tiny index.
        indexes = [
            models.Index(
                fields=["suspended_at"],
                name="account_suspended_idx",
                condition=models.Q(suspended_at__isnull=False),
            ),
            models.Index(
                fields=["limited_at"],
                name="account_limited_idx",
                condition=models.Q(limited_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_organization(self) -> bool:
        return self.kind == AccountKind.ORGANIZATION

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_limited(self) -> bool:
        return self.limited_at is not None
