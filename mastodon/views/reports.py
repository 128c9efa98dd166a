"""Mastodon API: ``POST /api/v1/reports`` — report an account, optionally with statuses.

Parameters (Mastodon 4): ``account_id`` (required), ``status_ids[]`` (statuses of that
account, attached as evidence), ``comment`` (at most 1000 characters), ``forward`` (to the
remote instance: Plaza has no remote instances, accepted and ignored), ``category``
(``spam``, ``legal``, ``violation`` or ``other``; Plaza's own categories — ``harassment``,
``hate``, ``violence``, ``misinformation`` — are accepted too), ``rule_ids[]`` (Plaza has no
instance rules: accepted and ignored). Answers Mastodon's Report entity.

A report with exactly one status is a report of that post — or of that message, when the
status is a direct message (messages are direct statuses to Mastodon clients) from the account
in one of the reporter's conversations; otherwise a report of the account (with the statuses
attached). Reporting the same thing again while it is open answers the
open report.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path

from accounts.models import Account
from mastodon.api import ApiError, ApiRequest, endpoint
from mastodon.entities.accounts import account, iso
from messaging.models import Message
from moderation import actions
from moderation.models import ActionKind, Category, Report, ReportStatus, TargetKind
from moderation.queries import Target, target_for_account, target_for_message
from network.queries import blocker_ids
from plaza import ratelimit
from plaza.errors import NotFound
from plaza.ids import is_digits

MASTODON_CATEGORY: dict[str, str] = {
    "spam": Category.SPAM,
    "legal": Category.OTHER,
    "violation": Category.OTHER,
    "other": Category.OTHER,
}
MAX_STATUSES = 20


def report_entity(report: Report, target: Account) -> dict[str, Any]:
    """Mastodon's Report entity (what the reporter may know of their own report)."""
    category = report.category if report.category == Category.SPAM else "other"
    taken = report.status == ReportStatus.RESOLVED and report.outcome != ActionKind.DISMISS
    return {
        "id": str(report.pk),
        "action_taken": taken,
        "action_taken_at": iso(report.resolved_at) if taken and report.resolved_at else None,
        "category": category,
        "comment": report.comment,
        "forwarded": False,
        "created_at": iso(report.created_at),
        "status_ids": (
            [str(report.target_id)]
            if report.target_kind == TargetKind.MESSAGE
            else [str(pk) for pk in report.post_ids] or None
        ),
        "rule_ids": None,
        "target_account": account(target),
        "plaza": {"category": report.category, "status": report.status},
    }


def _message_target(me: Account, target: Account, status_ids: list[int]) -> Target | None:
    """One status that is a direct message (Mastodon clients see messages as direct
    statuses) from ``target`` in a conversation the reporter is in: a message report. None
    when it is not a message the reporter can read (then it is treated as a post)."""
    if len(status_ids) != 1 or not Message.objects.filter(pk=status_ids[0]).exists():
        return None
    try:
        found = target_for_message(me, status_ids[0])
    except NotFound:
        return None
    if found.account is None or found.account.pk != target.pk:
        raise NotFound("Record not found")  # a message, but not the reported account's
    return found


@endpoint("POST", scope="write:reports")
def create_report(request: ApiRequest) -> Any:
    me = request.account
    assert me is not None  # auth="user"
    data = request.data
    target_id = data.identifier("account_id")
    if target_id is None:
        raise ApiError("account_id is required", 422)
    target = Account.objects.filter(pk=target_id).first()
    if target is None or blocker_ids(me).filter(account=target).exists():
        raise NotFound("Record not found")
    raw_category = (data.string("category", "other") or "other").strip().lower()
    category = MASTODON_CATEGORY.get(raw_category)
    if category is None and raw_category in Category.values:
        category = raw_category
    if category is None:
        raise ApiError(f"category must be one of {', '.join(MASTODON_CATEGORY)}", 422)
    status_ids: list[int] = []
    for raw in data.array("status_ids"):
        if not is_digits(raw) or len(raw) > 19:
            raise NotFound("Record not found")
        status_ids.append(int(raw))
    status_ids = list(dict.fromkeys(status_ids))
    if len(status_ids) > MAX_STATUSES:
        raise ApiError(f"At most {MAX_STATUSES} statuses can be attached to a report", 422)
    data.boolean("forward", False)  # no remote instances: accepted, validated, ignored
    data.array("rule_ids")
    comment = data.string("comment", "", max_length=actions.MAX_COMMENT) or ""
    found = _message_target(me, target, status_ids) or target_for_account(me, target, status_ids)
    if found.kind == TargetKind.MESSAGE:
        ratelimit.hit("report", me)
        report = actions.report(me, found, category=category, comment=comment)
        return report_entity(report, target)
    # Every status named must be one of the account's that the reporter can see (as Mastodon,
    # which answers 404 for a status that isn't the reported account's).
    attached = found.post_ids if found.kind != TargetKind.POST else [found.id]
    if len(attached) != len(status_ids):
        raise NotFound("Record not found")
    ratelimit.hit("report", me)
    report = actions.report(me, found, category=category, comment=comment)
    return report_entity(report, target)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/reports", create_report),
]
