"""Direct messages: the only write path (start, send, edit, delete, react, requests, read...).

Rules every path shares (web, native API):

- Nobody can reach someone they block or who blocks them (:func:`check_reachable`).
- A message from someone the recipient is not connected to and does not follow lands in the
  recipient's **requests** (their participant row is ``pending``) until they accept it
  (replying accepts too). Declining leaves the conversation and refuses further messages and
  invitations from that person until the two connect.
- Landing in someone's requests (their participant row becomes ``pending``: a new
  conversation, a group they are added to, or a one-to-one they had declined, reopened) sends
  them one ``message_request`` notification (:func:`_notify_requests`); further messages in
  the same request add to its unread count, not to the notifications.
- Conversations hold at most :data:`MAX_PARTICIPANTS` people; only groups can be left.
- Edit and delete-for-everyone within :data:`EDIT_WINDOW`; delete-for-yourself any time.

Each action validates first and writes in one transaction; live events go out after commit
(:mod:`messaging.live`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Account
from messaging import live, queries
from messaging.models import (
    MAX_MESSAGE_CHARS,
    MAX_PARTICIPANTS,
    MAX_TITLE_CHARS,
    Conversation,
    ConversationKind,
    DeclinedSender,
    Message,
    MessageHiddenFor,
    MessageMedia,
    MessageReaction,
    Participant,
    ParticipantRole,
    ParticipantState,
    RequestState,
)
from network.queries import is_blocked_either_way, is_connected, is_following
from notifications.actions import notify
from notifications.models import NotificationKind
from plaza.errors import ActionError, NotAllowed, NotFound
from posts import media as media_files
from posts.models import MediaAttachment, MediaKind, MediaState
from posts.text import extract_mentions, render

EDIT_WINDOW = timedelta(minutes=15)
MAX_IMAGES = 4
MAX_REACTION_CHARS = 16
MAX_REACTIONS_PER_PERSON = 5


# --- checks ----------------------------------------------------------------------------------


def pair_key(a: Account | int, b: Account | int) -> str:
    """The key of the one-to-one conversation between two accounts."""
    ids = sorted(x if isinstance(x, int) else x.pk for x in (a, b))
    return f"{ids[0]}:{ids[1]}"


def check_reachable(sender: Account, recipient: Account) -> None:
    """Raise :class:`NotAllowed` unless ``sender`` may message ``recipient``: not blocked
    either way, and not declined by them (unless they have connected since)."""
    if sender.pk == recipient.pk:
        return
    if is_blocked_either_way(sender, recipient):
        raise NotAllowed(f"You can't message @{recipient.username}.")
    declined = DeclinedSender.objects.filter(account=recipient, sender=sender)
    if declined.exists():
        if not is_connected(recipient, sender):
            raise NotAllowed(f"@{recipient.username} isn't accepting messages from you.")
        declined.delete()  # they connected since: the decline is over


def request_state_for(sender: Account, recipient: Account) -> str:
    """``accepted`` when ``recipient`` is connected to or follows ``sender``, else
    ``pending`` (the conversation is a message request for them)."""
    if is_connected(recipient, sender) or is_following(recipient, sender):
        return RequestState.ACCEPTED
    return RequestState.PENDING


def _my_participant(
    actor: Account, conversation: Conversation, *, lock: bool = False
) -> Participant:
    qs = Participant.objects.filter(
        conversation=conversation, account=actor, state=ParticipantState.ACTIVE
    ).exclude(request_state=RequestState.DECLINED)
    if lock:
        qs = qs.select_for_update()
    me = qs.first()
    if me is None:
        raise NotFound("No such conversation.")
    return me


def _active_ids(conversation: Conversation) -> list[int]:
    return list(
        Participant.objects.filter(
            conversation=conversation, state=ParticipantState.ACTIVE
        ).values_list("account_id", flat=True)
    )


def _clean_text(text: str, *, has_media: bool) -> str:
    text = (text or "").replace("\r\n", "\n")
    if "\x00" in text:
        raise ActionError("A message cannot contain NUL characters.", field="text")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ActionError(
            f"A message can have at most {MAX_MESSAGE_CHARS:,} characters ({len(text):,} typed).",
            field="text",
        )
    if not text.strip() and not has_media:
        raise ActionError("Write a message or attach media.", field="text")
    return text.strip()


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) > MAX_TITLE_CHARS:
        raise ActionError(
            f"A conversation name can have at most {MAX_TITLE_CHARS} characters.", field="title"
        )
    return title


def _check_media(actor: Account, media: Sequence[MediaAttachment]) -> None:
    if not media:
        return
    ids = [m.pk for m in media]
    if len(set(ids)) != len(ids):
        raise ActionError("The same upload is attached twice.", field="media")
    for m in media:
        if m.account_id != actor.pk:
            raise NotFound("That media does not exist.", field="media")
        if m.post_id is not None:
            raise ActionError("That media is already attached to a post.", field="media")
        if m.state == MediaState.FAILED:
            raise ActionError(
                f"“{m.original_name or 'Upload'}” could not be processed: {m.error}", field="media"
            )
    if MessageMedia.objects.filter(media_id__in=ids).exists():
        raise ActionError("That media is already attached to a message.", field="media")
    if any(m.kind != MediaKind.IMAGE for m in media):
        if len(media) > 1:
            raise ActionError(
                "A message can have up to 4 images, or one video, or one document.", field="media"
            )
    elif len(media) > MAX_IMAGES:
        raise ActionError("A message can have at most 4 images.", field="media")


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


def _notify_requests(sender: Account, rows: Sequence[Participant]) -> None:
    """Tell the people whose rows just became ``pending`` that ``sender`` wrote to them
    (a message request), once per request. Called only where a row *becomes* pending, never
    per message. Suspended senders notify nobody; :func:`notifications.actions.notify`
    skips blocked and muted senders."""
    if sender.suspended_at is not None:
        return
    for row in rows:
        if row.request_state == RequestState.PENDING and row.account_id != sender.pk:
            notify(row.account_id, sender, NotificationKind.MESSAGE_REQUEST)


# --- starting conversations --------------------------------------------------------------------


def _participant_for(conversation: Conversation, account: Account, adder: Account) -> Participant:
    return Participant(
        conversation=conversation,
        account=account,
        added_by=adder,
        request_state=request_state_for(adder, account),
        sort_key=conversation.pk,
    )


@transaction.atomic
def start_conversation(
    actor: Account,
    recipients: Sequence[Account],
    *,
    title: str = "",
    text: str = "",
    media: Sequence[MediaAttachment] = (),
    group: bool | None = None,
) -> Conversation:
    """Start (or, one-to-one, reopen) a conversation with ``recipients``, optionally with a
    first message. One recipient and no title is a one-to-one conversation (the existing one
    if there is one); more people, a title or ``group=True`` make a group conversation.
    """
    others = list({a.pk: a for a in recipients if a.pk != actor.pk}.values())
    if not others:
        raise ActionError("Choose at least one person to message.", field="to")
    if len(others) + 1 > MAX_PARTICIPANTS:
        raise ActionError(
            f"A conversation can have at most {MAX_PARTICIPANTS} people, you included.",
            field="to",
        )
    title = _clean_title(title)
    is_group = group if group is not None else (len(others) > 1 or bool(title))
    if not is_group and len(others) > 1:
        raise ActionError("A one-to-one conversation has exactly one other person.", field="to")
    for other in others:
        check_reachable(actor, other)
    # Writing to someone you declined before ends that decline.
    DeclinedSender.objects.filter(account=actor, sender__in=[o.pk for o in others]).delete()
    if text or media:
        _clean_text(text, has_media=bool(media))  # fail before anything is written
        _check_media(actor, media)

    if is_group:
        conversation = Conversation.objects.create(
            kind=ConversationKind.GROUP, title=title, created_by=actor
        )
        rows = [
            Participant(
                conversation=conversation,
                account=actor,
                role=ParticipantRole.OWNER,
                last_read_message_id=None,
                sort_key=conversation.pk,
            ),
            *(_participant_for(conversation, o, actor) for o in others),
        ]
        Participant.objects.bulk_create(rows)
        _notify_requests(actor, rows)
        live.announce([r.account_id for r in rows], conversation.pk, "members")
    else:
        other = others[0]
        key = pair_key(actor, other)
        conversation, created = Conversation.objects.get_or_create(
            pair_key=key, defaults={"kind": ConversationKind.ONE_TO_ONE, "created_by": actor}
        )
        if created:
            pair = [
                Participant(conversation=conversation, account=actor, sort_key=conversation.pk),
                _participant_for(conversation, other, actor),
            ]
            Participant.objects.bulk_create(pair)
            _notify_requests(actor, pair)
        else:
            _reopen_one_to_one(actor, conversation)
    if text or media:
        send_message(actor, conversation, text=text, media=media)
    return conversation


def _reopen_one_to_one(actor: Account, conversation: Conversation) -> None:
    """A one-to-one conversation someone declined: reachable again (checked by the caller),
    so both are back in it; the one who declined gets it as a request again unless they are
    connected now."""
    rows = {p.account_id: p for p in Participant.objects.filter(conversation=conversation)}
    reopened = []
    for account_id, p in rows.items():
        if p.is_active and p.request_state != RequestState.DECLINED:
            continue
        p.state = ParticipantState.ACTIVE
        p.left_at = None
        if account_id == actor.pk:
            p.request_state = RequestState.ACCEPTED
        else:
            p.request_state = request_state_for(actor, p.account)
        p.save(update_fields=["state", "left_at", "request_state"])
        reopened.append(p)
    _notify_requests(actor, reopened)


# --- messages -------------------------------------------------------------------------------


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
    me = _my_participant(actor, conversation, lock=True)
    text = _clean_text(text, has_media=bool(media))
    _check_media(actor, media)
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
                _reopen_one_to_one(actor, conversation)
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
    live.announce(_active_ids(conversation), conversation.pk, "new", message.pk)
    return message


NO_RECIPIENT = "A direct message goes to the people it @mentions: mention someone."


def direct_recipients(sender: Account, text: str) -> list[Account]:
    """The accounts @mentioned in ``text`` (the sender left out; unknown names ignored):
    whom a direct message without a conversation goes to."""
    names = extract_mentions(text)
    if not names:
        return []
    found = Account.objects.annotate(lname=Lower("username")).filter(lname__in=names)
    return [a for a in found.order_by("pk") if a.pk != sender.pk]


@transaction.atomic
def send_direct(
    sender: Account,
    text: str,
    media: Sequence[MediaAttachment] = (),
    *,
    reply_to: Message | None = None,
) -> Message:
    """Send a "direct" status as a message, routed as Mastodon clients and the web composer
    expect: a reply to a message continues its conversation (the caller has checked that
    the sender can read ``reply_to``); otherwise the accounts @mentioned in ``text`` receive
    it — one person: the one-to-one conversation (new or existing); several: the newest
    unnamed group of exactly those people, or a new group. Requests, blocks, declines and
    limits apply as for :func:`start_conversation` and :func:`send_message`; nothing is
    written when it fails."""
    if reply_to is not None:
        conversation = reply_to.conversation
    else:
        others = direct_recipients(sender, text)
        if not others:
            raise ActionError(NO_RECIPIENT, field="text")
        existing = queries.group_with(sender, others) if len(others) > 1 else None
        if existing is not None:
            conversation = queries.get_conversation_for(sender, existing).conversation
        else:
            conversation = start_conversation(sender, others, group=len(others) > 1)
    return send_message(sender, conversation, text=text, media=media, reply_to=reply_to)


def _own_message(actor: Account, message: Message, what: str) -> None:
    if message.sender_id != actor.pk:
        raise NotAllowed(f"You can only {what} your own messages.")
    if message.is_deleted:
        raise ActionError("This message was deleted.")


@transaction.atomic
def edit_message(actor: Account, message: Message, text: str) -> Message:
    """Change the text of one's own message (within :data:`EDIT_WINDOW`)."""
    _my_participant(actor, message.conversation)
    _own_message(actor, message, "edit")
    _within_window(message, "edited")
    has_media = MessageMedia.objects.filter(message=message).exists()
    text = _clean_text(text, has_media=has_media)
    if text == message.text:
        return message
    usernames = Participant.objects.filter(conversation_id=message.conversation_id).values_list(
        "account__username", flat=True
    )
    message.text = text
    message.html = render(text, known_mentions={u.lower() for u in usernames}).html if text else ""
    message.edited_at = timezone.now()
    message.save(update_fields=["text", "html", "edited_at"])
    live.announce(_active_ids(message.conversation), message.conversation_id, "edit", message.pk)
    return message


