"""Native API: follows, connections, blocks and mutes, and the lists they make.

Connections are Plaza's own: mutual, requested with an optional note and accepted by the
other side. Every change goes through :mod:`network.actions`, every list through
:mod:`network.queries` (keyset pages by ``max_id``), so the rules of the web UI apply.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.api import (
    AccountOut,
    RelationshipOut,
    lookup_account,
    to_account,
    to_relationship,
    visible_account,
)
from accounts.models import Account
from network import actions, queries
from plaza import ratelimit
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, page_key, viewer_of
from plaza.errors import ActionError, NotAllowed
from plaza.ids import is_digits

router: Router = Router(auth=TokenAuth("follows"))
PUBLIC = TokenAuth("follows", optional=True)
BLOCKS = TokenAuth("blocks")
MUTES = TokenAuth("mutes")


class AccountRowOut(Schema):
    """One account in a list, with the caller's relationship to it."""

    account: AccountOut
    relationship: RelationshipOut
    since: datetime = Field(description="When the follow, connection or request was made")
    note: str = Field("", description="The note of a connection request")


class AccountPageOut(Schema):
    items: list[AccountRowOut]
    next_max_id: str | None = Field(description="Pass as max_id for the next page; null: end")


class PageIn(Schema):
    max_id: str | None = Field(None, description="Return rows older than this page key")
    limit: int = Field(queries.DEFAULT_PAGE_SIZE, ge=1, le=queries.MAX_PAGE_SIZE)


class FollowIn(InputSchema):
    show_reshares: bool | None = Field(
        None, description="Show their reshares in your home feed (new follows: true)"
    )
    notify: bool | None = Field(
        None, description="Be notified of this account's posts (new follows: false)"
    )


class FollowOut(Schema):
    result: Literal["following", "requested"]
    relationship: RelationshipOut


class ConnectionRequestIn(InputSchema):
    account_id: str
    note: str = Field("", description="A short note for the person (at most 300 characters)")


class ConnectionOut(Schema):
    result: Literal["requested", "connected"]
    relationship: RelationshipOut


class MuteIn(InputSchema):
    notifications: bool = Field(True, description="Also hide their notifications")


def to_page(page: queries.AccountPage) -> AccountPageOut:
    return AccountPageOut(
        items=[
            AccountRowOut(
                account=to_account(row.account),
                relationship=RelationshipOut(id=str(row.account.pk), **row.rel.__dict__),
                since=row.since,
                note=row.note,
            )
            for row in page.rows
        ],
        next_max_id=str(page.next_max_id) if page.next_max_id is not None else None,
    )


def _my_page(
    request: HttpRequest, query: Callable[..., queries.AccountPage], page: PageIn
) -> AccountPageOut:
    viewer = account_of(request)
    return to_page(query(viewer, max_id=page_key(page.max_id), limit=page.limit))


def _profile_list(
    request: HttpRequest, account_id: str, query: Callable[..., queries.AccountPage], page: PageIn
) -> AccountPageOut:
    viewer = viewer_of(request)
    account = visible_account(viewer, account_id)
    if not queries.can_see_lists(viewer, account):
        raise NotAllowed(
            "This account keeps its network to itself."
            if account.hide_network
            else "This account shows its lists only to the people it let in."
        )
    return to_page(query(viewer, account, max_id=page_key(page.max_id), limit=page.limit))


def _target(request: HttpRequest, account_id: str) -> tuple[Account, Account]:
    return account_of(request), lookup_account(account_id)


# --- relationships --------------------------------------------------------------------------


@router.get(
    "/relationships",
    response={200: list[RelationshipOut], **ERRORS},
    summary="Your relationships to several accounts",
)
def relationships(request: HttpRequest, id: Query[list[str]]) -> list[RelationshipOut]:
    viewer = account_of(request)
    # Ids that cannot name an account still get an answer (all false), like any stranger's.
    ids = list(dict.fromkeys(int(i) for i in id[:40] if is_digits(i) and len(i) <= 18))
    rels = queries.relationships(viewer, ids)
    return [RelationshipOut(id=str(pk), **rels[pk].__dict__) for pk in ids]


# --- follows --------------------------------------------------------------------------------


