"""Groups' write path: the rules and helpers the actions share (limits, membership reads,
counters, input cleaning)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.models import Account
from accounts.profile_images import process_header
from feeds.actions import add_group_posts, remove_group_posts
from groups.models import (
    Group,
    GroupVisibility,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
)
from notifications.models import Notification
from plaza.errors import ActionError, NotAllowed

HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{3,30}$")
TOPIC_RE = re.compile(r"^\w{1,50}$")
RESERVED_HANDLES = frozenset({"new", "admin", "api", "settings", "groups"})
MAX_TOPICS = 10
MAX_QUESTIONS = 5
MAX_QUESTION_CHARS = 300
MAX_ANSWER_CHARS = 1000
MAX_PINS = 3
NOT_FOUND = "This group does not exist or you can't see it."


# --- helpers -------------------------------------------------------------------------------


def _membership(group: Group, account: Account | int) -> Membership | None:
    return Membership.objects.filter(group=group, account=account).first()


def _require_moderator(actor: Account, group: Group) -> Membership:
    """The actor's membership, if they moderate *this* group; NotAllowed otherwise."""
    mine = _membership(group, actor)
    if mine is None or not mine.is_moderator:
        raise NotAllowed("Only this group's moderators can do that.")
    return mine


def _require_owner(actor: Account, group: Group) -> Membership:
    mine = _membership(group, actor)
    if mine is None or not mine.is_active or mine.role != Role.OWNER:
        raise NotAllowed("Only the group's owner can do that.")
    return mine


def _count(group: Group, delta: int) -> None:
    if delta > 0:
        Group.objects.filter(pk=group.pk).update(member_count=F("member_count") + delta)
    else:
        Group.objects.filter(pk=group.pk, member_count__gte=-delta).update(
            member_count=F("member_count") + delta
        )


def _add_member(group: Group, account: Account, role: str = Role.MEMBER) -> Membership:
    """Create an active membership (inside the caller's transaction) and deliver the group's
    recent threads to the new member's home feed after commit."""
    membership = Membership.objects.create(group=group, account=account, role=role)
    _count(group, 1)
    JoinRequest.objects.filter(group=group, account=account).delete()
    Invitation.objects.filter(group=group, account=account).delete()
    group_id, account_id = group.pk, account.pk
    transaction.on_commit(lambda: add_group_posts(account_id, group_id))
    return membership


def _drop_member(group: Group, membership: Membership) -> None:
    """Delete an active membership, fix the count and empty the home feed of the group."""
    membership.delete()
    _count(group, -1)
    _forget_group(membership.account_id, group)


def _forget_group(account_id: int, group: Group) -> None:
    """Someone is out of a group: its posts leave their home feed, and notifications about its
    posts go (the notification list shows excerpts). Public groups stay readable anyway."""
    remove_group_posts(account_id, group.pk)
    if group.visibility != GroupVisibility.PUBLIC:
        Notification.objects.filter(recipient_id=account_id, post__group=group).delete()


def _clean_topics(topics: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in topics:
        tag = raw.strip().lstrip("#").lower()
        if not tag:
            continue
        if not TOPIC_RE.match(tag):
            raise ActionError(
                f"“{raw.strip()[:60]}” isn't a topic: use letters, digits and underscores.",
                field="topics",
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TOPICS:
        raise ActionError(f"A group can have at most {MAX_TOPICS} topics.", field="topics")
    return cleaned


def _clean_questions(questions: Iterable[str]) -> list[str]:
    cleaned = [q.strip() for q in questions if q.strip()]
    if len(cleaned) > MAX_QUESTIONS:
        raise ActionError(f"Ask at most {MAX_QUESTIONS} questions.", field="questions")
    for q in cleaned:
        if len(q) > MAX_QUESTION_CHARS:
            raise ActionError(
                f"A question can have at most {MAX_QUESTION_CHARS} characters.", field="questions"
            )
    return cleaned


def _clean_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate group fields (only those present); raise ActionError on the first bad one."""
    out: dict[str, Any] = {}
    if "name" in values:
        name = str(values["name"]).strip()
        if not name:
            raise ActionError("Give the group a name.", field="name")
        if len(name) > 100:
            raise ActionError("A group name can have at most 100 characters.", field="name")
        out["name"] = name
    for key, limit in (("description", 2000), ("rules", 5000)):
        if key in values:
            text = str(values[key]).strip()
            if len(text) > limit:
                raise ActionError(f"The {key} can have at most {limit:,} characters.", field=key)
            out[key] = text
    if "visibility" in values:
        if values["visibility"] not in GroupVisibility.values:
            raise ActionError("Choose public, private or secret.", field="visibility")
        out["visibility"] = values["visibility"]
    if "join_policy" in values:
        if values["join_policy"] not in JoinPolicy.values:
            raise ActionError("Choose open, request to join or invite only.", field="join_policy")
        out["join_policy"] = values["join_policy"]
    if "topics" in values:
        out["topics"] = _clean_topics(values["topics"])
    if "questions" in values:
        out["questions"] = _clean_questions(values["questions"])
    return out


def _check_policy(visibility: str, join_policy: str) -> None:
    if visibility == GroupVisibility.SECRET and join_policy != JoinPolicy.INVITE:
        raise ActionError(
            "A secret group can only be joined by invitation: nobody else can find it.",
            field="join_policy",
        )


def _store_cover(group: Group, cover: IO[bytes]) -> None:
    try:
        processed = process_header(cover, account_id=group.pk)
    except ValidationError as error:
        messages = getattr(error, "message_dict", {}).get("header") or error.messages
        raise ActionError(" ".join(messages), field="cover")
    group.cover.save(processed.content.name or "cover.webp", processed.content, save=False)
