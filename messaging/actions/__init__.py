"""Direct messages: the only write path (start, send, edit, delete, react, requests, read...).

Rules every path shares (web, native API):

- Nobody can reach someone they block or who blocks them (:func:`check_reachable`).
- A message from someone the recipient is not connected to and does not follow lands in the
  recipient's **requests** (their participant row is ``pending``) until they accept it
  (replying accepts too). Declining leaves the conversation and refuses further messages and
  invitations from that person until the two connect.
- Landing in someone's requests (their participant row becomes ``pending``: a new
  conversation, a group they are added to, or a one-to-one they had declined, reopened) sends
  them one ``message_request`` notification (:func:`rules.notify_requests`); further messages
  in the same request add to its unread count, not to the notifications.
- Conversations hold at most :data:`MAX_PARTICIPANTS` people; only groups can be left.
- Edit and delete-for-everyone within :data:`EDIT_WINDOW`; delete-for-yourself any time.

Each action validates first and writes in one transaction; live events go out after commit
(:mod:`messaging.live`).

The actions live in modules by concern, and callers use them from here
(``from messaging import actions; actions.send_message(...)``):

- :mod:`.rules`: the shared checks and participant-row writes (reachability, requests,
  text, media); the bottom layer.
- :mod:`.sending`: send, edit, delete, react — messages in a conversation one is in.
- :mod:`.conversations`: start one, route a direct status, read/mute/hide, members.
- :mod:`.requests`: accept or decline a message request.
"""

from messaging.actions.conversations import (
    NO_RECIPIENT,
    add_people,
    direct_recipients,
    hide,
    leave,
    mark_read,
    recount_unread,
    rename,
    send_direct,
    set_muted,
    start_conversation,
)
from messaging.actions.requests import accept_request, decline_request
from messaging.actions.rules import (
    EDIT_WINDOW,
    MAX_IMAGES,
    MAX_REACTION_CHARS,
    MAX_REACTIONS_PER_PERSON,
    check_reachable,
    pair_key,
    request_state_for,
)
from messaging.actions.sending import (
    add_reaction,
    delete_for_everyone,
    delete_for_me,
    edit_message,
    remove_message,
    remove_reaction,
    send_message,
    toggle_reaction,
)
from messaging.models import MAX_PARTICIPANTS

__all__ = [
    "EDIT_WINDOW",
    "MAX_IMAGES",
    "MAX_PARTICIPANTS",
    "MAX_REACTIONS_PER_PERSON",
    "MAX_REACTION_CHARS",
    "NO_RECIPIENT",
    "accept_request",
    "add_people",
    "add_reaction",
    "check_reachable",
    "decline_request",
    "delete_for_everyone",
    "delete_for_me",
    "direct_recipients",
    "edit_message",
    "hide",
    "leave",
    "mark_read",
    "pair_key",
    "recount_unread",
    "remove_message",
    "remove_reaction",
    "rename",
    "request_state_for",
    "send_direct",
    "send_message",
    "set_muted",
    "start_conversation",
    "toggle_reaction",
]
