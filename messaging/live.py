"""Live message events: what a participant's open pages hear about right away.

Every change in a conversation is published after commit on the bus (:mod:`plaza.events`)
to the ``messages:<account id>`` stream of each participant, as
``{"conversation": "<id>", "message": "<id>" | null, "action": ...}`` (ids as strings: they
exceed JavaScript's safe integers). Payloads name what changed, never its content: the
listening page fetches the HTML through the ordinary, permission-checked views, so an event
can never show anything its receiver may not read.

Actions: ``new`` (a message), ``edit``, ``delete`` (for everyone), ``hide`` (deleted for
yourself: only your own streams), ``react``, ``read`` (someone's read marker moved),
``request`` (accepted/declined), ``members`` (joined, left, added), ``mute``,
``hide_conversation`` (removed from the list: only your own streams).

The Mastodon streaming API's ``direct`` stream hears about conversations too: when a message
arrives, changes or goes (and when its reader marks a conversation read) each participant
concerned gets a ``conversation`` event ``{"conversation": "<id>"}`` on their
``direct:<account id>`` stream (:func:`conversation_changed`); the streaming connection
renders the Conversation entity for its own viewer (:mod:`mastodon.entities.messages`).
"""

from __future__ import annotations

from collections.abc import Iterable

from plaza import events

EVENT = "message"
DIRECT_EVENT = "conversation"
# Mastodon's direct stream for a conversation's last status: what a new message, an edit or a
# delete-for-everyone changes, and a read marker (for its reader).
DIRECT_ACTIONS = frozenset({"new", "edit", "delete"})


def stream(account_id: int) -> str:
    """The bus stream of one account's message events."""
    return f"messages:{account_id}"


def announce(
    account_ids: Iterable[int], conversation_id: int, action: str, message_id: int | None = None
) -> None:
    """After the current transaction commits, tell ``account_ids`` what changed."""
    ids = list(dict.fromkeys(account_ids))
    streams = [stream(a) for a in ids]
    payload = {
        "conversation": str(conversation_id),
        "message": str(message_id) if message_id is not None else None,
        "action": action,
    }
    events.on_commit(lambda: events.publish(streams, EVENT, payload))
    if action in DIRECT_ACTIONS:
        conversation_changed(ids, conversation_id)


def direct_stream(account_id: int) -> str:
    """The bus stream of one account's Mastodon ``direct`` events."""
    return f"direct:{account_id}"


def conversation_changed(account_ids: Iterable[int], conversation_id: int) -> None:
    """After commit, tell ``account_ids``' Mastodon ``direct`` streams that the conversation
    (its last status, its unread state) changed."""
    streams = [direct_stream(a) for a in dict.fromkeys(account_ids)]
    payload = {"conversation": str(conversation_id)}
    events.on_commit(lambda: events.publish(streams, DIRECT_EVENT, payload))
