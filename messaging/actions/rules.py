"""The rules every messaging action shares: who may reach whom, whether a message lands in
someone's requests, what a message, a title and its media may be, and the participant rows
those rules write (a new member, a declined one-to-one reopened).

The action modules build on these; nothing here is part of :mod:`messaging.actions`' public
surface except what its ``__init__`` re-exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from accounts.models import Account
from messaging.models import (
    MAX_MESSAGE_CHARS,
    MAX_TITLE_CHARS,
    Conversation,
    DeclinedSender,
    MessageMedia,
    Participant,
    ParticipantState,
    RequestState,
)
from network.queries import is_blocked_either_way, is_connected, is_following
from notifications.actions import notify
from notifications.models import NotificationKind
from plaza.errors import ActionError, NotAllowed, NotFound
from posts.models import MediaAttachment, MediaKind, MediaState

EDIT_WINDOW = timedelta(minutes=15)
MAX_IMAGES = 4
MAX_REACTION_CHARS = 16
MAX_REACTIONS_PER_PERSON = 5


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


def my_participant(
    actor: Account, conversation: Conversation, *, lock: bool = False
) -> Participant:
    """``actor``'s active, not declined row in ``conversation``; :class:`NotFound` otherwise
    (a conversation one is not in does not exist for them)."""
    qs = Participant.objects.filter(
        conversation=conversation, account=actor, state=ParticipantState.ACTIVE
    ).exclude(request_state=RequestState.DECLINED)
    if lock:
        qs = qs.select_for_update()
    me = qs.first()
    if me is None:
        raise NotFound("No such conversation.")
    return me


def active_ids(conversation: Conversation) -> list[int]:
    """The accounts in ``conversation`` now: whom its live events go to."""
    return list(
        Participant.objects.filter(
            conversation=conversation, state=ParticipantState.ACTIVE
        ).values_list("account_id", flat=True)
    )


def clean_text(text: str, *, has_media: bool) -> str:
    """A message's text, checked and stripped (empty only when media come with it)."""
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


def clean_title(title: str) -> str:
    """A group conversation's name, white space folded and checked."""
    title = " ".join((title or "").split())
    if len(title) > MAX_TITLE_CHARS:
        raise ActionError(
            f"A conversation name can have at most {MAX_TITLE_CHARS} characters.", field="title"
        )
    return title


def check_media(actor: Account, media: Sequence[MediaAttachment]) -> None:
    """Raise unless ``media`` are ``actor``'s own processed uploads, attached nowhere yet,
    and a combination a message may carry (up to 4 images, or one video or document)."""
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


def notify_requests(sender: Account, rows: Sequence[Participant]) -> None:
    """Tell the people whose rows just became ``pending`` that ``sender`` wrote to them
    (a message request), once per request. Called only where a row *becomes* pending, never
    per message. Suspended senders notify nobody; :func:`notifications.actions.notify`
    skips blocked and muted senders."""
    if sender.suspended_at is not None:
        return
    for row in rows:
        if row.request_state == RequestState.PENDING and row.account_id != sender.pk:
            notify(row.account_id, sender, NotificationKind.MESSAGE_REQUEST)


def participant_for(conversation: Conversation, account: Account, adder: Account) -> Participant:
    """A new (unsaved) row for ``account`` added by ``adder``: a request unless they know
    ``adder``."""
    return Participant(
        conversation=conversation,
        account=account,
        added_by=adder,
        request_state=request_state_for(adder, account),
        sort_key=conversation.pk,
    )


def reopen_one_to_one(actor: Account, conversation: Conversation) -> None:
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
    notify_requests(actor, reopened)
