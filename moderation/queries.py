"""Moderation reads, scoped by who is asking.

Staff (``user.is_staff``) see every report and the whole audit log. Group moderators (owners
and moderators of a group, :func:`moderated_group_ids`) see the reports about content in their
groups and the log entries of those groups. Everyone else sees nothing: the pages answer 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, prefetch_related_objects

from accounts.models import Account
from moderation.models import ActionKind, ModerationAction, Report, ReportStatus, TargetKind
from plaza.errors import ActionError, NotFound
from plaza.ids import is_digits
from posts.models import Post
from posts.queries import Page, get_post_for, with_related

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
HISTORY = 10
# How many earlier messages of the conversation a message report keeps as context.
MESSAGE_CONTEXT = 5


def is_staff(account: Account | None) -> bool:
    return account is not None and account.user.is_active and account.user.is_staff


def moderated_group_ids(account: Account | None) -> list[int]:
    """The groups ``account`` owns or moderates (empty until the groups app is there)."""
    if account is None:
        return []
    try:
        from groups.models import Membership, MemberState, Role
    except ImportError:  # pragma: no cover - the groups app lands separately
        return []
    return list(
        Membership.objects.filter(
            account=account, state=MemberState.ACTIVE, role__in=(Role.OWNER, Role.MODERATOR)
        ).values_list("group_id", flat=True)
    )


def is_moderator(account: Account | None) -> bool:
    """Whether ``account`` may open the moderation queue at all."""
    return is_staff(account) or bool(moderated_group_ids(account))


def can_act(moderator: Account, *, group_id: int | None) -> bool:
    """Whether ``moderator`` may handle a report or content in ``group_id`` (None: outside
    any group, which only staff handle)."""
    if is_staff(moderator):
        return True
    return group_id is not None and group_id in moderated_group_ids(moderator)


def _group_staff(group_ids: Sequence[int]) -> QuerySet[Any]:
    """The owners and moderators of these groups (a subquery)."""
    from groups.models import Membership, MemberState, Role

    return Membership.objects.filter(
        group_id__in=group_ids, state=MemberState.ACTIVE, role__in=(Role.OWNER, Role.MODERATOR)
    ).values("account_id")


def _scope(moderator: Account) -> Q:
    """The reports ``moderator`` may see and decide: all for staff; for a group's
    moderators, those about content in their groups — except reports about the group's own
    owner and moderators (themselves included), which go to staff alone: nobody judges a
    report about themselves or a fellow moderator, nor learns who filed it."""
    if is_staff(moderator):
        return Q()
    groups = moderated_group_ids(moderator)
    return Q(group_id__in=groups) & ~Q(target_account_id__in=_group_staff(groups))


def can_handle(moderator: Account, report: Report) -> bool:
    """Whether ``report`` is within ``moderator``'s :func:`_scope`."""
    if is_staff(moderator):
        return True
    if report.group_id is None or report.group_id not in moderated_group_ids(moderator):
        return False
    return (
        report.target_account_id is None
        or not _group_staff([report.group_id]).filter(account_id=report.target_account_id).exists()
    )


# --- the queue ------------------------------------------------------------------------------


