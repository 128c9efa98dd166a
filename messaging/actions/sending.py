"""Messages in a conversation one is in: send, edit, delete (for everyone or for oneself),
react. Edit and delete-for-everyone only within :data:`~messaging.actions.rules.EDIT_WINDOW`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from messaging import live
from messaging.actions.rules import (
    EDIT_WINDOW,
    MAX_REACTION_CHARS,
    MAX_REACTIONS_PER_PERSON,
    active_ids,
    check_media,
    check_reachable,
    clean_text,
    my_participant,
    reopen_one_to_one,
)
from messaging.models import (
    Conversation,
    Message,
    MessageHiddenFor,
    MessageMedia,
    MessageReaction,
    Participant,
    ParticipantState,
    RequestState,
)
from plaza.errors import ActionError, NotAllowed, NotFound
from posts import media as media_files
from posts.models import MediaAttachment
from posts.text import render


def _clean_emoji(emoji: str) -> str:
    emoji = (emoji or "").strip()
    if not emoji or len(emoji) > MAX_REACTION_CHARS:
        raise ActionError("Pick an emoji to react with.", field="emoji")
    # Emoji only: no letters, digits, markup or spaces (all of those are ASCII or spaces).
    if any(ord(c) < 0x80 or c.isspace() or c.isalnum() for c in emoji):
        raise ActionError("Reactions are emoji only.", field="emoji")
    return emoji


def _within_window(message: Message, what: str) -> None:
    if timezone.now() - message.created_at > EDIT_WINDOW:
        minutes = int(EDIT_WINDOW.total_seconds() // 60)
        raise ActionError(f"Messages can only be {what} within {minutes} minutes of sending.")


def _own_message(actor: Account, message: Message, what: str) -> None:
    if message.sender_id != actor.pk:
        raise NotAllowed(f"You can only {what} your own messages.")
    if message.is_deleted:
        raise ActionError("This message was deleted.")


@transaction.atomic
def send_message(
    actor: Account,
    conversation: Conversation,
    *,
    text: str = "",
    media: Sequence[MediaAttachment] = (),
    reply_to: Message | None = None,
) -> Message:
    """Send a message to a conversation ``actor`` is in. Replying to a request accepts it."""
    me = my_participant(actor, conversation, lock=True)
    text = clean_text(text, has_media=bool(media))
    check_media(actor, media)
    if reply_to is not None and reply_to.conversation_id != conversation.pk:
        raise NotFound("The message you reply to is not in this conversation.", field="reply_to")
    people = {
        p.account_id: p
        for p in Participant.objects.filter(conversation=conversation).select_related("account")
    }
    if not conversation.is_group:
        other = next((p for aid, p in people.items() if aid != actor.pk), None)
        if other is not None:
            check_reachable(actor, other.account)
            if not other.is_active or other.request_state == RequestState.DECLINED:
                reopen_one_to_one(actor, conversation)
    if me.is_pending:
        me.request_state = RequestState.ACCEPTED
        me.save(update_fields=["request_state"])

    known = {p.account.username.lower() for p in people.values()}
    message = Message.objects.create(
        conversation=conversation,
        sender=actor,
        text=text,
        html=render(text, known_mentions=known).html if text else "",
        reply_to=reply_to,
    )
    if media:
        MessageMedia.objects.bulk_create(
            [MessageMedia(message=message, media=m, position=i) for i, m in enumerate(media)]
        )
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message=message, last_message_at=message.created_at
    )
    conversation.last_message = message
    conversation.last_message_at = message.created_at
    active = Participant.objects.filter(conversation=conversation, state=ParticipantState.ACTIVE)
    # A new message brings a conversation someone removed from their list back into it.
    active.exclude(account=actor).update(
        sort_key=message.pk, unread_count=F("unread_count") + 1, hidden=False
    )
    active.filter(account=actor).update(
        sort_key=message.pk, unread_count=0, last_read_message_id=message.pk, hidden=False
    )
    live.announce(active_ids(conversation), conversation.pk, "new", message.pk)
    return message


@transaction.atomic
def edit_message(actor: Account, message: Message, text: str) -> Message:
    """Change the text of one's own message (within :data:`EDIT_WINDOW`)."""
    my_participant(actor, message.conversation)
    _own_message(actor, message, "edit")
    _within_window(message, "edited")
    has_media = MessageMedia.objects.filter(message=message).exists()
    text = clean_text(text, has_media=has_media)
    if text == message.text:
        return message
    usernames = Participant.objects.filter(conversation_id=message.conversation_id).values_list(
        "account__username", flat=True
    )
    message.text = text
    message.html = render(text, known_mentions={u.lower() for u in usernames}).html if text else ""
    message.edited_at = timezone.now()
    message.save(update_fields=["text", "html", "edited_at"])
    live.announce(active_ids(message.conversation), message.conversation_id, "edit", message.pk)
    return message


