"""Groups' write path: creating and editing a group, joining it (requests, invitations),
leaving it, following it closely."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from django.db import IntegrityError, transaction

from accounts.models import Account
from groups.actions.common import (
    HANDLE_RE,
    MAX_ANSWER_CHARS,
    NOT_FOUND,
    RESERVED_HANDLES,
    _add_member,
    _check_policy,
    _clean_fields,
    _drop_member,
    _membership,
    _require_moderator,
    _require_owner,
    _store_cover,
)
from groups.models import (
    Group,
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
