"""Message requests: a conversation from someone one neither follows nor is connected to
waits in the requests list until accepted (replying accepts too, see
:func:`messaging.actions.send_message`) or declined.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from messaging import live
from messaging.actions.rules import my_participant
from messaging.models import (
    Conversation,
    DeclinedSender,
    Participant,
    ParticipantState,
    RequestState,
)
from plaza.errors import ActionError


@transaction.atomic
def accept_request(actor: Account, conversation: Conversation) -> None:
    """Accept a message request: the conversation moves to the inbox."""
    me = my_participant(actor, conversation, lock=True)
    if me.request_state == RequestState.ACCEPTED:
        return
    me.request_state = RequestState.ACCEPTED
    me.save(update_fields=["request_state"])
    live.announce([actor.pk], conversation.pk, "request")


@transaction.atomic
def decline_request(actor: Account, conversation: Conversation) -> None:
    """Decline a message request: leave the conversation, and refuse further messages (and
    group invitations) from whoever sent it until the two connect."""
    me = my_participant(actor, conversation, lock=True)
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
