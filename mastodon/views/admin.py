"""Mastodon's admin API, for staff: the report queue and sanctions on accounts.

- ``GET /api/v1/admin/reports`` (``resolved``, ``account_id``, ``target_account_id``,
  ``max_id``/``since_id``/``min_id``, ``limit`` up to 200) and ``GET .../reports/:id``:
  Admin::Report entities, with the reported statuses;
- ``POST .../reports/:id/assign_to_self``, ``.../resolve`` (closes the report with no action:
  Plaza's "dismiss");
- ``GET /api/v1/admin/accounts/:id``: an Admin::Account;
- ``POST /api/v1/admin/accounts/:id/action`` with ``type`` ``none`` (a warning), ``silence``
  (Plaza's limit) or ``suspend``, ``text`` (the reason for the audit log; Mastodon makes it
  optional, Plaza records "Via the admin API" then) and ``report_id`` (the report it decides,
  closed with it and its reporters told); ``disable`` and ``sensitive`` have no Plaza
  counterpart and answer 422;
- ``POST .../accounts/:id/unsilence`` and ``.../unsuspend``.

Only staff (``is_staff``) may call them (403 otherwise, as Mastodon answers a user without
the permission); group moderators decide their groups' reports on the web and through the
native API. Every decision goes through :mod:`moderation.actions`: the same rules, the same
audit log, the same notices as the web moderation pages.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path

from accounts.models import Account
from mastodon.api import ApiError, ApiRequest, endpoint, paging, with_link_header
from mastodon.entities import statuses as status_entities
from mastodon.entities.accounts import account, iso
from moderation import actions
from moderation.models import ActionKind, Category, Report, ReportStatus
from moderation.queries import get_report_for, is_staff, reported_posts
from plaza.errors import NotFound

DEFAULT_REASON = "Via the admin API"
ACCOUNT_ACTIONS = {
    "none": ActionKind.WARN,
    "silence": ActionKind.LIMIT,
    "suspend": ActionKind.SUSPEND,
}


def _staff(request: ApiRequest) -> Account:
    me = request.account
    if me is None or not is_staff(me):
        raise ApiError("This action is not allowed", 403)
    return me


def admin_account(acc: Account | None) -> dict[str, Any] | None:
    """Mastodon's Admin::Account entity (None for a deleted account)."""
    if acc is None:
        return None
    user = acc.user
    return {
        "id": str(acc.pk),
        "username": acc.username,
        "domain": None,
        "created_at": iso(acc.created_at),
        "email": user.email,
        "ip": None,
        "ips": [],
        "locale": "",
        "invite_request": None,
        "role": {
            "id": "1" if user.is_staff else "-99",
            "name": "Admin" if user.is_superuser else "Moderator" if user.is_staff else "",
            "permissions": "1" if user.is_superuser else "0",
            "color": "",
            "highlighted": user.is_staff,
        },
        "confirmed": True,
        "approved": True,
        "disabled": not user.is_active,
        "silenced": acc.limited_at is not None,
        "suspended": acc.suspended_at is not None,
        "sensitized": False,
        "account": account(acc),
        "plaza": {"warnings_count": acc.warnings_count},
    }


def admin_reports(viewer: Account, reports: list[Report]) -> list[dict[str, Any]]:
    """Admin::Report entities, the reported statuses loaded in one go for the batch."""
    posts = reported_posts(reports)
    entities = {e["id"]: e for e in status_entities.statuses(viewer, list(posts.values()))}
    out = []
    for report in reports:
        ids = [report.target_id] if report.target_kind == "post" else report.post_ids
        decided = report.status != ReportStatus.OPEN
        out.append(
            {
                "id": str(report.pk),
                "action_taken": decided,
                "action_taken_at": iso(report.resolved_at),
                "category": report.category if report.category == Category.SPAM else "other",
                "comment": report.comment,
                "forwarded": False,
                "created_at": iso(report.created_at),
                "updated_at": iso(report.resolved_at or report.created_at),
                "account": admin_account(report.reporter),
                "target_account": admin_account(report.target_account),
                "assigned_account": admin_account(report.assigned_to),
                "action_taken_by_account": admin_account(report.resolved_by),
                "statuses": [entities[str(pk)] for pk in ids if str(pk) in entities],
                "rules": [],
                "plaza": {
                    "category": report.category,
                    "status": report.status,
                    "outcome": report.outcome or None,
                    "target_kind": report.target_kind,
                    "target_id": str(report.target_id),
                    "group_id": str(report.group_id) if report.group_id else None,
                },
            }
        )
    return out


_RELATED = ("reporter__user", "target_account__user", "assigned_to__user", "resolved_by__user")


