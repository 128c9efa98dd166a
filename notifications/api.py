"""Native API: the caller's notifications, their unread count, marking them read, the
notification policy and the requests it filtered."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.api import AccountOut, to_account
from accounts.models import Account
from notifications import actions, queries
from notifications.models import Notification, NotificationPolicy
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, page_key

router: Router = Router(auth=TokenAuth("notifications"))

# Mirrors notifications.models.NotificationKind (a test keeps them equal).
KindName = Literal[
    "follow",
    "follow_request",
    "connection_request",
    "connection_accepted",
    "mention",
    "reply",
    "like",
    "reshare",
    "quote",
    "report_resolved",
    "moderation_warning",
    "group_join_request",
    "group_request_approved",
    "group_invite",
    "group_post",
    "message_request",
    "status",
    "poll",
]


class NotificationOut(Schema):
    id: str
    kind: KindName
    actor: AccountOut
    post_id: str | None = Field(description="The post it is about (GET /posts/{id})")
    created_at: datetime
    read: bool


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_max_id: str | None


class NotificationsIn(Schema):
    max_id: str | None = None
    limit: int = Field(queries.DEFAULT_LIMIT, ge=1, le=queries.MAX_LIMIT)
    mentions_only: bool = Field(False, description="Only mentions, replies and quotes")


class UnreadOut(Schema):
    count: int


class MarkReadIn(InputSchema):
    up_to_id: str | None = Field(None, description="Default: all of them")


class MarkedOut(Schema):
    marked: int
    unread: int


@router.get(
    "/notifications",
    response={200: NotificationPageOut, **ERRORS},
    summary="Your notifications, newest first",
)
def notification_list(request: HttpRequest, page: Query[NotificationsIn]) -> NotificationPageOut:
    found = queries.notifications_page(
        account_of(request),
        max_id=page_key(page.max_id),
        limit=page.limit,
        mentions_only=page.mentions_only,
    )
    return _page_out(found)


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=str(n.pk),
        kind=n.kind,  # type: ignore[arg-type]
        actor=to_account(n.actor),
        post_id=str(n.post_id) if n.post_id else None,
        created_at=n.created_at,
        read=n.read_at is not None,
    )


def _page_out(found: queries.NotificationPage) -> NotificationPageOut:
    return NotificationPageOut(
        items=[_out(n) for group in found.groups for n in group.items],
        next_max_id=str(found.next_max_id) if found.next_max_id is not None else None,
    )


@router.get(
    "/notifications/unread-count",
    response={200: UnreadOut, **ERRORS},
    summary="How many notifications you have not read",
)
def unread_count(request: HttpRequest) -> UnreadOut:
    return UnreadOut(count=queries.unread_count(account_of(request)))


@router.post(
    "/notifications/read",
    response={200: MarkedOut, **ERRORS},
    summary="Mark your notifications read (all, or up to an id)",
)
def mark_read(request: HttpRequest, payload: MarkReadIn | None = None) -> MarkedOut:
    account = account_of(request)
    up_to = page_key(payload.up_to_id, "up_to_id") if payload else None
    marked = actions.mark_read(account, up_to_id=up_to)
    return MarkedOut(marked=marked, unread=queries.unread_count(account))


# --- the notification policy and its requests -----------------------------------------------

PolicyValue = Literal["accept", "filter", "drop"]


class PolicyOut(Schema):
    for_not_following: PolicyValue
    for_not_followers: PolicyValue
    for_new_accounts: PolicyValue
    for_private_mentions: PolicyValue
    for_limited_accounts: PolicyValue
    pending_requests: int = Field(description="Requests not dismissed")
    pending_notifications: int = Field(description="Notifications in those requests")


class PolicyIn(InputSchema):
    for_not_following: PolicyValue | None = Field(None, description="People you don't follow")
    for_not_followers: PolicyValue | None = Field(None, description="People who don't follow you")
    for_new_accounts: PolicyValue | None = Field(None, description="Accounts under 30 days old")
    for_private_mentions: PolicyValue | None = Field(
        None, description="Mentions in followers/connections-only posts from strangers"
    )
    for_limited_accounts: PolicyValue | None = Field(None, description="Limited accounts")


class RequestOut(Schema):
    id: str
    sender: AccountOut
    notifications_count: int
    latest: NotificationOut | None
    dismissed: bool
    created_at: datetime
    updated_at: datetime


class RequestPageOut(Schema):
    items: list[RequestOut]
    next_max_id: str | None


class RequestDetailOut(Schema):
    request: RequestOut
    notifications: NotificationPageOut


class RequestsIn(Schema):
    max_id: str | None = None
    limit: int = Field(queries.DEFAULT_LIMIT, ge=1, le=queries.MAX_LIMIT)


class AnsweredOut(Schema):
    answered: int


def _policy_out(account: Account, policy: NotificationPolicy) -> PolicyOut:
    summary = queries.pending_summary(account)
    return PolicyOut(
        **{f: getattr(policy, f) for f in NotificationPolicy.FIELDS},
        pending_requests=summary.requests,
        pending_notifications=summary.notifications,
    )


def _request_out(p: queries.PendingRequest) -> RequestOut:
    r = p.request
    return RequestOut(
        id=str(r.pk),
        sender=to_account(r.from_account),
        notifications_count=p.count,
        latest=_out(p.latest) if p.latest is not None else None,
        dismissed=r.dismissed,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


@router.get(
    "/notifications/policy",
    response={200: PolicyOut, **ERRORS},
    summary="Your notification policy: whose notifications are accepted, filtered or dropped",
)
def policy_show(request: HttpRequest) -> PolicyOut:
    account = account_of(request)
    return _policy_out(account, queries.policy_of(account))


@router.patch(
    "/notifications/policy",
    response={200: PolicyOut, **ERRORS},
    summary="Change some of your notification policy",
)
def policy_update(request: HttpRequest, payload: PolicyIn) -> PolicyOut:
    account = account_of(request)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return _policy_out(account, actions.update_policy(account, changes))


@router.get(
    "/notifications/requests",
    response={200: RequestPageOut, **ERRORS},
    summary="Notification requests: per sender, what your policy filtered (newest first)",
)
def request_list(request: HttpRequest, page: Query[RequestsIn]) -> RequestPageOut:
    found = queries.requests_page(
        account_of(request), max_id=page_key(page.max_id), limit=page.limit
    )
    return RequestPageOut(
        items=[_request_out(p) for p in found],
        next_max_id=str(found[-1].request.pk) if len(found) == page.limit else None,
    )


@router.get(
    "/notifications/requests/{request_id}",
    response={200: RequestDetailOut, **ERRORS},
    summary="One notification request with a page of its notifications",
)
def request_detail(
    request: HttpRequest, request_id: str, page: Query[RequestsIn]
) -> RequestDetailOut:
    account = account_of(request)
    pending = queries.get_request(account, request_id)
    notes = queries.request_notifications(
        account, pending, max_id=page_key(page.max_id), limit=page.limit
    )
    return RequestDetailOut(request=_request_out(pending), notifications=_page_out(notes))


@router.post(
    "/notifications/requests/{request_id}/accept",
    response={200: AnsweredOut, **ERRORS},
    summary="Accept a request: its notifications join the list, the sender comes through",
)
def request_accept(request: HttpRequest, request_id: str) -> AnsweredOut:
    account = account_of(request)
    pending = queries.get_request(account, request_id)
    return AnsweredOut(answered=actions.accept_requests(account, [pending.request]))


@router.post(
    "/notifications/requests/{request_id}/dismiss",
    response={200: AnsweredOut, **ERRORS},
    summary="Dismiss a request: it is hidden, its notifications stay filtered",
)
def request_dismiss(request: HttpRequest, request_id: str) -> AnsweredOut:
    account = account_of(request)
    pending = queries.get_request(account, request_id)
    return AnsweredOut(answered=actions.dismiss_requests(account, [pending.request]))
