"""Native API: sending a report and reading one's own reports with their outcomes; and the
moderators' side of it, under ``/moderation/...``.

The moderators' endpoints do what the web moderation pages (:mod:`moderation.views`) do, with
the same rules, because they call the same queries and actions:

- ``GET /moderation/reports`` (the queue, ``status`` open/resolved/dismissed/all, keyset by
  ``max_id``), ``GET /moderation/reports/{id}`` (one report with its context: the reported
  post(s) or message and the messages before it, the account responsible and its record,
  the decisions already taken, and ``allowed_actions``), ``POST .../assign`` and
  ``POST .../resolve`` (``{action, reason}``: remove_content, warn, limit, suspend or dismiss).
- ``GET /moderation/accounts/{id}`` and ``POST /moderation/accounts/{id}/actions``
  (``{action, reason}``: warn, limit, unlimit, suspend, unsuspend): staff only.
- ``GET /moderation/log``: the audit log.

Who sees what is :mod:`moderation.queries`' scope: staff everything; a group moderator only
the reports about content in the groups they moderate and those groups' log entries, and may
only remove that content or dismiss. A token needs Mastodon's admin scopes
(``admin:read:reports`` / ``admin:write:reports`` for reports and the log,
``admin:read:accounts`` / ``admin:write:accounts`` for accounts; ``admin:read`` and
``admin:write`` cover them); plain ``read``/``write`` do not. Refusals: someone who is not a
moderator gets 403 on every endpoint (they are documented in the schema, so there is nothing
to hide, unlike the web pages, which answer 404), as does a group moderator on the staff-only
account endpoints or asking for an account sanction; a report outside one's scope is a 404,
as on the web; bad input (no reason, a decision that does not fit, a report already decided)
is a 422 and writes nothing. Every decision is in the audit log with who and why, and
reporters get the same outcome notice as when deciding on the web.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError

from accounts.api import AccountOut, lookup_account, to_account
from accounts.models import Account
from mastodon import scopes as scope_rules
from mastodon.api import authenticate
from moderation import actions, queries
from moderation.models import ModerationAction, Report
from moderation.queries import (
    target_for_account,
    target_for_group,
    target_for_message,
    target_for_post,
)
from network.queries import blocker_ids
from plaza import ratelimit
from plaza.api import (
    ERRORS,
    SAFE_METHODS,
    InputSchema,
    TokenAuth,
    account_of,
    page_key,
    parse_id,
)
from plaza.errors import ActionError, NotAllowed, NotFound
from posts.schemas import PostOut, to_posts

router: Router = Router(auth=TokenAuth("reports"))

CategoryName = Literal["spam", "harassment", "hate", "violence", "misinformation", "other"]


class ReportIn(InputSchema):
    account_id: str | None = Field(None, description="The account to report")
    post_id: str | None = Field(None, description="The post to report (instead of an account)")
    message_id: str | None = Field(
        None, description="A message of a conversation you are in (GET /conversations/...)"
    )
    group_id: str | None = Field(None, description="The group to report (its id or handle)")
    post_ids: list[str] = Field(
        default_factory=list, description="Posts of the account attached as evidence", max_length=20
    )
    category: CategoryName
    comment: str = Field("", max_length=actions.MAX_COMMENT)


class ReportOut(Schema):
    id: str
    target_kind: Literal["post", "account", "group", "message"]
    target_id: str
    category: CategoryName
    comment: str
    status: Literal["open", "resolved", "dismissed"]
    outcome: str = Field(description="What was decided, in words for the reporter ('' if open)")
    created_at: datetime
    resolved_at: datetime | None = None


class ReportPageOut(Schema):
    items: list[ReportOut]
    next_max_id: str | None


class ReportsIn(Schema):
    max_id: str | None = None
    limit: int = Field(queries.DEFAULT_LIMIT, ge=1, le=queries.MAX_LIMIT)


def to_report(report: Report) -> ReportOut:
    return ReportOut(
        id=str(report.pk),
        target_kind=report.target_kind,  # type: ignore[arg-type]
        target_id=str(report.target_id),
        category=report.category,  # type: ignore[arg-type]
        comment=report.comment,
        status=report.status,  # type: ignore[arg-type]
        outcome=queries.outcome_for_reporter(report),
        created_at=report.created_at,
        resolved_at=report.resolved_at,
    )


@router.post(
    "/reports",
    response={201: ReportOut, **ERRORS},
    summary="Report a post, a message, a group or an account to the moderators",
)
def create_report(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    reporter = account_of(request)
    given = [
        name
        for name in ("account_id", "post_id", "message_id", "group_id")
        if getattr(payload, name)
    ]
    if len(given) != 1:
        raise ActionError(
            "Give exactly one of account_id, post_id, message_id or group_id.", field="account_id"
        )
    if payload.post_ids and given[0] != "account_id":
        raise ActionError("post_ids go with account_id.", field="post_ids")
    if payload.post_id:
        target = target_for_post(reporter, parse_id(payload.post_id, what="post"))
    elif payload.message_id:
        target = target_for_message(reporter, parse_id(payload.message_id, what="message"))
    elif payload.group_id:
        target = target_for_group(reporter, payload.group_id)
    else:
        account = lookup_account(str(payload.account_id))
        if blocker_ids(reporter).filter(account=account).exists():
            raise NotFound("No such account.")
        ids = [parse_id(pk, what="post") for pk in dict.fromkeys(payload.post_ids)]
        target = target_for_account(reporter, account, ids)
        attached = target.post_ids if target.kind != "post" else [target.id]
        if len(attached) != len(ids):
            raise NotFound("No such post by this account.")
    ratelimit.hit("report", reporter)
    report = actions.report(reporter, target, category=payload.category, comment=payload.comment)
    return Status(201, to_report(report))


@router.get(
    "/reports",
    response={200: ReportPageOut, **ERRORS},
    summary="The reports you sent, newest first, with their status and outcome",
)
def my_reports(request: HttpRequest, page: Query[ReportsIn]) -> ReportPageOut:
    found = queries.my_reports(account_of(request), max_id=page_key(page.max_id), limit=page.limit)
    return ReportPageOut(
        items=[to_report(r) for r in found.items],
        next_max_id=str(found.next_max_id) if found.next_max_id is not None else None,
    )


# --- the moderators' side -------------------------------------------------------------------


class ModeratorAuth(TokenAuth):
    """Bearer tokens with Mastodon's admin scopes: ``admin:read:<area>`` for reads,
    ``admin:write:<area>`` for changes. Whether the account is a moderator at all is checked
    by each operation (:func:`_moderator`, :func:`_staff`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = authenticate(token)
        if found is None:
            raise AuthenticationError()
        user = found.user
        if user is None or not hasattr(user, "account"):
            raise HttpError(403, "This method requires a token of a user")
        if not user.is_active:
            raise HttpError(403, "Your login is currently disabled")
        mode = "read" if request.method in SAFE_METHODS else "write"
        required = f"admin:{mode}:{self.area}"
        if not scope_rules.covers(scope_rules.parse(found.scope), required):
            raise HttpError(403, f"This action is outside the authorized scopes ({required})")
        return found


ON_REPORTS = ModeratorAuth("reports")
ON_ACCOUNTS = ModeratorAuth("accounts")

StatusName = Literal["open", "resolved", "dismissed"]
ResolutionName = Literal["remove_content", "warn", "limit", "suspend", "dismiss"]
AccountActionName = Literal["warn", "limit", "unlimit", "suspend", "unsuspend"]
LoggedActionName = Literal[
    "remove_content", "warn", "limit", "unlimit", "suspend", "unsuspend", "dismiss",
    "group_ban", "group_unban", "group_remove",
]  # fmt: skip
TargetKindName = Literal["post", "account", "group", "message"]


class ModeratedAccountOut(AccountOut):
    """An account as moderators see it: its profile and its standing."""

    suspended_at: datetime | None
    limited_at: datetime | None
    warnings_count: int


class LogEntryOut(Schema):
    """One decision of the audit log: who, what, about whom, why, when."""

    id: str
    action: LoggedActionName
    moderator: AccountOut | None = Field(description="null if that account was deleted")
    target_kind: TargetKindName
    target_id: str
    target_account: AccountOut | None
    group_id: str | None = Field(description="The group the content was in, if any")
    report_id: str | None
    reason: str
    details: dict[str, Any] = Field(description="What was removed (e.g. a post's text)")
    created_at: datetime


class ReportSummaryOut(Schema):
    id: str
    target_kind: TargetKindName
    target_id: str
    group_id: str | None = Field(description="The group the reported content is in, if any")
    category: CategoryName
    comment: str
    status: StatusName
    outcome: ResolutionName | None = Field(description="The decision taken (null while open)")
    created_at: datetime
    resolved_at: datetime | None


class ModReportOut(ReportSummaryOut):
    """A report in the moderation queue."""

    snapshot: str = Field(description="What was reported, as it read when reported")
    post_ids: list[str] = Field(description="Posts attached (the reported post, or evidence)")
    reporter: AccountOut | None
    target_account: ModeratedAccountOut | None = Field(description="The account responsible")
    assigned_to: AccountOut | None
    resolved_by: AccountOut | None
    post: PostOut | None = Field(description="The reported post, if it is a post still there")


class ReportedMessageOut(Schema):
    id: str
    sender: str = Field(description="The sender's username")
    text: str
    deleted: bool
    created_at: datetime | None
    reported: bool = Field(description="True for the reported message, the others are context")


class ReportedGroupOut(Schema):
    id: str
    handle: str
    name: str
    deleted: bool


class ReportDetailOut(ModReportOut):
    """A report with what a moderator needs to decide."""

    evidence: list[PostOut] = Field(description="Other attached posts still there")
    messages: list[ReportedMessageOut] = Field(
        description="A message report: the reported message and the few before it, oldest first"
    )
    group: ReportedGroupOut | None = Field(description="A group report: the group")
    other_open_reports: int = Field(description="Other open reports about the same account")
    allowed_actions: list[ResolutionName] = Field(
        description="The decisions you may take (empty once decided)"
    )
    actions: list[LogEntryOut] = Field(description="The decisions recorded on this report")
    history: list[LogEntryOut] = Field(
        description="The latest decisions about the account responsible, newest first"
    )


class ModReportPageOut(Schema):
    items: list[ModReportOut]
    next_max_id: str | None


class QueueIn(Schema):
    status: StatusName | Literal["all"] = "open"
    max_id: str | None = None
    limit: int = Field(queries.DEFAULT_LIMIT, ge=1, le=queries.MAX_LIMIT)


class LogIn(Schema):
    max_id: str | None = None
    limit: int = Field(queries.DEFAULT_LIMIT, ge=1, le=queries.MAX_LIMIT)


class LogPageOut(Schema):
    items: list[LogEntryOut]
    next_max_id: str | None


class ResolveIn(InputSchema):
    action: ResolutionName
    reason: str = Field(
        "", max_length=actions.MAX_REASON, description="Required: it goes into the audit log"
    )


class AccountActionIn(InputSchema):
    action: AccountActionName
    reason: str = Field(
        "", max_length=actions.MAX_REASON, description="Required: it goes into the audit log"
    )


class AccountRecordOut(Schema):
    account: ModeratedAccountOut
    history: list[LogEntryOut] = Field(description="The latest decisions about it, newest first")
    reports: list[ReportSummaryOut] = Field(description="The latest reports about it")


def _moderator(request: HttpRequest) -> Account:
    account = account_of(request)
    if not queries.is_moderator(account):
        raise NotAllowed("Only moderators can do this.")
    return account


def _staff(request: HttpRequest) -> Account:
    account = account_of(request)
    if not queries.is_staff(account):
        raise NotAllowed("Only staff can act on accounts.")
    return account


def _id(value: int | None) -> str | None:
    return str(value) if value is not None else None


def _person(account: Account | None) -> AccountOut | None:
    return to_account(account) if account is not None else None


def to_moderated(account: Account) -> ModeratedAccountOut:
    return ModeratedAccountOut(
        **to_account(account).model_dump(),
        suspended_at=account.suspended_at,
        limited_at=account.limited_at,
        warnings_count=account.warnings_count,
    )


def to_entry(entry: ModerationAction) -> LogEntryOut:
    return LogEntryOut(
        id=str(entry.pk),
        action=entry.action,  # type: ignore[arg-type]
        moderator=_person(entry.moderator),
        target_kind=entry.target_kind,  # type: ignore[arg-type]
        target_id=str(entry.target_id),
        target_account=_person(entry.target_account),
        group_id=_id(entry.group_id),
        report_id=_id(entry.report_id),
        reason=entry.reason,
        details=entry.details or {},
        created_at=entry.created_at,
    )


def _summary(report: Report) -> dict[str, Any]:
    return {
        "id": str(report.pk),
        "target_kind": report.target_kind,
        "target_id": str(report.target_id),
        "group_id": _id(report.group_id),
        "category": report.category,
        "comment": report.comment,
        "status": report.status,
        "outcome": report.outcome or None,
        "created_at": report.created_at,
        "resolved_at": report.resolved_at,
    }


def _queue_item(report: Report, post: PostOut | None) -> dict[str, Any]:
    account = report.target_account
    return {
        **_summary(report),
        "snapshot": report.snapshot,
        "post_ids": [str(pk) for pk in report.post_ids],
        "reporter": _person(report.reporter),
        "target_account": to_moderated(account) if account is not None else None,
        "assigned_to": _person(report.assigned_to),
        "resolved_by": _person(report.resolved_by),
        "post": post,
    }


def _detail(moderator: Account, report: Report) -> ReportDetailOut:
    ctx = queries.report_context(report)
    shown = to_posts(moderator, [p for p in (ctx.post, *ctx.evidence) if p is not None])
    post = shown.pop(0) if ctx.post is not None else None
    # The history is about the report's account: it is already loaded, don't fetch it again.
    for entry in ctx.history:
        entry.target_account = report.target_account
    group = None
    if report.target_kind == "group":
        saved = report.context or {}
        group = ReportedGroupOut(
            id=str(report.target_id),
            handle=ctx.group.handle if ctx.group else str(saved.get("handle", "")),
            name=ctx.group.name if ctx.group else str(saved.get("name", "")),
            deleted=ctx.group is None,
        )
    open_ = report.status == "open"
    return ReportDetailOut(
        **_queue_item(report, post),
        evidence=shown,
        messages=[
            ReportedMessageOut(
                id=str(m.get("id", "")),
                sender=str(m.get("sender", "")),
                text=str(m.get("text", "")),
                deleted=bool(m.get("deleted")),
                created_at=m.get("at"),
                reported=bool(m.get("reported")),
            )
            for m in ctx.messages
        ],
        group=group,
        other_open_reports=ctx.other_reports,
        allowed_actions=(
            queries.allowed_resolutions(moderator, report.target_kind)  # type: ignore[arg-type]
            if open_
            else []
        ),
        actions=[to_entry(e) for e in queries.report_actions(report)],
        history=[to_entry(e) for e in ctx.history],
    )


def _report(moderator: Account, report_id: str) -> Report:
    return queries.get_report_for(moderator, parse_id(report_id, what="report"))


@router.get(
    "/moderation/reports",
    response={200: ModReportPageOut, **ERRORS},
    auth=ON_REPORTS,
    summary="The moderation queue: reports you may handle, newest first",
)
def moderation_queue(request: HttpRequest, page: Query[QueueIn]) -> ModReportPageOut:
    moderator = _moderator(request)
    found = queries.reports_page(
        moderator, status=page.status, max_id=page_key(page.max_id), limit=page.limit
    )
    queries.load_deciders(found.items)
    posts = queries.reported_posts(found.items)
    reported = [
        posts[r.target_id] for r in found.items if r.target_kind == "post" and r.target_id in posts
    ]
    shown = {int(p.id): p for p in to_posts(moderator, reported)}
    items = [
        ModReportOut(**_queue_item(r, shown.get(r.target_id) if r.target_kind == "post" else None))
        for r in found.items
    ]
    return ModReportPageOut(items=items, next_max_id=_id(found.next_max_id))


@router.get(
    "/moderation/reports/{report_id}",
    response={200: ReportDetailOut, **ERRORS},
    auth=ON_REPORTS,
    summary="One report with its context, for a moderator",
)
def moderation_report(request: HttpRequest, report_id: str) -> ReportDetailOut:
    moderator = _moderator(request)
    return _detail(moderator, _report(moderator, report_id))


@router.post(
    "/moderation/reports/{report_id}/assign",
    response={200: ReportDetailOut, **ERRORS},
    auth=ON_REPORTS,
    summary="Take an open report (other moderators see it is yours)",
)
def assign_report(request: HttpRequest, report_id: str) -> ReportDetailOut:
    moderator = _moderator(request)
    report = _report(moderator, report_id)
    actions.claim(moderator, report)
    return _detail(moderator, report)


@router.post(
    "/moderation/reports/{report_id}/resolve",
    response={200: ReportDetailOut, **ERRORS},
    auth=ON_REPORTS,
    summary="Decide a report: remove the content, warn, limit or suspend the account, or dismiss",
)
def resolve_report(request: HttpRequest, report_id: str, payload: ResolveIn) -> ReportDetailOut:
    moderator = _moderator(request)
    report = _report(moderator, report_id)
    actions.decide(moderator, report, payload.action, payload.reason)
    return _detail(moderator, queries.get_report_for(moderator, report.pk))


def _record(moderator: Account, account: Account) -> AccountRecordOut:
    history = queries.account_record(account)
    for entry in history:  # all about this account, already loaded
        entry.target_account = account
    return AccountRecordOut(
        account=to_moderated(account),
        history=[to_entry(e) for e in history],
        reports=[
            ReportSummaryOut(**_summary(r)) for r in queries.reports_about(moderator, account)
        ],
    )


@router.get(
    "/moderation/accounts/{account_id}",
    response={200: AccountRecordOut, **ERRORS},
    auth=ON_ACCOUNTS,
    summary="An account's moderation record (staff)",
)
def account_record(request: HttpRequest, account_id: str) -> AccountRecordOut:
    moderator = _staff(request)
    return _record(moderator, lookup_account(account_id))


@router.post(
    "/moderation/accounts/{account_id}/actions",
    response={200: AccountRecordOut, **ERRORS},
    auth=ON_ACCOUNTS,
    summary="Warn, limit or suspend an account, or lift a limit or suspension (staff)",
)
def act_on_account(
    request: HttpRequest, account_id: str, payload: AccountActionIn
) -> AccountRecordOut:
    moderator = _staff(request)
    account = lookup_account(account_id)
    actions.act_on_account(moderator, account, payload.action, payload.reason)
    return _record(moderator, account)


@router.get(
    "/moderation/log",
    response={200: LogPageOut, **ERRORS},
    auth=ON_REPORTS,
    summary="The audit log: decisions you may read, newest first",
)
def moderation_log(request: HttpRequest, page: Query[LogIn]) -> LogPageOut:
    moderator = _moderator(request)
    found = queries.audit_log(moderator, max_id=page_key(page.max_id), limit=page.limit)
    return LogPageOut(items=[to_entry(e) for e in found.items], next_max_id=_id(found.next_max_id))
