"""Native API: lists (named sets of accounts you follow) and their timelines.

Every change goes through :mod:`lists.actions`, every read through :mod:`lists.queries`;
someone else's list is a 404. Tokens need ``read:lists`` / ``write:lists``.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from accounts.api import AccountOut, to_account
from feeds.api import FeedIn, FeedPageOut, _out, _range
from lists import actions, queries
from lists.models import List, RepliesPolicy
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, page_key, parse_id

router: Router = Router(auth=TokenAuth("lists"))

Policy = Literal["followed", "list", "none"]


class ListOut(Schema):
    id: str
    title: str
    replies_policy: Policy = Field(
        description="Replies shown in the list timeline: to anyone you follow, "
        "to members of the list, or none"
    )
    exclusive: bool = Field(description="Members' posts stay out of your home feed")
    members_count: int | None = None


class ListIn(InputSchema):
    title: str = Field(max_length=100)
    replies_policy: Policy = RepliesPolicy.LIST.value  # type: ignore[assignment]
    exclusive: bool = False


class ListPatch(InputSchema):
    title: str | None = Field(None, max_length=100)
    replies_policy: Policy | None = None
    exclusive: bool | None = None


class MembersIn(InputSchema):
    account_ids: list[str] = Field(min_length=1, max_length=500)


class MemberPageOut(Schema):
    items: list[AccountOut]
    next_max_id: str | None = Field(description="Pass as max_id for the next page; null: end")


class MemberPageIn(Schema):
    max_id: str | None = None
    limit: int = Field(40, ge=1, le=80)


def _out_list(lst: List) -> ListOut:
    return ListOut(
        id=str(lst.pk),
        title=lst.title,
        replies_policy=lst.replies_policy,  # type: ignore[arg-type]
        exclusive=lst.exclusive,
    )


def _ids(values: list[str]) -> list[int]:
    return [parse_id(v, what="account") for v in values]


@router.get("/lists", response={200: list[ListOut], **ERRORS}, summary="Your lists")
def lists_index(request: HttpRequest) -> list[ListOut]:
    return [_out_list(lst) for lst in queries.lists_of(account_of(request))]


@router.post("/lists", response={200: ListOut, **ERRORS}, summary="Create a list")
def create(request: HttpRequest, payload: ListIn) -> ListOut:
    lst = actions.create_list(
        account_of(request),
        payload.title,
        replies_policy=payload.replies_policy,
        exclusive=payload.exclusive,
    )
    return _out_list(lst)


@router.get("/lists/{list_id}", response={200: ListOut, **ERRORS}, summary="One of your lists")
def show(request: HttpRequest, list_id: str) -> ListOut:
    return _out_list(queries.get_list(account_of(request), list_id))


@router.patch("/lists/{list_id}", response={200: ListOut, **ERRORS}, summary="Change a list")
def update(request: HttpRequest, list_id: str, payload: ListPatch) -> ListOut:
    me = account_of(request)
    lst = actions.update_list(
        me,
        queries.get_list(me, list_id),
        title=payload.title,
        replies_policy=payload.replies_policy,
        exclusive=payload.exclusive,
    )
    return _out_list(lst)


@router.delete("/lists/{list_id}", response={204: None, **ERRORS}, summary="Delete a list")
def delete(request: HttpRequest, list_id: str) -> Status:
    me = account_of(request)
    actions.delete_list(me, queries.get_list(me, list_id))
    return Status(204, None)


@router.get(
    "/lists/{list_id}/accounts",
    response={200: MemberPageOut, **ERRORS},
    summary="Accounts in a list, newest member first",
)
def members(request: HttpRequest, list_id: str, page: Query[MemberPageIn]) -> MemberPageOut:
    lst = queries.get_list(account_of(request), list_id)
    found = queries.members_page(lst, max_id=page_key(page.max_id), limit=page.limit)
    return MemberPageOut(
        items=[to_account(a) for a in found.accounts],
        next_max_id=str(found.next_max_id) if found.next_max_id is not None else None,
    )


@router.post(
    "/lists/{list_id}/accounts",
    response={204: None, **ERRORS},
    summary="Add accounts you follow to a list (all or none)",
)
def add_members(request: HttpRequest, list_id: str, payload: MembersIn) -> Status:
    me = account_of(request)
    actions.add_members(me, queries.get_list(me, list_id), _ids(payload.account_ids))
    return Status(204, None)


@router.delete(
    "/lists/{list_id}/accounts",
    response={204: None, **ERRORS},
    summary="Take accounts out of a list",
)
def remove_members(request: HttpRequest, list_id: str, payload: MembersIn) -> Status:
    me = account_of(request)
    actions.remove_members(me, queries.get_list(me, list_id), _ids(payload.account_ids))
    return Status(204, None)


@router.get(
    "/lists/{list_id}/feed",
    response={200: FeedPageOut, **ERRORS},
    summary="The list's timeline: its members' posts you may see",
)
def feed(request: HttpRequest, list_id: str, page: Query[FeedIn]) -> FeedPageOut:
    me = account_of(request)
    return _out(request, queries.list_timeline(me, queries.get_list(me, list_id), _range(page)))
