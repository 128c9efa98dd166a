"""The only write path for groups: creating and running them, and who belongs to them.

Every action takes the acting account first and checks, against the database, that the actor
may do it *in this group*: a moderator of one group has no power in another. Membership
changes keep ``Group.member_count`` with ``F()`` updates and keep home feeds in step (a person
who leaves or is banned loses the group's posts from their home feed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from accounts.profile_images import process_header
from feeds.actions import add_group_posts, remove_group_posts
from groups import audit
from groups.models import (
    Group,
    GroupPin,
    GroupVisibility,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    MemberState,
    Role,
)
from network.queries import is_blocked_either_way
from notifications.actions import notify
from notifications.models import Notification, NotificationKind
from plaza.errors import ActionError, NotAllowed, NotFound
from posts.models import GroupKind, Post

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


# --- creating and editing --------------------------------------------------------------------


def create_group(
    actor: Account,
    *,
    name: str,
    handle: str,
    description: str = "",
    topics: Sequence[str] = (),
    rules: str = "",
    visibility: str = GroupVisibility.PUBLIC,
    join_policy: str = JoinPolicy.OPEN,
    questions: Sequence[str] = (),
    cover: IO[bytes] | None = None,
) -> Group:
    """Create a group owned by ``actor`` (a person or an organization), who becomes its first
    member with the owner role."""
    handle = handle.strip().lstrip("@")
    if not HANDLE_RE.match(handle):
        raise ActionError("A handle has 3 to 30 letters, digits or underscores.", field="handle")
    if handle.lower() in RESERVED_HANDLES:
        raise ActionError("That handle is reserved.", field="handle")
    if Group.objects.filter(handle__iexact=handle).exists():
        raise ActionError("That handle is taken.", field="handle")
    fields = _clean_fields(
        {
            "name": name,
            "description": description,
            "rules": rules,
            "visibility": visibility,
            "join_policy": join_policy,
            "topics": topics,
            "questions": questions,
        }
    )
    _check_policy(fields["visibility"], fields["join_policy"])
    group = Group(handle=handle, owner=actor, **fields)
    if cover is not None:
        _store_cover(group, cover)
    try:
        with transaction.atomic():
            group.save()
            Membership.objects.create(group=group, account=actor, role=Role.OWNER)
            Group.objects.filter(pk=group.pk).update(member_count=1)
    except IntegrityError:
        raise ActionError("That handle is taken.", field="handle")
    group.member_count = 1
    return group


def update_group(
    actor: Account, group: Group, *, cover: IO[bytes] | None = None, **values: Any
) -> Group:
    """Change a group's profile (moderators), or its visibility and join policy (owner only).

    Accepts ``name``, ``description``, ``rules``, ``topics``, ``questions``, ``visibility``,
    ``join_policy``; fields left out keep their value. Nothing is saved if any is invalid.
    """
    _require_moderator(actor, group)
    unknown = set(values) - {
        "name",
        "description",
        "rules",
        "topics",
        "questions",
        "visibility",
        "join_policy",
    }
    if unknown:
        raise ActionError(f"Unknown field: {sorted(unknown)[0]}.")
    fields = _clean_fields(values)
    changes_access = any(
        k in fields and fields[k] != getattr(group, k) for k in ("visibility", "join_policy")
    )
    if changes_access:
        _require_owner(actor, group)
    _check_policy(
        fields.get("visibility", group.visibility), fields.get("join_policy", group.join_policy)
    )
    for key, value in fields.items():
        setattr(group, key, value)
    if cover is not None:
        _store_cover(group, cover)
    group.save()
    return group


def remove_cover(actor: Account, group: Group) -> None:
    """Take the cover image off (moderators)."""
    _require_moderator(actor, group)
    if group.cover:
        group.cover.delete(save=False)
    Group.objects.filter(pk=group.pk).update(cover="")
    group.cover = ""


def delete_group(actor: Account, group: Group) -> None:
    """Delete the group and everything posted in it (the owner only)."""
    _require_owner(actor, group)
    group.delete()


# --- joining -----------------------------------------------------------------------------------


def join(actor: Account, group: Group, *, answers: Sequence[str] = ()) -> str:
    """Join ``group``: ``"joined"`` (open group, or an invitation was waiting) or
    ``"requested"`` (the group reviews requests; ``answers`` answer its questions in order).

    Banned people can't join again; invite-only groups need an invitation; secret groups don't
    exist for anyone not invited.
    """
    mine = _membership(group, actor)
    invited = Invitation.objects.filter(group=group, account=actor).exists()
    if group.visibility == GroupVisibility.SECRET and mine is None and not invited:
        raise NotFound(NOT_FOUND)
    if mine is not None:
        if mine.state == MemberState.BANNED:
            raise NotAllowed("You can't join this group.")
        return "joined"
    if is_blocked_either_way(actor, group.owner_id):
        raise NotAllowed("You can't join this group.")
    if invited or group.join_policy == JoinPolicy.OPEN:
        with transaction.atomic():
            try:
                _add_member(group, actor)
            except IntegrityError:  # joined twice at once
                return "joined"
        return "joined"
    if group.join_policy == JoinPolicy.INVITE:
        raise NotAllowed("This group is invite only.")
    cleaned = _clean_answers(group, answers)
    if JoinRequest.objects.filter(group=group, account=actor).exists():
        return "requested"
    with transaction.atomic():
        try:
            JoinRequest.objects.create(group=group, account=actor, answers=cleaned)
        except IntegrityError:
            return "requested"
        for mod_id in _moderator_ids(group):
            _notify_group(mod_id, actor, NotificationKind.GROUP_JOIN_REQUEST, group)
    return "requested"


def _clean_answers(group: Group, answers: Sequence[str]) -> list[dict[str, str]]:
    questions = list(group.questions or [])
    given = [str(a).strip() for a in answers]
    if len(given) > len(questions):
        raise ActionError("There are more answers than questions.", field="answers")
    given += [""] * (len(questions) - len(given))
    for question, answer in zip(questions, given, strict=True):
        if not answer:
            raise ActionError(f"Please answer: {question}", field="answers")
        if len(answer) > MAX_ANSWER_CHARS:
            raise ActionError(
                f"An answer can have at most {MAX_ANSWER_CHARS:,} characters.", field="answers"
            )
    return [{"question": q, "answer": a} for q, a in zip(questions, given, strict=True)]


def _moderator_ids(group: Group) -> list[int]:
    return list(
        Membership.objects.filter(
            group=group, state=MemberState.ACTIVE, role__in=(Role.OWNER, Role.MODERATOR)
        ).values_list("account_id", flat=True)
    )


def _notify_group(recipient: int, actor: Account, kind: str, group: Group) -> None:
    notification = notify(recipient, actor, kind)
    if notification is not None:
        Notification.objects.filter(pk=notification.pk).update(group=group)


def cancel_request(actor: Account, group: Group) -> None:
    """Withdraw one's own request to join. Idempotent."""
    with transaction.atomic():
        JoinRequest.objects.filter(group=group, account=actor).delete()
        Notification.objects.filter(
            actor=actor, kind=NotificationKind.GROUP_JOIN_REQUEST, group=group
        ).delete()