@endpoint("GET", scope="admin:read:reports")
def reports(request: ApiRequest) -> Any:
    me = _staff(request)
    page = paging(request, default=100, maximum=200)
    qs = Report.objects.select_related(*_RELATED)
    resolved = request.data.boolean("resolved", False)
    qs = qs.exclude(status=ReportStatus.OPEN) if resolved else qs.filter(status=ReportStatus.OPEN)
    for param, column in (
        ("account_id", "reporter_id"),
        ("target_account_id", "target_account_id"),
    ):
        value = request.data.identifier(param)
        if value is not None:
            qs = qs.filter(**{column: value})
    if page.max_id is not None:
        qs = qs.filter(pk__lt=page.max_id)
    if page.since_id is not None:
        qs = qs.filter(pk__gt=page.since_id)
    if page.min_id is not None:
        found = list(qs.filter(pk__gt=page.min_id).order_by("id")[: page.limit])[::-1]
    else:
        found = list(qs.order_by("-id")[: page.limit])
    return with_link_header(
        request,
        admin_reports(me, found),
        next_max_id=found[-1].pk if len(found) == page.limit else None,
        prev_min_id=found[0].pk if found else None,
    )


def _report(me: Account, report_id: str) -> Report:
    return get_report_for(me, report_id)


@endpoint("GET", scope="admin:read:reports")
def report_detail(request: ApiRequest, report_id: str) -> Any:
    me = _staff(request)
    return admin_reports(me, [_report(me, report_id)])[0]


@endpoint("POST", scope="admin:write:reports")
def assign_to_self(request: ApiRequest, report_id: str) -> Any:
    me = _staff(request)
    report = _report(me, report_id)
    if report.status != ReportStatus.OPEN:
        raise ApiError("This report has already been decided.", 422)
    actions.assign(me, report)
    return admin_reports(me, [_report(me, report_id)])[0]


@endpoint("POST", scope="admin:write:reports")
def resolve(request: ApiRequest, report_id: str) -> Any:
    """Mastodon's "mark as resolved" without an action: Plaza dismisses the report."""
    me = _staff(request)
    report = _report(me, report_id)
    reason = request.data.string("text", DEFAULT_REASON, max_length=1000) or DEFAULT_REASON
    actions.decide(me, report, ActionKind.DISMISS, reason)
    return admin_reports(me, [_report(me, report_id)])[0]


def _target(account_id: str) -> Account:
    try:
        pk = int(account_id)
    except ValueError:
        raise NotFound("Record not found") from None
    found = Account.objects.select_related("user").filter(pk=pk).first()
    if found is None:
        raise NotFound("Record not found")
    return found


@endpoint("GET", scope="admin:read:accounts")
def account_detail(request: ApiRequest, account_id: str) -> Any:
    _staff(request)
    return admin_account(_target(account_id))


@endpoint("POST", scope="admin:write:accounts")
def account_action(request: ApiRequest, account_id: str) -> Any:
    """Warn, silence (limit) or suspend an account, optionally deciding a report about it.
    Answers an empty object, as Mastodon does."""
    me = _staff(request)
    target = _target(account_id)
    kind = (request.data.string("type", "none") or "none").strip().lower()
    if kind in ("disable", "sensitive"):
        raise ApiError(f"Plaza has no '{kind}' action: use none (warn), silence or suspend.", 422)
    if kind not in ACCOUNT_ACTIONS:
        raise ApiError("type must be one of: none, silence, suspend", 422)
    action = ACCOUNT_ACTIONS[kind]
    reason = request.data.string("text", "", max_length=1000) or DEFAULT_REASON
    request.data.boolean("send_email_notification", False)  # checked; the notice is in-app
    report_id = request.data.identifier("report_id")
    if report_id is not None:
        report = _report(me, str(report_id))
        if report.target_account_id != target.pk:
            raise ApiError("That report is not about this account.", 422)
        actions.decide(me, report, action, reason)
        return {}
    sanction = {
        ActionKind.WARN: actions.warn,
        ActionKind.LIMIT: actions.limit,
        ActionKind.SUSPEND: actions.suspend,
    }
    sanction[action](me, target, reason)  # refusals are ActionErrors: 403/422 with a message
    return {}


def _lift(request: ApiRequest, account_id: str, *, limit: bool) -> Any:
    """Lift a limit (``limit``) or a suspension; nothing to lift is no error (Mastodon)."""
    me = _staff(request)
    target = _target(account_id)
    reason = request.data.string("text", "", max_length=1000) or DEFAULT_REASON
    if limit and target.limited_at is not None:
        actions.unlimit(me, target, reason)
    elif not limit and target.suspended_at is not None:
        actions.unsuspend(me, target, reason)
    return admin_account(_target(account_id))


@endpoint("POST", scope="admin:write:accounts")
def unsilence(request: ApiRequest, account_id: str) -> Any:
    return _lift(request, account_id, limit=True)


@endpoint("POST", scope="admin:write:accounts")
def unsuspend(request: ApiRequest, account_id: str) -> Any:
    return _lift(request, account_id, limit=False)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/admin/reports", reports),
    path("api/v1/admin/reports/<str:report_id>", report_detail),
    path("api/v1/admin/reports/<str:report_id>/assign_to_self", assign_to_self),
    path("api/v1/admin/reports/<str:report_id>/resolve", resolve),
    path("api/v1/admin/accounts/<str:account_id>", account_detail),
    path("api/v1/admin/accounts/<str:account_id>/action", account_action),
    path("api/v1/admin/accounts/<str:account_id>/unsilence", unsilence),
    path("api/v1/admin/accounts/<str:account_id>/unsuspend", unsuspend),
]