@transaction.atomic
def delete_for_everyone(actor: Account, message: Message) -> None:
    """Delete one's own message for everyone (within :data:`EDIT_WINDOW`): its text, media
    and reactions go; a "message deleted" marker stays in the thread."""
    _my_participant(actor, message.conversation)
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
    live.announce(_active_ids(message.conversation), message.conversation_id, "delete", message.pk)


@transaction.atomic
def delete_for_me(actor: Account, message: Message) -> None:
    """Hide a message from one's own view of the thread (any message, any time)."""
    _my_participant(actor, message.conversation)
    MessageHiddenFor.objects.get_or_create(message=message, account=actor)
    live.announce([actor.pk], message.conversation_id, "hide", message.pk)


@transaction.atomic
def add_reaction(actor: Account, message: Message, emoji: str) -> bool:
    """React to a message with an emoji. False when that reaction was already there."""
    _my_participant(actor, message.conversation)
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
    live.announce(_active_ids(message.conversation), message.conversation_id, "react", message.pk)
    return True


@transaction.atomic
def remove_reaction(actor: Account, message: Message, emoji: str) -> bool:
    """Take back a reaction. False when there was none."""
    _my_participant(actor, message.conversation)
    deleted, _ = MessageReaction.objects.filter(
        message=message, account=actor, emoji=(emoji or "").strip()
    ).delete()
    if deleted:
        live.announce(
            _active_ids(message.conversation), message.conversation_id, "react", message.pk
        )
    return bool(deleted)


