"""Reporting, and what moderators do about reports. The only write path of moderation.

Every moderator decision writes one :class:`ModerationAction` (who, what, to whom, why) in the
same transaction as the change itself, so the audit log cannot miss a decision or record one
that did not happen.

Who may do what (:func:`moderation.queries.can_act`): staff act on every report and account;
group moderators handle reports about content in the groups they moderate (remove it or
dismiss the report), never site-wide account sanctions.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from groups import actions as group_actions
from messaging import actions as messaging_actions
from messaging.models import Message
from moderation.models import ActionKind, Category, ModerationAction, Report, ReportStatus
from moderation.models import TargetKind as Kind
from moderation.queries import Target, allowed_resolutions, can_act, can_handle, is_staff
from notifications.models import Notification, NotificationKind
from plaza import events
from plaza.errors import ActionError, NotAllowed, NotFound
from posts import actions as post_actions
from posts.models import Post

MAX_COMMENT = 1000
MAX_REASON = 1000
# The decisions that close a report, and the status each leaves it in.
RESOLUTIONS = {
    ActionKind.REMOVE_CONTENT: ReportStatus.RESOLVED,
    ActionKind.WARN: ReportStatus.RESOLVED,
    ActionKind.LIMIT: ReportStatus.RESOLVED,
    ActionKind.SUSPEND: ReportStatus.RESOLVED,
    ActionKind.DISMISS: ReportStatus.DISMISSED,
}


_SELF: dict[str, str] = {
    Kind.GROUP: "You can't report a group you own.",
    Kind.MESSAGE: "You can't report your own message.",
}


# --- reporting ------------------------------------------------------------------------------


def report(reporter: Account, target: Target, *, category: str, comment: str = "") -> Report:
    """File a report. Reporting the same thing twice while the first report is open returns
    that report unchanged; nobody can report themselves."""
    if category not in Category.values:
        raise ActionError("Choose what kind of problem this is.", field="category")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ActionError(
            f"Keep the comment under {MAX_COMMENT} characters (it has {len(comment)}).",
            field="comment",
        )
    if target.account is not None and target.account.pk == reporter.pk:
        raise ActionError(_SELF.get(target.kind, "You can't report yourself."))
    existing = _open_report(reporter, target)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=reporter,
                target_kind=target.kind,
                target_id=target.id,
                target_account=target.account,
                group_id=target.group_id,
                post_ids=target.post_ids,
                snapshot=target.snapshot[:5000],
                context=target.context,
                category=category,
                comment=comment,
            )
    except IntegrityError:  # the same report sent twice at once: the other one won
        found = _open_report(reporter, target)
        if found is None:
            raise
        return found


def _open_report(reporter: Account, target: Target) -> Report | None:
    return Report.objects.filter(
        reporter=reporter, target_kind=target.kind, target_id=target.id, status=ReportStatus.OPEN
    ).first()


def assign(moderator: Account, report: Report) -> None:
    """Take an open report (so other moderators know someone is on it)."""
    _check_can_act(moderator, report)
    Report.objects.filter(pk=report.pk).update(assigned_to=moderator)
    report.assigned_to = moderator


# --- decisions on reports -------------------------------------------------------------------


def resolve(moderator: Account, report: Report, action: str, reason: str) -> ModerationAction:
    """Decide an open report: remove the content, warn, limit or suspend the account
    responsible, or dismiss. Other open reports about the same target are closed with it,
    and every reporter gets an outcome notice."""
    _check_can_act(moderator, report)
    if report.status != ReportStatus.OPEN:
        raise ActionError("This report has already been decided.")
    if action not in RESOLUTIONS:
        raise ActionError("Choose what to do about this report.", field="action")
    reason = _reason(reason)
    with transaction.atomic():
        if action == ActionKind.DISMISS:
            entry = _log(
                moderator,
                ActionKind.DISMISS,
                report.target_kind,
                report.target_id,
                report.target_account,
                reason,
                report=report,
                group_id=report.group_id,
            )
        elif action == ActionKind.REMOVE_CONTENT and report.target_kind == Kind.MESSAGE:
            entry = _remove_message(moderator, report, reason)
        elif action == ActionKind.REMOVE_CONTENT:
            if report.target_kind != Kind.POST:
                raise ActionError(
                    "Only posts and messages can be removed; warn, limit or suspend the "
                    "account responsible instead.",
                    field="action",
                )
            post = Post.objects.select_related("author__user").filter(pk=report.target_id).first()
            if post is None:
                raise ActionError("The post is already gone; dismiss the report instead.")
            entry = remove_content(moderator, post, reason, report=report)
        else:
            account = report.target_account
            if account is None:
                raise ActionError("The reported account no longer exists.")
            sanction = {ActionKind.WARN: warn, ActionKind.LIMIT: limit, ActionKind.SUSPEND: suspend}
            entry = sanction[ActionKind(action)](moderator, account, reason, report=report)
        _close(moderator, report, action)
    return entry


def _close(moderator: Account, report: Report, action: str) -> None:
    """Close ``report`` and the other open reports about the same target; notify reporters."""
    now = timezone.now()
    status = RESOLUTIONS[ActionKind(action)]
    same = Report.objects.filter(
        target_kind=report.target_kind, target_id=report.target_id, status=ReportStatus.OPEN
    )
    if not is_staff(moderator):  # a group moderator only closes their groups' reports
        same = same.filter(group_id=report.group_id)
    reporters = list(same.exclude(reporter=None).values_list("reporter_id", flat=True))
    same.update(status=status, resolved_at=now, resolved_by=moderator, outcome=action)
    report.status, report.resolved_at, report.resolved_by, report.outcome = (
        status,
        now,
        moderator,
        action,
    )
    for reporter_id in set(reporters):
        _notice(reporter_id, moderator, NotificationKind.REPORT_RESOLVED)


def _notice(recipient_id: int, moderator: Account, kind: str) -> None:
    # Not notifications.actions.notify: that drops notices between accounts that block each
    # other or are muted, and a moderation outcome must arrive whatever the recipient muted.
    if recipient_id == moderator.pk:
        return
    notification = Notification.objects.create(
        recipient_id=recipient_id, actor=moderator, kind=kind
    )
    events.notification_created(notification)


# --- decisions on accounts and content ------------------------------------------------------


def warn(
    moderator: Account, account: Account, reason: str, *, report: Report | None = None
) -> ModerationAction:
    """Warn ``account``: they get a notice, and the warning counts on their record."""
    _check_staff(moderator, account)
    reason = _reason(reason)
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(warnings_count=F("warnings_count") + 1)
        account.warnings_count += 1
        _notice(account.pk, moderator, NotificationKind.MODERATION_WARNING)
        return _log(
            moderator, ActionKind.WARN, Kind.ACCOUNT, account.pk, account, reason, report=report
        )


def limit(
    moderator: Account, account: Account, reason: str, *, report: Report | None = None
) -> ModerationAction:
    """Limit (silence) ``account``: their posts reach only their followers and connections,
    never the public and hashtag feeds."""
    _check_staff(moderator, account)
    reason = _reason(reason)
    if account.limited_at is not None:
        raise ActionError(f"@{account.username} is already limited.")
    with transaction.atomic():
        account.limited_at = timezone.now()
        Account.objects.filter(pk=account.pk).update(limited_at=account.limited_at)
        return _log(
            moderator, ActionKind.LIMIT, Kind.ACCOUNT, account.pk, account, reason, report=report
        )


def unlimit(moderator: Account, account: Account, reason: str) -> ModerationAction:
    """Lift a limit."""
    _check_staff(moderator, account)
    reason = _reason(reason)
    if account.limited_at is None:
        raise ActionError(f"@{account.username} is not limited.")
    with transaction.atomic():
        account.limited_at = None
        Account.objects.filter(pk=account.pk).update(limited_at=None)
        return _log(moderator, ActionKind.UNLIMIT, Kind.ACCOUNT, account.pk, account, reason)


def suspend(
    moderator: Account, account: Account, reason: str, *, report: Report | None = None
) -> ModerationAction:
    """Suspend ``account``: the login is disabled (so are its sessions and API tokens, which
    check ``is_active``), and everything it posted disappears for everyone else."""
    _check_staff(moderator, account)
    reason = _reason(reason)
    if account.user.is_staff:
        raise NotAllowed("Staff accounts can't be suspended here; use the Django admin.")
    if account.suspended_at is not None:
        raise ActionError(f"@{account.username} is already suspended.")
    with transaction.atomic():
        account.suspended_at = timezone.now()
        Account.objects.filter(pk=account.pk).update(suspended_at=account.suspended_at)
        account.user.is_active = False
        account.user.save(update_fields=["is_active"])
        messaging_actions.recount_unread(account.pk)  # its messages no longer count as unread
        return _log(
            moderator, ActionKind.SUSPEND, Kind.ACCOUNT, account.pk, account, reason, report=report
        )


def unsuspend(moderator: Account, account: Account, reason: str) -> ModerationAction:
    """Lift a suspension: the login works again and the posts come back."""
    _check_staff(moderator, account)
    reason = _reason(reason)
    if account.suspended_at is None:
        raise ActionError(f"@{account.username} is not suspended.")
    with transaction.atomic():
        account.suspended_at = None
        Account.objects.filter(pk=account.pk).update(suspended_at=None)
        account.user.is_active = True
        account.user.save(update_fields=["is_active"])
        messaging_actions.recount_unread(account.pk)  # its messages are back, unread again
        return _log(moderator, ActionKind.UNSUSPEND, Kind.ACCOUNT, account.pk, account, reason)


def remove_content(
    moderator: Account, post: Post, reason: str, *, report: Report | None = None
) -> ModerationAction:
    """Delete ``post`` for a rule it broke, keeping its text in the audit log."""
    group_id = getattr(post, "group_id", None)
    if not can_act(moderator, group_id=group_id):
        raise NotFound("No such post to moderate.")
    reason = _reason(reason)
    details: dict[str, Any] = {
        "text": post.text,
        "content_warning": post.content_warning,
        "visibility": post.visibility,
        "created_at": post.created_at.isoformat() if post.created_at else None,
    }
    with transaction.atomic():
        entry = _log(
            moderator,
            ActionKind.REMOVE_CONTENT,
            Kind.POST,
            post.pk,
            post.author,
            reason,
            report=report,
            group_id=group_id,
            details=details,
        )
        if is_staff(moderator):
            post_actions.delete(moderator, post)
        else:
            _remove_group_post(moderator, post)
    return entry


def _remove_group_post(moderator: Account, post: Post) -> None:
    # Group moderators may remove posts in their group; the groups app owns that write.
    if post.group is None:  # can_act() lets only staff act on posts outside groups
        raise NotFound("No such post to moderate.")
    group_actions.remove_post(moderator, post.group, post)


def _remove_message(moderator: Account, report: Report, reason: str) -> ModerationAction:
    """Delete a reported message for everyone (staff only: message reports never reach
    group moderators)."""
    if not is_staff(moderator):
        raise NotFound("No such report.")
    message = Message.objects.filter(pk=report.target_id).first()
    if message is None or message.is_deleted:
        raise ActionError("The message is already gone; dismiss the report instead.")
    entry = _log(
        moderator,
        ActionKind.REMOVE_CONTENT,
        Kind.MESSAGE,
        message.pk,
        report.target_account,
        reason,
        report=report,
        details={"text": message.text, "created_at": message.created_at.isoformat()},
    )
    messaging_actions.remove_message(moderator, message)
    return entry


# --- the moderators' API ---------------------------------------------------------------------

# The account sanctions staff take from an account's record (not from a report).
ACCOUNT_ACTIONS = (
    ActionKind.WARN,
    ActionKind.LIMIT,
    ActionKind.UNLIMIT,
    ActionKind.SUSPEND,
    ActionKind.UNSUSPEND,
)


def claim(moderator: Account, report: Report) -> None:
    """Assign an open report to ``moderator`` (:func:`assign`); a decided report can't be
    taken any more (the web page offers "Assign to me" only while the report is open)."""
    _check_can_act(moderator, report)
    if report.status != ReportStatus.OPEN:
        raise ActionError("This report has already been decided.")
    assign(moderator, report)


def decide(moderator: Account, report: Report, action: str, reason: str) -> ModerationAction:
    """:func:`resolve`, with the choices of the web decision form enforced: a group moderator
    may only remove the content or dismiss (403 for an account sanction), and content can
    only be removed from a post or a message (422). Nothing is written when refused."""
    _check_can_act(moderator, report)
    allowed = allowed_resolutions(moderator, report.target_kind)
    if action not in allowed:
        if action in RESOLUTIONS and action != ActionKind.REMOVE_CONTENT:
            raise NotAllowed(
                "Group moderators can remove content or dismiss a report; warnings, limits "
                "and suspensions are for staff."
            )
        raise ActionError(f"Choose one of: {', '.join(str(a) for a in allowed)}.", field="action")
    with transaction.atomic():
        # Two moderators deciding the same report at once: the second waits for the first,
        # then finds it decided, instead of recording a second decision.
        status = (
            Report.objects.select_for_update()
            .filter(pk=report.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status is None:
            raise NotFound("No such report.")
        report.status = status
        return resolve(moderator, report, action, reason)


def act_on_account(
    moderator: Account, account: Account, action: str, reason: str
) -> ModerationAction:
    """Warn, limit, lift a limit, suspend or lift a suspension of ``account`` (staff only),
    as the account's moderation page does."""
    do = {
        ActionKind.WARN: warn,
        ActionKind.LIMIT: limit,
        ActionKind.UNLIMIT: unlimit,
        ActionKind.SUSPEND: suspend,
        ActionKind.UNSUSPEND: unsuspend,
    }
    if action not in do:
        raise ActionError(
            f"Choose one of: {', '.join(str(a) for a in ACCOUNT_ACTIONS)}.", field="action"
        )
    return do[ActionKind(action)](moderator, account, reason)


# --- helpers --------------------------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("Say why: the reason goes into the audit log.", field="reason")
    if len(reason) > MAX_REASON:
        raise ActionError(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    return reason


def _check_can_act(moderator: Account, report: Report) -> None:
    if not can_handle(moderator, report):
        raise NotFound("No such report.")


def _check_staff(moderator: Account, account: Account) -> None:
    if not is_staff(moderator):
        raise NotAllowed("Only staff can act on accounts.")
    if account.pk == moderator.pk:
        raise ActionError("You can't moderate your own account.")


def _log(
    moderator: Account,
    action: str,
    target_kind: str,
    target_id: int,
    target_account: Account | None,
    reason: str,
    *,
    report: Report | None = None,
    group_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> ModerationAction:
    return ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        target_account=target_account,
        group_id=group_id,
        report=report,
        reason=_reason(reason),
        details=details or {},
    )
