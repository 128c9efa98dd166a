"""Native API: the caller's notifications, their unread count, and marking them read."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.api import AccountOut, to_account
from notifications import actions, queries
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
    return NotificationPageOut(
        items=[
            NotificationOut(
                id=str(n.pk),
                kind=n.kind,  # type: ignore[arg-type]
                actor=to_account(n.actor),
                post_id=str(n.post_id) if n.post_id else None,
                created_at=n.created_at,
                read=n.read_at is not None,
            )
            for group in found.groups
            for n in group.items
        ],
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
