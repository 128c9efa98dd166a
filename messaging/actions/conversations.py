"""Conversations: starting one (or finding the one a direct status goes to), one's own state
in it (read up to, muted, hidden) and its members (add, leave, rename).

Conversations hold at most :data:`~messaging.models.MAX_PARTICIPANTS` people; only groups can
be left. Starting a conversation with a first message sends it through
:mod:`messaging.actions.sending`, which is why :func:`send_direct` lives here, not there.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from accounts.models import Account
from messaging import live, queries
from messaging.actions.rules import (
    active_ids,
    check_media,
    check_reachable,
    clean_text,
    clean_title,
    my_participant,
    notify_requests,
    pair_key,
    participant_for,
    reopen_one_to_one,
    request_state_for,
)
from messaging.actions.sending import send_message
from messaging.models import (
    MAX_PARTICIPANTS,
    Conversation,
    ConversationKind,
    DeclinedSender,
    Message,
    Participant,
    ParticipantRole,
    ParticipantState,
    RequestState,
)
from plaza.errors import ActionError, NotAllowed
from posts.models import MediaAttachment
from posts.text import extract_mentions

NO_RECIPIENT = "A direct message goes to the people it @mentions: mention someone."


# --- starting conversations --------------------------------------------------------------------


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
    title = clean_title(title)
    is_group = group if group is not None else (len(others) > 1 or bool(title))
    if not is_group and len(others) > 1:
        raise ActionError("A one-to-one conversation has exactly one other person.", field="to")
    for other in others:
        check_reachable(actor, other)
    # Writing to someone you declined before ends that decline.
    DeclinedSender.objects.filter(account=actor, sender__in=[o.pk for o in others]).delete()
    if text or media:
        clean_text(text, has_media=bool(media))  # fail before anything is written
        check_media(actor, media)

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
            *(participant_for(conversation, o, actor) for o in others),
        ]
        Participant.objects.bulk_create(rows)
        notify_requests(actor, rows)
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
                participant_for(conversation, other, actor),
            ]
            Participant.objects.bulk_create(pair)
            notify_requests(actor, pair)
        else:
            reopen_one_to_one(actor, conversation)
    if text or media:
        send_message(actor, conversation, text=text, media=media)
    return conversation


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


# --- one's own state: read, muted, hidden --------------------------------------------------


def recount_unread(sender_id: int) -> int:
    """Count the unread messages again for everyone in a conversation where ``sender_id``
    wrote, leaving out messages of suspended accounts (which disappear for others, see
    :func:`messaging.queries._visible_messages`): after ``sender_id`` is suspended or the
    suspension lifted, the badges match what people can read. One statement; how many
    participants it went over."""
    unread = (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            id__gt=Coalesce(OuterRef("last_read_message_id"), 0),
        )
        .exclude(sender_id=OuterRef("account_id"))
        .exclude(sender_id__in=Account.objects.filter(suspended_at__isnull=False).values("pk"))
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    written_in = Message.objects.filter(sender_id=sender_id).values("conversation_id")
    return (
        Participant.objects.filter(conversation_id__in=written_in)
        .exclude(account_id=sender_id)
        .update(unread_count=Coalesce(Subquery(unread), 0))
    )


@transaction.atomic
def mark_read(actor: Account, conversation: Conversation, up_to_id: int | None = None) -> bool:
    """Mark the conversation read (up to a message id, or all of it). True if it changed."""
    me = my_participant(actor, conversation, lock=True)
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
    live.announce(active_ids(conversation), conversation.pk, "read", up_to)
    live.conversation_changed([actor.pk], conversation.pk)
    return True


@transaction.atomic
def set_muted(actor: Account, conversation: Conversation, muted: bool) -> None:
    """Mute (or unmute) a conversation: it stays in the inbox but adds nothing to the
    unread badge."""
    me = my_participant(actor, conversation, lock=True)
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
    me = my_participant(actor, conversation, lock=True)
    if me.hidden:
        return
    me.hidden = True
    me.save(update_fields=["hidden"])
    live.announce([actor.pk], conversation.pk, "hide_conversation")


# --- members ---------------------------------------------------------------------------------


@transaction.atomic
def leave(actor: Account, conversation: Conversation) -> None:
    """Leave a group conversation (its history goes with you). Ownership passes on to the
    longest-standing member."""
    me = my_participant(actor, conversation, lock=True)
    if not conversation.is_group:
        raise ActionError("You can only leave group conversations.")
    people = active_ids(conversation)
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
    me = my_participant(actor, conversation, lock=True)
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
            p = participant_for(conversation, account, actor)
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
    notify_requests(actor, added)
    live.announce([*rows, *(a.pk for a in new)], conversation.pk, "members")
    return len(new)


@transaction.atomic
def rename(actor: Account, conversation: Conversation, title: str) -> None:
    """Name (or rename) a group conversation."""
    me = my_participant(actor, conversation)
    if not conversation.is_group:
        raise ActionError("Only group conversations have a name.", field="title")
    if me.is_pending:
        raise NotAllowed("Accept the conversation before renaming it.")
    conversation.title = clean_title(title)
    conversation.save(update_fields=["title"])
    live.announce(active_ids(conversation), conversation.pk, "members")
