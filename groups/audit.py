"""Group moderation on the record: what a group's moderators do to members and posts from the
group's own pages (ban, unban, remove a member, remove a post) becomes one entry of the
moderation audit log (:class:`moderation.models.ModerationAction`) — who, when, why, in which
group, to whom, and what was removed — written in the same transaction as the decision.

The group's moderators read these entries on ``/moderation/log``, which shows them the entries
of the groups they moderate (``group_id``); staff see them all.

:mod:`moderation.actions` is not used here: it imports :mod:`groups.actions` (a report's
"remove" in a group goes through :func:`groups.actions.remove_post`), and its log helper
requires a reason, which is optional for a group moderator.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Account
from groups.models import Group
from moderation.models import ActionKind, ModerationAction, TargetKind
from plaza.errors import ActionError
from posts.models import Post

MAX_REASON = 1000

KINDS: dict[str, str] = {
    "ban": ActionKind.GROUP_BAN,
    "unban": ActionKind.GROUP_UNBAN,
    "remove_member": ActionKind.GROUP_REMOVE,
    "remove_post": ActionKind.REMOVE_CONTENT,
}


def clean_reason(reason: str) -> str:
    """The reason as logged (optional, trimmed); ActionError when it is too long. Call it
    before changing anything, so a bad reason writes nothing."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ActionError(
            f"Keep the reason under {MAX_REASON:,} characters (it has {len(reason):,}).",
            field="reason",
        )
    return reason


def record_member_decision(
    actor: Account, group: Group, group_action: str, target_id: int, reason: str, **details: Any
) -> ModerationAction:
    """Log a ban, unban or removal of account ``target_id`` from ``group`` (inside the
    caller's transaction)."""
    return ModerationAction.objects.create(
        moderator=actor,
        action=KINDS[group_action],
        target_kind=TargetKind.ACCOUNT,
        target_id=target_id,
        target_account_id=target_id,
        group_id=group.pk,
        reason=reason,
        details={"group_action": group_action, "group": group.handle, **details},
    )


def record_post_removal(
    actor: Account, group: Group, post: Post, reason: str
) -> ModerationAction | None:
    """Log the removal of ``post`` (before deleting it: its text is kept for the record).

    A post removed by deciding a report is logged by :func:`moderation.actions.remove_content`
    before it gets here: it is not logged twice (a post is removed once).
    """
    already = ModerationAction.objects.filter(
        action=ActionKind.REMOVE_CONTENT, target_kind=TargetKind.POST, target_id=post.pk
    ).exists()
    if already:
        return None
    return ModerationAction.objects.create(
        moderator=actor,
        action=KINDS["remove_post"],
        target_kind=TargetKind.POST,
        target_id=post.pk,
        target_account_id=post.author_id,
        group_id=group.pk,
        reason=reason,
        details={
            "group_action": "remove_post",
            "group": group.handle,
            "text": post.text,
            "content_warning": post.content_warning,
            "group_kind": post.group_kind,
            "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
            "created_at": post.created_at.isoformat() if post.created_at else None,
        },
    )
