"""Native API: sending a report (moderators decide in the web UI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.api import lookup_account
from moderation import actions
from moderation.queries import target_for_account, target_for_post
from network.queries import blocker_ids
from plaza import ratelimit
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, parse_id
from plaza.errors import ActionError, NotFound

router: Router = Router(auth=TokenAuth("reports"))

CategoryName = Literal["spam", "harassment", "hate", "violence", "misinformation", "other"]


class ReportIn(InputSchema):
    account_id: str | None = Field(None, description="The account to report")
    post_id: str | None = Field(None, description="The post to report (instead of an account)")
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
    created_at: datetime


@router.post(
    "/reports",
    response={201: ReportOut, **ERRORS},
    summary="Report a post or an account to the moderators",
)
def create_report(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    reporter = account_of(request)
    if bool(payload.account_id) == bool(payload.post_id):
        raise ActionError("Give either account_id or post_id.", field="account_id")
    if payload.post_id:
        target = target_for_post(reporter, parse_id(payload.post_id, what="post"))
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
    return Status(
        201,
        ReportOut(
            id=str(report.pk),
            target_kind=report.target_kind,  # type: ignore[arg-type]
            target_id=str(report.target_id),
            category=report.category,  # type: ignore[arg-type]
            comment=report.comment,
            status=report.status,  # type: ignore[arg-type]
            created_at=report.created_at,
        ),
    )