def reports_page(
    moderator: Account,
    *,
    status: str = ReportStatus.OPEN,
    max_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Report]:
    """Reports ``moderator`` may handle, newest first, keyset-paginated by id. Open reports
    by default; ``status`` "all" for every one. A fixed number of queries per page."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = Report.objects.filter(_scope(moderator))
    if status != "all":
        qs = qs.filter(status=status)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    rows = list(
        qs.select_related("reporter", "target_account", "assigned_to").order_by("-id")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].pk if more and rows else None)


def open_count(moderator: Account) -> int:
    return Report.objects.filter(_scope(moderator), status=ReportStatus.OPEN).count()


def get_report_for(moderator: Account, report_id: int | str) -> Report:
    """The report, if ``moderator`` may handle it; :class:`NotFound` otherwise."""
    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        raise NotFound("No such report.")
    report = (
        Report.objects.filter(_scope(moderator), pk=pk)
        .select_related("reporter", "target_account__user", "assigned_to", "resolved_by")
        .first()
    )
    if report is None:
        raise NotFound("No such report.")
    return report


def reported_posts(reports: Sequence[Report]) -> dict[int, Post]:
    """The posts the reports are about that still exist, loaded for cards (fixed queries).

    Moderators see a reported post whatever its visibility: judging it is their job.
    """
    ids = {r.target_id for r in reports if r.target_kind == TargetKind.POST}
    ids |= {int(pid) for r in reports for pid in r.post_ids}
    if not ids:
        return {}
    return {p.pk: p for p in with_related(Post.objects.filter(pk__in=ids))}


@dataclass
class ReportContext:
    report: Report
    post: Post | None  # the reported post, if it still exists
    evidence: list[Post]  # other attached posts still there
    history: list[ModerationAction]  # earlier decisions about the account responsible
    other_reports: int  # other open reports about the same account
    # A message report: the reported message and the few before it, as the reporter saw
    # them (oldest first; the reported one has ``"reported": True``).
    messages: list[dict[str, Any]] = field(default_factory=list)
    # A group report: the group, if it still exists.
    group: Any = None


def report_context(report: Report) -> ReportContext:
    """What a moderator needs to decide: the content, and the account's record.

    A message's conversation is shown only here, to staff: message and group reports carry
    no group id, so group moderators never get them (:func:`_scope`)."""
    posts = reported_posts([report])
    post = posts.get(report.target_id) if report.target_kind == TargetKind.POST else None
    evidence = [posts[int(pid)] for pid in report.post_ids if int(pid) in posts]
    evidence = [p for p in evidence if post is None or p.pk != post.pk]
    history: list[ModerationAction] = []
    others = 0
    if report.target_account_id is not None:
        history = list(
            ModerationAction.objects.filter(target_account_id=report.target_account_id)
            .select_related("moderator")
            .order_by("-id")[:HISTORY]
        )
        others = (
            Report.objects.filter(target_account_id=report.target_account_id, status="open")
            .exclude(pk=report.pk)
            .count()
        )
    messages = [
        {**row, "at": _parse_time(row.get("created_at"))}
        for row in (report.context.get("messages", []) if report.context else [])
    ]
    group = None
    if report.target_kind == TargetKind.GROUP:
        from groups.models import Group

        group = Group.objects.filter(pk=report.target_id).first()
    return ReportContext(report, post, evidence, history, others, messages, group)


def account_record(account: Account) -> list[ModerationAction]:
    """The latest decisions about ``account``, newest first."""
    return list(
        ModerationAction.objects.filter(target_account=account)
        .select_related("moderator")
        .order_by("-id")[:HISTORY]
    )


# --- the audit log --------------------------------------------------------------------------


def audit_log(
    moderator: Account, *, max_id: int | None = None, limit: int = DEFAULT_LIMIT
) -> Page[ModerationAction]:
    """Moderator decisions ``moderator`` may read, newest first (keyset, fixed queries)."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs: QuerySet[ModerationAction] = ModerationAction.objects.filter(_scope(moderator))
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    rows = list(
        qs.select_related("moderator", "target_account", "report").order_by("-id")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].pk if more and rows else None)


# --- report targets -------------------------------------------------------------------------


@dataclass
class Target:
    """What a report is about: kind and id, the account responsible, the group it lives in,
    what it said when reported, and posts attached as evidence."""

    kind: str
    id: int
    account: Account | None
    group_id: int | None = None
    snapshot: str = ""
    post_ids: list[int] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    # How the report page names it: "a post", "@ana", "the group Data Engineers"...
    label: str = ""


def target_for_post(reporter: Account, post_id: int | str) -> Target:
    """A post ``reporter`` can see, as a report target (:class:`NotFound` otherwise)."""
    post = get_post_for(reporter, post_id)
    shown = post.reshare_of if post.reshare_of_id and post.reshare_of else post
    return Target(
        kind=TargetKind.POST,
        id=shown.pk,
        account=shown.author,
        group_id=getattr(shown, "group_id", None),
        snapshot=shown.text,
        post_ids=[shown.pk],
        label=f"a post by @{shown.author.username}",
    )


def target_for_account(reporter: Account, account: Account, post_ids: Sequence[int] = ()) -> Target:
    """An account as a report target, with posts of theirs attached as evidence (only ones
    the reporter can see, and by that account: a report can't drag in someone else)."""
    from posts.queries import visible_posts

    found = list(
        visible_posts(reporter)
        .filter(pk__in=list(post_ids), author=account)
        .values_list("id", "text")[:20]
    )
    if len(found) == 1:
        pk, text = found[0]
        post = Post.objects.only("id").get(pk=pk)
        return Target(
            kind=TargetKind.POST,
            id=pk,
            account=account,
            group_id=getattr(post, "group_id", None),
            snapshot=text,
            post_ids=[pk],
            label=f"a post by @{account.username}",
        )
    return Target(
        kind=TargetKind.ACCOUNT,
        id=account.pk,
        account=account,
        snapshot="\n\n".join(text for _, text in found) or account.bio,
        post_ids=[pk for pk, _ in found],
        label=f"@{account.username}",
    )


def target_for_group(reporter: Account, group_id_or_handle: int | str) -> Target:
    """A group ``reporter`` may know exists, as a report target (:class:`NotFound` otherwise:
    a secret group they are not in is no group at all). The owner is the account
    responsible. Group reports carry no group id: they go to staff, never to the group's
    own moderators."""
    from groups.queries import get_group_by_id_for, get_group_for

    key = str(group_id_or_handle).strip().lstrip("!")
    if is_digits(key) and len(key) < 20:
        try:
            group = get_group_by_id_for(reporter, int(key))
        except NotFound:
            group = get_group_for(reporter, key)  # a handle made of digits
    else:
        group = get_group_for(reporter, key)
    snapshot = "\n\n".join(t for t in (group.description, group.rules) if t)
    return Target(
        kind=TargetKind.GROUP,
        id=group.pk,
        account=group.owner,
        snapshot=snapshot,
        context={"handle": group.handle, "name": group.name},
        label=f"the group {group.name}",
    )


