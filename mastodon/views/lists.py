"""Mastodon API: lists, their accounts and their timeline.

Every read goes through :mod:`lists.queries` (owner-scoped: someone else's list is a 404),
every write through :mod:`lists.actions`, as on the web. Member pages are keyed by the
membership row; ``limit=0`` returns every member at once, as Mastodon does.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.urls import URLPattern, URLResolver, path

from accounts.models import Account
from feeds.queries import PageRange
from lists import actions, queries
from lists.models import List, RepliesPolicy
from mastodon.api import (
    ApiError,
    ApiRequest,
    InputData,
    by_method,
    endpoint,
    paging,
    with_link_header,
)
from mastodon.entities.accounts import accounts
from mastodon.entities.statuses import statuses
from network import queries as network_queries
from plaza.errors import NotFound
from plaza.ids import is_digits

MAX_ID = 2**63 - 1


def list_entity(lst: List) -> dict[str, Any]:
    """The List entity."""
    return {
        "id": str(lst.pk),
        "title": lst.title,
        "replies_policy": lst.replies_policy,
        "exclusive": lst.exclusive,
    }


def _me(request: ApiRequest) -> Account:
    assert request.account is not None  # endpoints with auth="user"
    return request.account


def _list(request: ApiRequest, list_id: str) -> List:
    try:
        return queries.get_list(_me(request), list_id)
    except NotFound:
        raise Http404 from None  # Mastodon's own words: "Record not found"


def _options(data: InputData) -> tuple[str | None, bool | None]:
    policy = data.string("replies_policy")
    if policy is not None and policy not in RepliesPolicy.values:
        raise ApiError("replies_policy must be followed, list or none", 422)
    return policy, data.boolean("exclusive")


def _account_ids(data: InputData) -> list[int]:
    raw = data.array("account_ids")
    if not raw:
        raise ApiError("account_ids is required", 422)
    ids: list[int] = []
    for value in raw:
        value = value.strip()
        if not is_digits(value) or int(value) > MAX_ID:
            raise Http404
        ids.append(int(value))
    found = set(Account.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if any(i not in found for i in ids):
        raise Http404
    return ids


@endpoint("GET", scope="read:lists")
def lists_index(request: ApiRequest) -> Any:
    return [list_entity(lst) for lst in queries.lists_of(_me(request)).order_by("id")]


@endpoint("POST", scope="write:lists")
def lists_create(request: ApiRequest) -> Any:
    data = request.data
    title = data.string("title")
    if title is None or not title.strip():
        raise ApiError("Validation failed: Title can't be blank", 422)
    policy, exclusive = _options(data)
    lst = actions.create_list(
        _me(request),
        title,
        replies_policy=policy or RepliesPolicy.LIST,
        exclusive=bool(exclusive),
    )
    return list_entity(lst)


@endpoint("GET", scope="read:lists")
def list_show(request: ApiRequest, list_id: str) -> Any:
    return list_entity(_list(request, list_id))


@endpoint("PUT", "PATCH", scope="write:lists")
def list_update(request: ApiRequest, list_id: str) -> Any:
    lst = _list(request, list_id)
    data = request.data
    title = data.string("title")
    if title is not None and not title.strip():
        raise ApiError("Validation failed: Title can't be blank", 422)
    policy, exclusive = _options(data)
    actions.update_list(_me(request), lst, title=title, replies_policy=policy, exclusive=exclusive)
    return list_entity(lst)


@endpoint("DELETE", scope="write:lists")
def list_delete(request: ApiRequest, list_id: str) -> Any:
    actions.delete_list(_me(request), _list(request, list_id))
    return {}


@endpoint("GET", scope="read:lists")
def list_accounts(request: ApiRequest, list_id: str) -> Any:
    lst = _list(request, list_id)
    data = request.data
    limit = data.integer("limit", 40, minimum=0, maximum=80)
    max_id, since_id = data.identifier("max_id"), data.identifier("since_id")
    since_id = since_id if since_id is not None else data.identifier("min_id")
    if limit == 0:  # Mastodon: every member, no paging
        page = queries.members_page(lst, limit=None)
        return accounts(page.accounts)
    page = queries.members_page(lst, max_id=max_id, since_id=since_id, limit=limit)
    return with_link_header(
        request,
        accounts(page.accounts),
        next_max_id=page.next_max_id,
        prev_min_id=page.keys[0] if page.keys else None,
    )


@endpoint("POST", scope="write:lists")
def list_accounts_add(request: ApiRequest, list_id: str) -> Any:
    lst = _list(request, list_id)
    me = _me(request)
    ids = _account_ids(request.data)
    with transaction.atomic():
        actions.add_members(me, lst, ids)
    return {}


@endpoint("DELETE", scope="write:lists")
def list_accounts_remove(request: ApiRequest, list_id: str) -> Any:
    lst = _list(request, list_id)
    actions.remove_members(_me(request), lst, _account_ids(request.data))
    return {}


@endpoint("GET", scope="read:lists")
def account_lists(request: ApiRequest, account_id: str) -> Any:
    """The viewer's lists that hold this account."""
    me = _me(request)
    if not is_digits(account_id) or int(account_id) > MAX_ID:
        raise Http404
    target = Account.objects.filter(pk=int(account_id)).first()
    if target is None or network_queries.blocker_ids(me).filter(account=target).exists():
        raise Http404
    return [list_entity(lst) for lst in queries.lists_containing(me, target).order_by("id")]


@endpoint("GET", scope="read:lists")
def list_timeline(request: ApiRequest, list_id: str) -> Any:
    lst = _list(request, list_id)
    p = paging(request)
    page = queries.list_timeline(
        _me(request),
        lst,
        PageRange(max_id=p.max_id, since_id=p.since_id, min_id=p.min_id, limit=p.limit),
    )
    return with_link_header(
        request,
        statuses(request.account, page.posts, context="home"),
        next_max_id=page.next_max_id,
        prev_min_id=page.posts[0].pk if page.posts else None,
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/lists", by_method(get=lists_index, post=lists_create)),
    path(
        "api/v1/lists/<str:list_id>",
        by_method(get=list_show, put=list_update, patch=list_update, delete=list_delete),
    ),
    path(
        "api/v1/lists/<str:list_id>/accounts",
        by_method(get=list_accounts, post=list_accounts_add, delete=list_accounts_remove),
    ),
    path("api/v1/timelines/list/<str:list_id>", list_timeline),
    # Before mastodon.views.accounts' routes: "<account_id>/lists" is answered here.
    path("api/v1/accounts/<str:account_id>/lists", account_lists),
]