def approve_request(actor: Account, group: Group, account: Account | int) -> Membership:
    """Let a requester in (moderators of *this* group)."""
    _require_moderator(actor, group)
    request = JoinRequest.objects.filter(group=group, account=account).select_related("account")
    found = request.first()
    if found is None:
        raise NotFound("There is no such request.")
    existing = _membership(group, found.account)
    if existing is not None:  # banned after asking, or let in another way meanwhile
        found.delete()
        if existing.state == MemberState.BANNED:
            raise NotAllowed("This person is banned from the group.")
        return existing
    with transaction.atomic():
        membership = _add_member(group, found.account)
        Notification.objects.filter(
            kind=NotificationKind.GROUP_JOIN_REQUEST, actor=found.account, group=group
        ).delete()
        _notify_group(found.account_id, actor, NotificationKind.GROUP_REQUEST_APPROVED, group)
    return membership


def decline_request(actor: Account, group: Group, account: Account | int) -> None:
    """Turn a request down (moderators of this group). The requester may ask again later."""
    _require_moderator(actor, group)
    with transaction.atomic():
        deleted, _ = JoinRequest.objects.filter(group=group, account=account).delete()
        if not deleted:
            raise NotFound("There is no such request.")
        Notification.objects.filter(
            kind=NotificationKind.GROUP_JOIN_REQUEST, actor=account, group=group
        ).delete()


