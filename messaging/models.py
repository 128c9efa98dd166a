"""Direct messages: conversations (one-to-one or group), their participants and messages.

Each participant row carries its own read state, unread count, mute and message-request
state, so an inbox page is one index range scan over the viewer's participant rows (ordered
by ``last_message_id``, denormalized from the conversation) with no per-row counting.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from plaza.fields import SnowflakeIdField
from posts.models import MediaAttachment

MAX_PARTICIPANTS = 50
MAX_TITLE_CHARS = 100
MAX_MESSAGE_CHARS = 5000


class ConversationKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One-to-one"
    GROUP = "group", "Group"


class ParticipantState(models.TextChoices):
    ACTIVE = "active", "Active"
    LEFT = "left", "Left"


class ParticipantRole(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"


class RequestState(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    PENDING = "pending", "Pending"
    DECLINED = "declined", "Declined"


class Conversation(models.Model):
    id = SnowflakeIdField()
    kind = models.CharField(max_length=16, choices=ConversationKind.choices)
    title = models.CharField(max_length=MAX_TITLE_CHARS, blank=True, help_text="groups only")
    created_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "<smaller account id>:<larger>" for one-to-one conversations: at most one per pair.
    pair_key = models.CharField(max_length=48, null=True, blank=True, unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="group") | Q(pair_key__isnull=False), name="dm_pair_key_for_1to1"
            )
        ]

    def __str__(self) -> str:
        return f"conversation {self.pk} ({self.kind})"

    @property
    def is_group(self) -> bool:
        return self.kind == ConversationKind.GROUP


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="conversation_participations"
    )
    added_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        max_length=8, choices=ParticipantState.choices, default=ParticipantState.ACTIVE
    )
    role = models.CharField(
        max_length=8, choices=ParticipantRole.choices, default=ParticipantRole.MEMBER
    )
    request_state = models.CharField(
        max_length=8, choices=RequestState.choices, default=RequestState.ACCEPTED
    )
    last_read_message_id = models.BigIntegerField(null=True, blank=True)
    unread_count = models.PositiveIntegerField(default=0)
    muted = models.BooleanField(default=False)
    # Removed from the list (the Mastodon API's "remove conversation") until a new message.
    hidden = models.BooleanField(default=False)
    # The conversation's newest message id (or its own id while empty): the inbox sort key.
    sort_key = models.BigIntegerField(default=0)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "account"], name="dm_one_participant_row"
            )
        ]
        indexes = [
            models.Index(
                fields=["account", "state", "request_state", "-sort_key"], name="dm_inbox_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.conversation_id}"

    @property
    def is_active(self) -> bool:
        return self.state == ParticipantState.ACTIVE

    @property
    def is_pending(self) -> bool:
        return self.request_state == RequestState.PENDING


class Message(models.Model):
    id = SnowflakeIdField()
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True, help_text="source as typed")
    html = models.TextField(blank=True, help_text="rendered and sanitized")
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_for_everyone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "-id"], name="dm_message_thread_idx")]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.conversation_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_for_everyone_at is not None


class MessageMedia(models.Model):
    """An upload (posts' own :class:`MediaAttachment`) attached to a message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="media_links")
    media = models.OneToOneField(
        MediaAttachment, on_delete=models.CASCADE, related_name="message_link"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["message", "position"], name="dm_media_message_idx")]


class MessageReaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "account", "emoji"], name="dm_one_reaction_per_emoji"
            )
        ]


class MessageHiddenFor(models.Model):
    """A message someone deleted for themselves only."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "account"], name="dm_hidden_once")
        ]
        indexes = [models.Index(fields=["account", "message"], name="dm_hidden_idx")]


class DeclinedSender(models.Model):
    """``account`` declined a message request from ``sender``: no more messages from them
    until the two connect (checked, and this row removed, when ``sender`` writes again)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "sender"], name="dm_declined_once")
        ]
