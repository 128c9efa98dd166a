"""Groups' write path: what a group's owner and moderators do to members (remove, ban,
roles, ownership) and to posts (pin, answered, remove), on the record (groups.audit)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from groups import audit
from groups.actions.common import (
    MAX_PINS,
    _count,
    _drop_member,
    _forget_group,
    _membership,
    _require_moderator,
    _require_owner,
)
from groups.models import (
    Group,
    GroupPin,
    Invitation,
    JoinRequest,
    Membership,
    MemberState,
    Role,
)
from plaza.errors import ActionError, NotAllowed, NotFound
from posts.models import GroupKind, Post

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