def invite(actor: Account, group: Group, target: Account) -> Invitation:
    """Invite someone. Moderators may always; members too when the group isn't invite only."""
    mine = _membership(group, actor)
    if mine is None or not mine.is_active:
        raise NotAllowed("Only members can invite people to this group.")
    if group.join_policy == JoinPolicy.INVITE and not mine.is_moderator:
        raise NotAllowed("Only this group's moderators can invite people.")
    if target.pk == actor.pk or is_blocked_either_way(actor, target):
        raise NotFound("No such account.")
    theirs = _membership(group, target)
    if theirs is not None:
        if theirs.state == MemberState.BANNED:
            raise NotAllowed("This person is banned from the group.")
        raise ActionError("This person is already a member.")
    existing = Invitation.objects.filter(group=group, account=target).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        invitation = Invitation.objects.create(group=group, account=target, inviter=actor)
        _notify_group(target.pk, actor, NotificationKind.GROUP_INVITE, group)
    return invitation


def accept_invite(actor: Account, group: Group) -> Membership:
    """Join a group one was invited to."""
    if not Invitation.objects.filter(group=group, account=actor).exists():
        raise NotFound("You have no invitation to this group.")
    join(actor, group)
    membership = _membership(group, actor)
    assert membership is not None
    return membership


def decline_invite(actor: Account, group: Group) -> None:
    """Say no to an invitation. Idempotent."""
    with transaction.atomic():
        Invitation.objects.filter(group=group, account=actor).delete()
        Notification.objects.filter(
            recipient=actor, kind=NotificationKind.GROUP_INVITE, group=group
        ).delete()


def leave(actor: Account, group: Group) -> None:
    """Leave a group. The owner must hand the group over first."""
    mine = _membership(group, actor)
    if mine is None or not mine.is_active:
        return  # nothing to leave; a ban stays
    if mine.role == Role.OWNER:
        raise ActionError("Transfer ownership to another member before leaving.")
    with transaction.atomic():
        _drop_member(group, mine)


def set_follow_closely(actor: Account, group: Group, value: bool) -> None:
    """Be notified of every new post in the group (or stop)."""
    updated = Membership.objects.filter(
        group=group, account=actor, state=MemberState.ACTIVE
    ).update(follow_closely=value)
    if not updated:
        raise NotAllowed("Only members can follow a group closely.")


# --- moderating members -----------------------------------------------------------------------


def _target_membership(
    actor_membership: Membership, group: Group, target: Account | int
) -> Membership:
    theirs = _membership(group, target)
    if theirs is None:
        raise NotFound("This person is not a member of the group.")
    if theirs.role == Role.OWNER:
        raise NotAllowed("The owner can't be removed or banned.")
    if theirs.role == Role.MODERATOR and actor_membership.role != Role.OWNER:
        raise NotAllowed("Only the owner can remove or ban a moderator.")
    return theirs


def remove_member(actor: Account, group: Group, target: Account | int, *, reason: str = "") -> None:
    """Remove a member (moderators; moderators themselves only by the owner). They may join
    again by the usual rules. Logged in the moderation audit log with ``reason``."""
    mine = _require_moderator(actor, group)
    reason = audit.clean_reason(reason)
    theirs = _target_membership(mine, group, target)
    if theirs.state != MemberState.ACTIVE:
        raise NotFound("This person is not a member of the group.")
    with transaction.atomic():
        _drop_member(group, theirs)
        audit.record_member_decision(
            actor, group, "remove_member", theirs.account_id, reason, role=theirs.role
        )


def ban(actor: Account, group: Group, target: Account, *, reason: str = "") -> None:
    """Ban someone: out of the group, its posts out of their feeds, and no way back in until
    unbanned. Works for people who aren't members too. Logged in the moderation audit log
    with ``reason`` (banning someone already banned changes and logs nothing)."""
    mine = _require_moderator(actor, group)
    if target.pk == actor.pk:
        raise ActionError("You can't ban yourself.")
    reason = audit.clean_reason(reason)
    theirs = _membership(group, target)
    with transaction.atomic():
        if theirs is None:
            Membership.objects.create(
                group=group, account=target, role=Role.MEMBER, state=MemberState.BANNED
            )
        else:
            theirs = _target_membership(mine, group, target)
            if theirs.state == MemberState.BANNED:
                return
            Membership.objects.filter(pk=theirs.pk).update(
                state=MemberState.BANNED, role=Role.MEMBER, follow_closely=False
            )
            _count(group, -1)
            _forget_group(target.pk, group)
        JoinRequest.objects.filter(group=group, account=target).delete()
        Invitation.objects.filter(group=group, account=target).delete()
        audit.record_member_decision(
            actor, group, "ban", target.pk, reason, was_member=theirs is not None
        )