@router.post(
    "/accounts/{account_id}/follow",
    response={200: FollowOut, **ERRORS},
    summary="Follow an account (a request, if it is locked)",
)
def follow(request: HttpRequest, account_id: str, payload: FollowIn | None = None) -> FollowOut:
    viewer, target = _target(request, account_id)
    options = payload or FollowIn(show_reshares=None, notify=None)  # left out: keep or default
    ratelimit.hit("follow", viewer)
    result = actions.follow(
        viewer, target, show_reshares=options.show_reshares, notify_posts=options.notify
    )
    return FollowOut(result=result, relationship=to_relationship(viewer, target))


@router.delete(
    "/accounts/{account_id}/follow",
    response={200: RelationshipOut, **ERRORS},
    summary="Unfollow an account (or withdraw a follow request)",
)
def unfollow(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, target = _target(request, account_id)
    actions.unfollow(viewer, target)
    return to_relationship(viewer, target)


@router.delete(
    "/accounts/{account_id}/follower",
    response={200: RelationshipOut, **ERRORS},
    summary="Remove one of your followers",
)
def remove_follower(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, target = _target(request, account_id)
    if viewer.pk == target.pk:
        raise ActionError("You can't remove yourself from your followers.")
    actions.remove_follower(viewer, target)
    return to_relationship(viewer, target)


@router.get(
    "/follow-requests/received",
    response={200: AccountPageOut, **ERRORS},
    summary="Follow requests waiting for your approval",
)
def follow_requests_received(request: HttpRequest, page: Query[PageIn]) -> AccountPageOut:
    return _my_page(request, queries.received_follow_requests_page, page)


@router.get(
    "/follow-requests/sent",
    response={200: AccountPageOut, **ERRORS},
    summary="Your pending follow requests",
)
def follow_requests_sent(request: HttpRequest, page: Query[PageIn]) -> AccountPageOut:
    return _my_page(request, queries.sent_follow_requests_page, page)


@router.post(
    "/follow-requests/{account_id}/approve",
    response={200: RelationshipOut, **ERRORS},
    summary="Approve a follow request",
)
def approve_follow_request(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, requester = _target(request, account_id)
    actions.approve_follow_request(viewer, requester)
    return to_relationship(viewer, requester)


@router.post(
    "/follow-requests/{account_id}/reject",
    response={200: RelationshipOut, **ERRORS},
    summary="Reject a follow request",
)
def reject_follow_request(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, requester = _target(request, account_id)
    actions.reject_follow_request(viewer, requester)
    return to_relationship(viewer, requester)


# --- connections ----------------------------------------------------------------------------


@router.get("/connections", response={200: AccountPageOut, **ERRORS}, summary="Your connections")
def my_connections(request: HttpRequest, page: Query[PageIn]) -> AccountPageOut:
    viewer = account_of(request)
    return to_page(
        queries.connections_page(viewer, viewer, max_id=page_key(page.max_id), limit=page.limit)
    )


@router.get(
    "/connections/requests/received",
    response={200: AccountPageOut, **ERRORS},
    summary="Connection requests waiting for your answer (with their notes)",
)
def connection_requests_received(request: HttpRequest, page: Query[PageIn]) -> AccountPageOut:
    return _my_page(request, queries.received_connection_requests_page, page)


@router.get(
    "/connections/requests/sent",
    response={200: AccountPageOut, **ERRORS},
    summary="Your pending connection requests",
)
def connection_requests_sent(request: HttpRequest, page: Query[PageIn]) -> AccountPageOut:
    return _my_page(request, queries.sent_connection_requests_page, page)


@router.post(
    "/connections/requests",
    response={200: ConnectionOut, **ERRORS},
    summary="Ask an account to connect (accepts, if they already asked you)",
)
def request_connection(request: HttpRequest, payload: ConnectionRequestIn) -> ConnectionOut:
    viewer, target = _target(request, payload.account_id)
    result = actions.request_connection(viewer, target, note=payload.note)
    return ConnectionOut(result=result, relationship=to_relationship(viewer, target))


@router.post(
    "/connections/requests/{account_id}/accept",
    response={200: RelationshipOut, **ERRORS},
    summary="Accept a connection request",
)
def accept_connection(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, requester = _target(request, account_id)
    actions.accept_connection(viewer, requester)
    return to_relationship(viewer, requester)


@router.post(
    "/connections/requests/{account_id}/decline",
    response={200: RelationshipOut, **ERRORS},
    summary="Decline a connection request",
)
def decline_connection(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, requester = _target(request, account_id)
    actions.decline_connection(viewer, requester)
    return to_relationship(viewer, requester)


@router.delete(
    "/connections/requests/{account_id}",
    response={200: RelationshipOut, **ERRORS},
    summary="Withdraw a connection request you sent",
)
def withdraw_connection_request(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, target = _target(request, account_id)
    actions.withdraw_connection_request(viewer, target)
    return to_relationship(viewer, target)


# After the /connections/requests routes: Django tries URL patterns in order.
@router.delete(
    "/connections/{account_id}",
    response={200: RelationshipOut, **ERRORS},
    summary="End a connection (for both sides)",
)
def remove_connection(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, other = _target(request, account_id)
    actions.remove_connection(viewer, other)
    return to_relationship(viewer, other)


# --- someone's lists ------------------------------------------------------------------------


@router.get(
    "/accounts/{account_id}/followers",
    response={200: AccountPageOut, **ERRORS},
    auth=PUBLIC,
    summary="Who follows an account (locked accounts: only for the people they let in)",
)
def followers(request: HttpRequest, account_id: str, page: Query[PageIn]) -> AccountPageOut:
    return _profile_list(request, account_id, queries.followers_page, page)


@router.get(
    "/accounts/{account_id}/following",
    response={200: AccountPageOut, **ERRORS},
    auth=PUBLIC,
    summary="Whom an account follows",
)
def following(request: HttpRequest, account_id: str, page: Query[PageIn]) -> AccountPageOut:
    return _profile_list(request, account_id, queries.following_page, page)


@router.get(
    "/accounts/{account_id}/connections",
    response={200: AccountPageOut, **ERRORS},
    auth=PUBLIC,
    summary="Whom an account is connected to",
)
def connections_of(request: HttpRequest, account_id: str, page: Query[PageIn]) -> AccountPageOut:
    return _profile_list(request, account_id, queries.connections_page, page)


# --- blocks and mutes -----------------------------------------------------------------------


@router.get("/blocks", response={200: AccountPageOut, **ERRORS}, auth=BLOCKS, summary="Blocked")
def blocks(request: HttpRequest, page: Query[PageIn]) -> AccountPageOut:
    return _my_page(request, queries.blocks_page, page)


@router.post(
    "/accounts/{account_id}/block",
    response={200: RelationshipOut, **ERRORS},
    auth=BLOCKS,
    summary="Block an account: every tie is cut both ways",
)
def block(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, target = _target(request, account_id)
    actions.block(viewer, target)
    return to_relationship(viewer, target)


@router.delete(
    "/accounts/{account_id}/block",
    response={200: RelationshipOut, **ERRORS},
    auth=BLOCKS,
    summary="Unblock an account",
)
def unblock(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, target = _target(request, account_id)
    actions.unblock(viewer, target)
    return to_relationship(viewer, target)


@router.get("/mutes", response={200: AccountPageOut, **ERRORS}, auth=MUTES, summary="Muted")
def mutes(request: HttpRequest, page: Query[PageIn]) -> AccountPageOut:
    return _my_page(request, queries.mutes_page, page)


@router.post(
    "/accounts/{account_id}/mute",
    response={200: RelationshipOut, **ERRORS},
    auth=MUTES,
    summary="Mute an account",
)
def mute(request: HttpRequest, account_id: str, payload: MuteIn | None = None) -> RelationshipOut:
    viewer, target = _target(request, account_id)
    actions.mute(viewer, target, notifications=payload.notifications if payload else True)
    return to_relationship(viewer, target)


@router.delete(
    "/accounts/{account_id}/mute",
    response={200: RelationshipOut, **ERRORS},
    auth=MUTES,
    summary="Unmute an account",
)
def unmute(request: HttpRequest, account_id: str) -> RelationshipOut:
    viewer, target = _target(request, account_id)
    actions.unmute(viewer, target)
    return to_relationship(viewer, target)