def toggle_reaction(actor: Account, message: Message, emoji: str) -> bool:
    """Add the reaction, or take it back if it is there. True when it is there now."""
    if MessageReaction.objects.filter(message=message, account=actor, emoji=emoji).exists():
        remove_reaction(actor, message, emoji)
        return False
    add_reaction(actor, message, emoji)
    return True


# --- requests, read state, mute, members ----------------------------------------------------


@transaction.atomic
def accept_request(actor: Account, conversation: Conversation) -> None:
    """Accept a message request: the conversation moves to the inbox."""
    me = _my_participant(actor, conversation, lock=True)
    if me.request_state == RequestState.ACCEPTED:
        return
    me.request_state = RequestState.ACCEPTED
    me.save(update_fields=["request_state"])
    live.announce([actor.pk], conversation.pk, "request")


@transaction.atomic
def decline_request(actor: Account, conversation: Conversation) -> None:
    """Decline a message request: leave the conversation, and refuse further messages (and
    group invitations) from whoever sent it until the two connect."""
    me = _my_participant(actor, conversation, lock=True)
    if not me.is_pending:
        raise ActionError("This conversation is not a message request.")
    if conversation.is_group:
        sender_id = me.added_by_id or conversation.created_by_id
    else:
        sender_id = (
            Participant.objects.filter(conversation=conversation)
            .exclude(account=actor)
            .values_list("account_id", flat=True)
            .first()
        )
    me.request_state = RequestState.DECLINED
    me.state = ParticipantState.LEFT
    me.left_at = timezone.now()
    me.unread_count = 0
    me.save(update_fields=["request_state", "state", "left_at", "unread_count"])
    if sender_id is not None and sender_id != actor.pk:
        DeclinedSender.objects.get_or_create(account=actor, sender_id=sender_id)
    live.announce([actor.pk], conversation.pk, "request")