def target_for_message(reporter: Account, message_id: int | str) -> Target:
    """A message in a conversation ``reporter`` takes part in, as a report target, with the
    few messages before it (as the reporter sees them) kept as context. :class:`NotFound`
    for a message of anyone else's conversation; :class:`ActionError` for one already
    deleted."""
    from messaging.queries import find_message, thread

    raw = str(message_id).strip()
    if not is_digits(raw) or len(raw) > 19:
        raise NotFound("No such message.")
    view, message = find_message(reporter, int(raw))
    if message.is_deleted:
        raise ActionError("This message was deleted; there is nothing left to report.")
    before = thread(reporter, view, max_id=message.pk, limit=MESSAGE_CONTEXT).items
    shown = [item.message for item in before]
    rows = [_message_row(m, reported=False) for m in shown]
    rows.append(_message_row(message, reported=True))
    return Target(
        kind=TargetKind.MESSAGE,
        id=message.pk,
        account=message.sender,
        snapshot=message.text,
        context={"conversation_id": str(view.conversation.pk), "messages": rows},
        label=f"a message from @{message.sender.username}",
    )


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _message_row(message: Any, *, reported: bool) -> dict[str, Any]:
    return {
        "id": str(message.pk),
        "sender": message.sender.username,
        "text": "" if message.is_deleted else message.text,
        "deleted": message.is_deleted,
        "created_at": message.created_at.isoformat(),
        "reported": reported,
    }


# What a reporter is told about the decision: whether something was done, not what the
# reported person was told privately (a warning stays between them and the moderators).
REPORTER_OUTCOMES = {
    "remove_content": "Removed: moderators took the content down.",
    "warn": "Action taken against the account responsible.",
    "limit": "Action taken against the account responsible.",
    "suspend": "Action taken against the account responsible.",
    "dismiss": "Reviewed: moderators found no rule broken.",
}


def outcome_for_reporter(report: Report) -> str:
    """The outcome of ``report`` in words its reporter may read ("" while still open)."""
    if report.status == ReportStatus.OPEN:
        return ""
    return REPORTER_OUTCOMES.get(report.outcome, "Reviewed by the moderators.")


def my_reports(
    reporter: Account, *, max_id: int | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Report]:
    """The reports ``reporter`` sent, newest first, with their status and outcome (keyset by
    id, one query). Nothing about who decided: reporters learn the outcome, not the
    moderator."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = Report.objects.filter(reporter=reporter)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    rows = list(qs.select_related("target_account").order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].pk if more and rows else None)


def reported_posts_for(target: Target) -> list[Post]:
    """The posts a report being written is about (already checked visible to the reporter)."""
    if not target.post_ids:
        return []
    found = {p.pk: p for p in with_related(Post.objects.filter(pk__in=target.post_ids))}
    return [found[pk] for pk in target.post_ids if pk in found]


def reports_about(moderator: Account, account: Account, *, limit: int = HISTORY) -> list[Report]:
    """The latest reports about ``account`` that ``moderator`` may see, newest first."""
    return list(
        Report.objects.filter(_scope(moderator), target_account=account)
        .select_related("reporter")
        .order_by("-id")[:limit]
    )


# --- for the moderators' API ----------------------------------------------------------------


def allowed_resolutions(moderator: Account, target_kind: str) -> list[str]:
    """The decisions ``moderator`` may take on a report about a ``target_kind``, as the web
    decision form offers them: content removal only for posts and messages (an account or a
    group is dealt with through the account responsible), account sanctions only for staff,
    dismissal always."""
    choices: list[str] = []
    if target_kind in (TargetKind.POST, TargetKind.MESSAGE):
        choices.append(ActionKind.REMOVE_CONTENT)
    if is_staff(moderator):
        choices += [ActionKind.WARN, ActionKind.LIMIT, ActionKind.SUSPEND]
    choices.append(ActionKind.DISMISS)
    return choices


def load_deciders(reports: Sequence[Report]) -> None:
    """Attach who decided each report (``resolved_by``), in one query whatever their number:
    :func:`reports_page` loads the reporter, the account responsible and the assignee only."""
    prefetch_related_objects(list(reports), "resolved_by")


def report_actions(report: Report) -> list[ModerationAction]:
    """The decisions recorded about ``report`` itself, oldest first (one query)."""
    return list(
        ModerationAction.objects.filter(report=report)
        .select_related("moderator", "target_account")
        .order_by("id")
    )
