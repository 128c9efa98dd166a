"""The only write path for groups: creating and running them, and who belongs to them.

Every action takes the acting account first and checks, against the database, that the actor
may do it *in this group*: a moderator of one group has no power in another. Membership
changes keep ``Group.member_count`` with ``F()`` updates and keep home feeds in step (a person
who leaves or is banned loses the group's posts from their home feed).

Parts: :mod:`groups.actions.managing` (create, edit, join, invite, leave),
:mod:`groups.actions.moderating` (members and posts), :mod:`groups.actions.common` (the
rules they share). Callers import from here.
"""

from groups.actions.common import (
    HANDLE_RE,
    MAX_ANSWER_CHARS,
    MAX_PINS,
    MAX_QUESTION_CHARS,
    MAX_QUESTIONS,
    MAX_TOPICS,
    NOT_FOUND,
    RESERVED_HANDLES,
    TOPIC_RE,
)
from groups.actions.managing import (
    accept_invite,
    approve_request,
    cancel_request,
    create_group,
    decline_invite,
    decline_request,
    delete_group,
    invite,
    join,
    leave,
    remove_cover,
    set_follow_closely,
    update_group,
)
from groups.actions.moderating import (
    ban,
    demote,
    mark_answered,
    pin_post,
    promote,
    remove_member,
    remove_post,
    transfer_ownership,
    unban,
    unpin_post,
)

__all__ = [
    "HANDLE_RE",
    "MAX_ANSWER_CHARS",
    "MAX_PINS",
    "MAX_QUESTIONS",
    "MAX_QUESTION_CHARS",
    "MAX_TOPICS",
    "NOT_FOUND",
    "RESERVED_HANDLES",
    "TOPIC_RE",
    "accept_invite",
    "approve_request",
    "ban",
    "cancel_request",
    "create_group",
    "decline_invite",
    "decline_request",
    "delete_group",
    "demote",
    "invite",
    "join",
    "leave",
    "mark_answered",
    "pin_post",
    "promote",
    "remove_cover",
    "remove_member",
    "remove_post",
    "set_follow_closely",
    "transfer_ownership",
    "unban",
    "unpin_post",
    "update_group",
]
