"""Mastodon API: notifications, v1 (one by one) and v2 (grouped), and the notification policy.

Kinds map to Mastodon types as :mod:`mastodon.entities.notifications` describes; Plaza's
connection notifications come only to clients that ask for ``plaza:connection_request`` /
``plaza:connection_accepted`` in ``types[]``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Account
from mastodon.api import ApiError, ApiRequest, Paging, endpoint, paging, with_link_header
from mastodon.entities import notifications as entities
from mastodon.entities.accounts import account
from notifications.actions import clear, dismiss
from notifications.models import Notification
from notifications.queries import notifications_for

READ = "read:notifications"
WRITE = "write:notifications"
UNREAD_CAP = 1000


def _me(request: ApiRequest) -> Account:
    assert request.account is not None  # auth="user"
    return request.account


def _filtered(request: ApiRequest) -> QuerySet[Notification]:
    """The caller's notifications, narrowed by ``types[]``, ``exclude_types[]``, ``account_id``."""
    data = request.data
    kinds = entities.kinds_for(data.array("types"), data.array("exclude_types"))
    return notifications_for(_me(request), kinds=kinds, actor_id=data.identifier("account_id"))


def _page(qs: QuerySet[Notification], p: Paging) -> list[Notification]:
    """One keyset page, newest first; ``min_id`` alone reads the page just above it."""
    if p.max_id is not None:
        qs = qs.filter(pk__lt=p.max_id)
    if p.since_id is not None:
        qs = qs.filter(pk__gt=p.since_id)
    if p.min_id is not None:
        qs = qs.filter(pk__gt=p.min_id)
    ascending = p.min_id is not None and p.max_id is None
    rows = list(qs.select_related("actor").order_by("id" if ascending else "-id")[: p.limit])
    if ascending:
        rows.reverse()
    return rows


def _one(request: ApiRequest, notification_id: str) -> Notification:
    try:
        pk = int(notification_id)
    except ValueError:
        raise ApiError("Record not found", 404)
    found = notifications_for(_me(request)).select_related("actor").filter(pk=pk).first()
    if found is None:
        raise ApiError("Record not found", 404)
    return found


# --- v1 ---------------------------------------------------------------------------------


@endpoint("GET", scope=READ)
def notification_list(request: ApiRequest) -> Any:
    p = paging(request, default=40, maximum=80)
    items = _page(_filtered(request), p)
    return with_link_header(
        request,
        entities.notification_entities(_me(request), items),
        next_max_id=items[-1].pk if len(items) == p.limit else None,
        prev_min_id=items[0].pk if items else None,
    )


@endpoint("GET", scope=READ)
def notification_detail(request: ApiRequest, notification_id: str) -> Any:
    return entities.notification_entities(_me(request), [_one(request, notification_id)])[0]


@endpoint("POST", scope=WRITE)
def notification_dismiss(request: ApiRequest, notification_id: str) -> Any:
    dismiss(_me(request), [_one(request, notification_id).pk])
    return {}


@endpoint("POST", scope=WRITE)
def notifications_clear(request: ApiRequest) -> Any:
    clear(_me(request))
    return {}


@endpoint("GET", scope=READ)
def unread_count_v1(request: ApiRequest) -> Any:
    limit = request.data.integer("limit", 100, minimum=1, maximum=UNREAD_CAP) or 100
    unread = _filtered(request).filter(read_at__isnull=True)
    return {"count": len(unread.values_list("id", flat=True)[:limit])}


# --- v2 (grouped) -----------------------------------------------------------------------


def _grouped_types(request: ApiRequest) -> tuple[str, ...]:
    if not request.data.has("grouped_types"):
        return entities.GROUPABLE_TYPES
    return tuple(t for t in request.data.array("grouped_types") if t in entities.GROUPABLE_TYPES)


@endpoint("GET", scope=READ)
def grouped_list(request: ApiRequest) -> Any:
    """A page of notification groups. Groups are formed within the page (as Mastodon does):
    a large group may continue on the next page under the same ``group_key``.

    Reads at most four raw notifications per wanted group in one query; when a burst of
    notifications fills that, the page has fewer groups and the next link carries on."""
    p = paging(request, default=40, maximum=80)
    grouped = _grouped_types(request)
    raw_limit = p.limit * 4
    raw = _page(_filtered(request), Paging(p.max_id, p.since_id, p.min_id, raw_limit))
    ascending = p.min_id is not None and p.max_id is None
    scan = list(reversed(raw)) if ascending else raw  # nearest to the cursor first
    seen: set[str] = set()
    cut = len(scan)
    for i, n in enumerate(scan):
        key = entities.group_key(n, grouped)
        if key not in seen:
            if len(seen) == p.limit:
                cut = i
                break
            seen.add(key)
    included = scan[:cut]
    if ascending:
        included.reverse()
    groups = entities.group(included, grouped)
    return with_link_header(
        request,
        entities.grouped_results(_me(request), groups),
        # As Mastodon: a next link whenever the page has groups (the page after the last
        # one is empty); groups are cut by page, so "full" can't tell that more exist.
        next_max_id=included[-1].pk if included else None,
        prev_min_id=included[0].pk if included else None,
    )