@transaction.atomic
def delete_for_everyone(actor: Account, message: Message) -> None:
    """Delete one's own message for everyone (within :data:`EDIT_WINDOW`): its text, media
    and reactions go; a "message deleted" marker stays in the thread."""
    my_participant(actor, message.conversation)
    _own_message(actor, message, "delete")
    _within_window(message, "deleted for everyone")
    _erase(message)


@transaction.atomic
def remove_message(moderator: Account, message: Message) -> None:
    """Take a reported message down for everyone. Staff only: :mod:`moderation.actions`
    checks that and writes the audit-log entry (with the text) before calling this."""
    if not message.is_deleted:
        _erase(message)


def _erase(message: Message) -> None:
    """Text, media and reactions go; a "message deleted" marker stays in the thread."""
    message.text = ""
    message.html = ""
    message.deleted_for_everyone_at = timezone.now()
    message.save(update_fields=["text", "html", "deleted_for_everyone_at"])
    MessageReaction.objects.filter(message=message).delete()
    for link in MessageMedia.objects.filter(message=message).select_related("media"):
        media_files.discard(link.media)  # the link goes with it (cascade)
    live.announce(active_ids(message.conversation), message.conversation_id, "delete", message.pk)


@transaction.atomic
def delete_for_me(actor: Account, message: Message) -> None:
    """Hide a message from one's own view of the thread (any message, any time)."""
    my_participant(actor, message.conversation)
    MessageHiddenFor.objects.get_or_create(message=message, account=actor)
    live.announce([actor.pk], message.conversation_id, "hide", message.pk)


@transaction.atomic
def add_reaction(actor: Account, message: Message, emoji: str) -> bool:
    """React to a message with an emoji. False when that reaction was already there."""
    my_participant(actor, message.conversation)
    emoji = _clean_emoji(emoji)
    if message.is_deleted:
        raise ActionError("This message was deleted.")
    mine = MessageReaction.objects.filter(message=message, account=actor)
    if mine.filter(emoji=emoji).exists():
        return False
    if mine.count() >= MAX_REACTIONS_PER_PERSON:
        raise ActionError(
            f"You can react to a message with at most {MAX_REACTIONS_PER_PERSON} emoji.",
            field="emoji",
        )
    MessageReaction.objects.create(message=message, account=actor, emoji=emoji)
    live.announce(active_ids(message.conversation), message.conversation_id, "react", message.pk)
    return True


@transaction.atomic
def remove_reaction(actor: Account, message: Message, emoji: str) -> bool:
    """Take back a reaction. False when there was none."""
    my_participant(actor, message.conversation)
    deleted, _ = MessageReaction.objects.filter(
        message=message, account=actor, emoji=(emoji or "").strip()
    ).delete()
    if deleted:
        live.announce(
            active_ids(message.conversation), message.conversation_id, "react", message.pk
        )
    return bool(deleted)


def toggle_reaction(actor: Account, message: Message, emoji: str) -> bool:
    """Add the reaction, or take it back if it is there. True when it is there now."""
    if MessageReaction.objects.filter(message=message, account=actor, emoji=emoji).exists():
        remove_reaction(actor, message, emoji)
        return False
    add_reaction(actor, message, emoji)
    return True
