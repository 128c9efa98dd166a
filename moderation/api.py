"""Native API: sending a report, and reading one's own reports with their outcomes
(moderators decide in the web UI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from accounts.api import lookup_account
from moderation import actions, queries
from moderation.models import Report
from moderation.queries import (
    target_for_account,
    target_for_group,
    target_for_message,
    target_for_post,
)
from network.queries import blocker_ids
from plaza import ratelimit
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, page_key, parse_id
from plaza.errors import ActionError, NotFound

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