def unban(actor: Account, group: Group, target: Account | int, *, reason: str = "") -> None:
    """Lift a ban. The person is not a member again; they may join by the usual rules.
    Logged in the moderation audit log with ``reason`` (if there was a ban to lift)."""
    _require_moderator(actor, group)
    reason = audit.clean_reason(reason)
    target_id = target.pk if isinstance(target, Account) else target
    with transaction.atomic():
        lifted, _ = Membership.objects.filter(
            group=group, account=target_id, state=MemberState.BANNED
        ).delete()
        if lifted:
            audit.record_member_decision(actor, group, "unban", target_id, reason)


def promote(actor: Account, group: Group, target: Account | int) -> None:
    """Make a member a moderator (the owner only)."""
    _require_owner(actor, group)
    updated = Membership.objects.filter(
        group=group, account=target, state=MemberState.ACTIVE, role=Role.MEMBER
    ).update(role=Role.MODERATOR)
    if (
        not updated
        and not Membership.objects.filter(
            group=group, account=target, state=MemberState.ACTIVE, role=Role.MODERATOR
        ).exists()
    ):
        raise NotFound("This person is not a member of the group.")


def demote(actor: Account, group: Group, target: Account | int) -> None:
    """Make a moderator a plain member again (the owner only)."""
    _require_owner(actor, group)
    Membership.objects.filter(
        group=group, account=target, state=MemberState.ACTIVE, role=Role.MODERATOR
    ).update(role=Role.MEMBER)


def transfer_ownership(actor: Account, group: Group, target: Account) -> None:
    """Hand the group to another active member; the old owner stays on as a moderator."""
    mine = _require_owner(actor, group)
    theirs = _membership(group, target)
    if theirs is None or not theirs.is_active:
        raise ActionError("Ownership can only go to a member of the group.")
    if theirs.pk == mine.pk:
        return
    with transaction.atomic():
        Membership.objects.filter(pk=mine.pk).update(role=Role.MODERATOR)
        Membership.objects.filter(pk=theirs.pk).update(role=Role.OWNER)
        Group.objects.filter(pk=group.pk).update(owner=target)
    group.owner = target


# --- group posts ------------------------------------------------------------------------------


def _group_thread(group: Group, post: Post) -> Post:
    if post.group_id != group.pk or post.reshare_of_id is not None:
        raise NotFound("This post is not in this group.")
    return post


def pin_post(actor: Account, group: Group, post: Post) -> None:
    """Pin a thread to the top of the group feed (moderators; at most three pins)."""
    _require_moderator(actor, group)
    post = _group_thread(group, post)
    if post.in_reply_to_id is not None:
        raise ActionError("Only the first post of a thread can be pinned.")
    if GroupPin.objects.filter(group=group, post=post).exists():
        return
    if GroupPin.objects.filter(group=group).count() >= MAX_PINS:
        raise ActionError(f"A group can have at most {MAX_PINS} pinned posts. Unpin one first.")
    GroupPin.objects.get_or_create(group=group, post=post, defaults={"pinned_by": actor})


def unpin_post(actor: Account, group: Group, post: Post) -> None:
    """Take a pinned post off the top of the group feed (moderators)."""
    _require_moderator(actor, group)
    GroupPin.objects.filter(group=group, post=_group_thread(group, post)).delete()


def mark_answered(actor: Account, post: Post, *, answered: bool = True) -> Post:
    """Mark one's own question answered (or not answered any more)."""
    if post.group_id is None or post.group_kind != GroupKind.QUESTION:
        raise ActionError("Only questions in groups can be marked answered.")
    if post.author_id != actor.pk:
        raise NotAllowed("Only the person who asked can mark a question answered.")
    post.answered_at = timezone.now() if answered else None
    Post.objects.filter(pk=post.pk).update(answered_at=post.answered_at)
    return post


def remove_post(actor: Account, group: Group, post: Post, *, reason: str = "") -> None:
    """Delete a post of the group (its moderators; authors delete their own posts the usual
    way). Someone else's post is logged in the moderation audit log, with its text and
    ``reason``."""
    from posts.actions import delete

    _require_moderator(actor, group)
    reason = audit.clean_reason(reason)
    post = _group_thread(group, post)
    if post.author_id == actor.pk:
        delete(actor, post)
        return
    with transaction.atomic():
        audit.record_post_removal(actor, group, post, reason)
        # posts.actions.delete lets only authors and staff delete; the moderator acts for the
        # author here, after the check above.
        delete(post.author, post)
