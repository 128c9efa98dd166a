"""Groups: places where people with a common interest talk.

A :class:`Group` is owned by one account (a person or an organization) and has members with
roles. Group posts are ordinary :class:`posts.models.Post` rows with ``group`` set; who may
read them is decided in :func:`posts.queries._visibility_q` from the group's visibility and
the reader's membership, so every path that reads posts applies the same rule.

========== ================================================================================
public     anyone reads the group and its posts; listed
private    listed (name, description, rules), but only active members read its posts
secret     only members and people invited see that it exists at all
========== ================================================================================
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from accounts.models import Account
from plaza.fields import SnowflakeIdField


class GroupVisibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"
    SECRET = "secret", "Secret"


class JoinPolicy(models.TextChoices):
    OPEN = "open", "Anyone can join"
    REQUEST = "request", "Request to join"
    INVITE = "invite", "Invite only"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MODERATOR = "moderator", "Moderator"
    MEMBER = "member", "Member"


class MemberState(models.TextChoices):
    ACTIVE = "active", "Active"
    BANNED = "banned", "Banned"


class Group(models.Model):
    id = SnowflakeIdField()
    name = models.CharField(max_length=100)
    handle = models.CharField(max_length=50, unique=True)
    description = models.TextField(max_length=2000, blank=True)
    # Lowercase hashtag names without '#', like Account.interests.
    topics = models.JSONField(default=list, blank=True)
    cover = models.ImageField(upload_to="group_covers/%Y/%m/", blank=True)
    rules = models.TextField(max_length=5000, blank=True)
    visibility = models.CharField(
        max_length=16, choices=GroupVisibility.choices, default=GroupVisibility.PUBLIC
    )
    join_policy = models.CharField(
        max_length=16, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    # Questions asked of people requesting to join (a list of strings).
    questions = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="owned_groups")
    member_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("handle"), name="group_handle_ci_unique")]
        indexes = [models.Index(fields=["visibility", "-member_count"], name="group_listing_idx")]

    def __str__(self) -> str:
        return f"group {self.handle}"

    @property
    def is_public(self) -> bool:
        return self.visibility == GroupVisibility.PUBLIC


class Membership(models.Model):
    """An account's tie to a group. A ban is a membership row in state ``banned`` so the
    person cannot simply join again."""

    id = SnowflakeIdField()
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=16, choices=MemberState.choices, default=MemberState.ACTIVE)
    # Notified of every new post in the group.
    follow_closely = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "account"], name="membership_unique")
        ]
        indexes = [
            models.Index(fields=["group", "state", "id"], name="membership_group_idx"),
            models.Index(fields=["account", "state"], name="membership_account_idx"),
            # The owner and moderators of a group (every group page lists them): a handful
            # of rows, where the group's index would walk all its members.
            models.Index(
                fields=["group"],
                condition=models.Q(role__in=[Role.OWNER, Role.MODERATOR]),
                name="membership_staff_idx",
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.state == MemberState.ACTIVE

    @property
    def is_moderator(self) -> bool:
        return self.is_active and self.role in (Role.OWNER, Role.MODERATOR)


class JoinRequest(models.Model):
    id = SnowflakeIdField()
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    # [{"question": ..., "answer": ...}], the questions as they were asked.
    answers = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "account"], name="join_request_unique")
        ]


class Invitation(models.Model):
    id = SnowflakeIdField()
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="group_invites")
    inviter = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "account"], name="group_invitation_unique")
        ]


class GroupPin(models.Model):
    """A post moderators pinned to the top of the group feed."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="pins")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    pinned_by = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "post"], name="group_pin_unique")]