@transaction.atomic
def mark_read(actor: Account, conversation: Conversation, up_to_id: int | None = None) -> bool:
    """Mark the conversation read (up to a message id, or all of it). True if it changed."""
    me = _my_participant(actor, conversation, lock=True)
    newest = Conversation.objects.filter(pk=conversation.pk).values_list(
        "last_message_id", flat=True
    )[0]
    if newest is None:
        return False
    up_to = newest if up_to_id is None else min(up_to_id, newest)
    if me.last_read_message_id is not None and up_to <= me.last_read_message_id:
        return False
    unread = 0
    if up_to < newest:
        unread = (
            Message.objects.filter(conversation=conversation, id__gt=up_to)
            .exclude(sender=actor)
            .count()
        )
    me.last_read_message_id = up_to
    me.unread_count = unread
    me.save(update_fields=["last_read_message_id", "unread_count"])
    live.announce(_active_ids(conversation), conversation.pk, "read", up_to)
    live.conversation_changed([actor.pk], conversation.pk)
    return True


@transaction.atomic
def set_muted(actor: Account, conversation: Conversation, muted: bool) -> None:
    """Mute (or unmute) a conversation: it stays in the inbox but adds nothing to the
    unread badge."""
    me = _my_participant(actor, conversation, lock=True)
    if me.muted != muted:
        me.muted = muted
        me.save(update_fields=["muted"])
        live.announce([actor.pk], conversation.pk, "mute")


