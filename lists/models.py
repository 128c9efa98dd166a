"""Lists: named sets of accounts their owner follows, each with its own timeline.

A member is tied to the owner's :class:`~network.models.Follow` of that account, as in
Mastodon: unfollowing (or blocking, or being removed as a follower) deletes the follow and,
by cascade, the account's place in every list of the owner.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from network.models import Follow
from plaza.fields import SnowflakeIdField


class RepliesPolicy(models.TextChoices):
    """Which replies by members the list timeline shows (Mastodon's ``replies_policy``)."""

    FOLLOWED = "followed", "Replies to anyone I follow"
    LIST = "list", "Replies to members of the list"
    NONE = "none", "No replies"


class List(models.Model):
    id = SnowflakeIdField()
    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lists")
    title = models.CharField(max_length=100)
    replies_policy = models.CharField(
        max_length=16, choices=RepliesPolicy.choices, default=RepliesPolicy.LIST
    )
    # Exclusive lists keep their members' posts out of the owner's home feed.
    exclusive = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "id"], name="list_owner_idx")]

    def __str__(self) -> str:
        return self.title


class ListMember(models.Model):
    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    follow = models.ForeignKey(Follow, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["list", "account"], name="list_member_unique"),
        ]
        indexes = [models.Index(fields=["account"], name="list_member_account_idx")]
