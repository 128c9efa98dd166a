"""Live message events: what a participant's open pages hear about right away.

Every change in a conversation is published after commit on the bus (:mod:`plaza.events`)
to the ``messages:<account id>`` stream of each participant, as
``{"conversation": "<id>", "message": "<id>" | null, "action": ...}`` (ids as strings: they
exceed JavaScript's safe integers). Payloads name what changed, never its content: the
listening page fetches the HTML through the ordinary, permission-checked views, so an event
can never show anything its receiver may not read.

Actions: ``new`` (a message), ``edit``, ``delete`` (for everyone), ``hide`` (deleted for
yourself: only your own streams), ``react``, ``read`` (someone's read marker moved),
``request`` (accepted/declined), ``members`` (joined, left, added), ``mute``.
"""

from __future__ import annotations

from collections.abc import Iterable

from plaza import events

EVENT = "message"


def stream(account_id: int) -> str:
    """The bus stream of one account's message events."""
    return f"messages:{account_id}"


def announce(
    account_ids: Iterable[int], conversation_id: int, action: str, message_id: int | None = None
) -> None:
    """After the current transaction commits, tell ``account_ids`` what changed."""
    streams = [stream(a) for a in dict.fromkeys(account_ids)]
    payload = {
        "conversation": str(conversation_id),
        "message": str(message_id) if message_id is not None else None,
        "action": action,
    }
    events.on_commit(lambda: events.publish(streams, EVENT, payload))