@transaction.atomic
def hide(actor: Account, conversation: Conversation) -> None:
    """Remove a conversation from one's list (inbox or requests) until a new message
    arrives (Mastodon's "remove conversation"). Nothing is deleted, nothing is marked read
    (others' "seen" markers stay honest), it stops counting towards the unread badge, and
    nobody else notices; a group is not left (that is :func:`leave`)."""
    me = _my_participant(actor, conversation, lock=True)
    if me.hidden:
        return
    me.hidden = True
    me.save(update_fields=["hidden"])
    live.announce([actor.pk], conversation.pk, "hide_conversation")


@transaction.atomic
def leave(actor: Account, conversation: Conversation) -> None:
    """Leave a group conversation (its history goes with you). Ownership passes on to the
    longest-standing member."""
    me = _my_participant(actor, conversation, lock=True)
    if not conversation.is_group:
        raise ActionError("You can only leave group conversations.")
    people = _active_ids(conversation)
    me.state = ParticipantState.LEFT
    me.left_at = timezone.now()
    me.unread_count = 0
    was_owner = me.role == ParticipantRole.OWNER
    me.role = ParticipantRole.MEMBER
    me.save(update_fields=["state", "left_at", "unread_count", "role"])
    if was_owner:
        heir = (
            Participant.objects.filter(
                conversation=conversation,
                state=ParticipantState.ACTIVE,
                request_state=RequestState.ACCEPTED,
            )
            .order_by("joined_at", "pk")
            .first()
        )
        if heir is not None:
            heir.role = ParticipantRole.OWNER
            heir.save(update_fields=["role"])
    live.announce(people, conversation.pk, "members")


@transaction.atomic
def add_people(actor: Account, conversation: Conversation, accounts: Sequence[Account]) -> int:
    """Add people to a group conversation (members may; at most :data:`MAX_PARTICIPANTS`).
    Each new person gets it as a message request unless they know ``actor``. Returns how many
    were added."""
    me = _my_participant(actor, conversation, lock=True)
    if not conversation.is_group:
        raise ActionError("People can only be added to group conversations.", field="to")
    if me.is_pending:
        raise NotAllowed("Accept the conversation before adding people to it.")
    rows = {p.account_id: p for p in Participant.objects.filter(conversation=conversation)}
    new = [
        a
        for a in {a.pk: a for a in accounts}.values()
        if a.pk not in rows or not rows[a.pk].is_active
    ]
    if not new:
        raise ActionError("Those people are already in this conversation.", field="to")
    active = sum(1 for p in rows.values() if p.is_active)
    if active + len(new) > MAX_PARTICIPANTS:
        raise ActionError(
            f"A conversation can have at most {MAX_PARTICIPANTS} people "
            f"({active} now, {len(new)} to add).",
            field="to",
        )
    for account in new:
        check_reachable(actor, account)
    now = timezone.now()
    sort_key = conversation.last_message_id or conversation.pk
    added: list[Participant] = []
    for account in new:
        old = rows.get(account.pk)
        if old is None:
            p = _participant_for(conversation, account, actor)
            p.sort_key = sort_key
            p.last_read_message_id = conversation.last_message_id
            p.save()
            added.append(p)
            continue
        old.state = ParticipantState.ACTIVE
        old.role = ParticipantRole.MEMBER
        old.request_state = request_state_for(actor, account)
        old.added_by = actor
        old.joined_at = now
        old.left_at = None
        old.sort_key = sort_key
        old.last_read_message_id = conversation.last_message_id
        old.unread_count = 0
        old.save()
        added.append(old)
    _notify_requests(actor, added)
    live.announce([*rows, *(a.pk for a in new)], conversation.pk, "members")
    return len(new)


@transaction.atomic
def rename(actor: Account, conversation: Conversation, title: str) -> None:
    """Name (or rename) a group conversation."""
    me = _my_participant(actor, conversation)
    if not conversation.is_group:
        raise ActionError("Only group conversations have a name.", field="title")
    if me.is_pending:
        raise NotAllowed("Accept the conversation before renaming it.")
    conversation.title = _clean_title(title)
    conversation.save(update_fields=["title"])
    live.announce(_active_ids(conversation), conversation.pk, "members")