def _group_items(request: ApiRequest, group_key: str) -> QuerySet[Notification]:
    return notifications_for(_me(request)).filter(entities.group_filter(group_key))


GROUP_SHOWN = 80


@endpoint("GET", scope=READ)
def grouped_detail(request: ApiRequest, group_key: str) -> Any:
    items = list(
        _group_items(request, group_key).select_related("actor").order_by("-id")[:GROUP_SHOWN]
    )
    if not items:
        raise ApiError("Record not found", 404)
    groups = entities.group(items, entities.GROUPABLE_TYPES)
    result = entities.grouped_results(_me(request), groups, paged=False)
    if len(items) == GROUP_SHOWN:
        total = _group_items(request, group_key).count()
        for g in result["notification_groups"]:
            g["notifications_count"] = total
    return result


@endpoint("GET", scope=READ)
def grouped_accounts(request: ApiRequest, group_key: str) -> Any:
    items = list(
        _group_items(request, group_key).select_related("actor").order_by("-id")[:GROUP_SHOWN]
    )
    if not items:
        raise ApiError("Record not found", 404)
    seen: dict[int, Account] = {}
    for n in items:
        seen.setdefault(n.actor_id, n.actor)
    return [account(a) for a in seen.values()]


@endpoint("POST", scope=WRITE)
def grouped_dismiss(request: ApiRequest, group_key: str) -> Any:
    ids = list(_group_items(request, group_key).values_list("id", flat=True))
    if not ids:
        raise ApiError("Record not found", 404)
    dismiss(_me(request), ids)
    return {}


@endpoint("GET", scope=READ)
def unread_count_v2(request: ApiRequest) -> Any:
    limit = request.data.integer("limit", 100, minimum=1, maximum=UNREAD_CAP) or 100
    grouped = _grouped_types(request)
    unread = _filtered(request).filter(read_at__isnull=True).order_by("-id")
    keys: set[str] = set()
    for n in unread.only("id", "kind", "post_id")[: limit * 4]:
        keys.add(entities.group_key(n, grouped))
        if len(keys) >= limit:
            break
    return {"count": len(keys)}


# --- policy and requests (Plaza filters nothing: every notification is accepted) --------------


POLICY_KEYS = (
    "for_not_following",
    "for_not_followers",
    "for_new_accounts",
    "for_private_mentions",
    "for_limited_accounts",
)


def _policy() -> dict[str, Any]:
    return {
        **{key: "accept" for key in POLICY_KEYS},
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }


@endpoint("GET", scope=READ)
def policy_show(request: ApiRequest) -> Any:
    return _policy()


@endpoint("PATCH", "PUT", scope=WRITE)
def policy_update(request: ApiRequest) -> Any:
    for key in POLICY_KEYS:
        value = request.data.string(key)
        if value is not None and value != "accept":
            raise ApiError("Plaza does not filter notifications yet: every policy is accept", 422)
    return _policy()


@csrf_exempt
def policy(request: HttpRequest) -> HttpResponse:
    """``GET`` reads the policy, ``PATCH`` changes it (each with its own scope)."""
    if request.method in ("PATCH", "PUT"):
        return policy_update(request)
    return policy_show(request)


@endpoint("GET", scope=READ)
def requests(request: ApiRequest) -> Any:
    return []


@endpoint("GET", scope=READ)
def request_detail(request: ApiRequest, request_id: str) -> Any:
    raise ApiError("Record not found", 404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/notifications", notification_list),
    path("api/v1/notifications/clear", notifications_clear),
    path("api/v1/notifications/unread_count", unread_count_v1),
    path("api/v1/notifications/policy", policy),
    path("api/v1/notifications/requests", requests),
    path("api/v1/notifications/requests/<str:request_id>", request_detail),
    path("api/v1/notifications/<str:notification_id>", notification_detail),
    path("api/v1/notifications/<str:notification_id>/dismiss", notification_dismiss),
    path("api/v2/notifications", grouped_list),
    path("api/v2/notifications/unread_count", unread_count_v2),
    path("api/v2/notifications/policy", policy),
    path("api/v2/notifications/<str:group_key>", grouped_detail),
    path("api/v2/notifications/<str:group_key>/accounts", grouped_accounts),
    path("api/v2/notifications/<str:group_key>/dismiss", grouped_dismiss),
]
