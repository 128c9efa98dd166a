"""Mastodon API: notifications, v1 (one by one) and v2 (grouped), the notification policy
and notification requests.

Kinds map to Mastodon types as :mod:`mastodon.entities.notifications` describes; Plaza's
connection notifications come only to clients that ask for ``plaza:connection_request`` /
``plaza:connection_accepted`` in ``types[]``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver, path

from accounts.models import Account
from mastodon.api import (
    ApiError,
    ApiRequest,
    Paging,
    by_method,
    endpoint,
    ids_of,
    paging,
    with_link_header,
)
from mastodon.entities import notifications as entities
from mastodon.entities.accounts import account
from notifications import queries
from notifications.actions import (
    accept_requests,
    clear,
    dismiss,
    dismiss_requests,
    update_policy,
)
from notifications.models import (
    Notification,
    NotificationPolicy,
    NotificationRequest,
    PolicyAction,
)
from notifications.queries import notifications_for
from plaza.errors import ActionError, NotFound

READ = "read:notifications"
WRITE = "write:notifications"
UNREAD_CAP = 1000


def _me(request: ApiRequest) -> Account:
    assert request.account is not None  # auth="user"
    return request.account


def _filtered(request: ApiRequest, *, unread: bool = False) -> QuerySet[Notification]:
    """The caller's notifications, narrowed by ``types[]``, ``exclude_types[]``, ``account_id``.
    Notifications the policy put aside come with ``include_filtered=true`` or, as Mastodon
    does, with ``account_id`` (how clients show one request's notifications); never in
    unread counts."""
    data = request.data
    kinds = entities.kinds_for(data.array("types"), data.array("exclude_types"))
    actor_id = data.identifier("account_id")
    include = not unread and (bool(data.boolean("include_filtered")) or actor_id is not None)
    return notifications_for(
        _me(request), kinds=kinds, actor_id=actor_id, filtered=None if include else False
    )


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
    unread = _filtered(request, unread=True).filter(read_at__isnull=True)
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
    unread = _filtered(request, unread=True).filter(read_at__isnull=True).order_by("-id")
    keys: set[str] = set()
    for n in unread.only("id", "kind", "post_id")[: limit * 4]:
        keys.add(entities.group_key(n, grouped))
        if len(keys) >= limit:
            break
    return {"count": len(keys)}


# --- policy and requests ----------------------------------------------------------------


def _policy_changes(request: ApiRequest, v1: bool) -> dict[str, str]:
    """The fields a client sent, as v2 values; 422 for anything else (nothing is written)."""
    data = request.data
    changes: dict[str, str] = {}
    if v1:
        for old, new in entities.V1_FIELDS.items():
            flag = data.boolean(old)
            if flag is not None:
                changes[new] = "filter" if flag else "accept"
        return changes
    for key in NotificationPolicy.FIELDS:
        value = data.string(key)
        if value is not None:
            if value not in PolicyAction.values:
                raise ApiError(f"{key} must be one of accept, filter or drop", 422)
            changes[key] = value
    return changes


def _policy_entity(account: Account, policy: NotificationPolicy, v1: bool) -> dict[str, Any]:
    summary = queries.pending_summary(account)
    if v1:
        return entities.notification_policy_v1(policy, summary)
    return entities.notification_policy(policy, summary)


def _policy_show(v1: bool) -> Any:
    @endpoint("GET", scope=READ)
    def show(request: ApiRequest) -> Any:
        return _policy_entity(_me(request), queries.policy_of(_me(request)), v1)

    return show


def _policy_update(v1: bool) -> Any:
    @endpoint("PATCH", "PUT", scope=WRITE)
    def update(request: ApiRequest) -> Any:
        try:
            policy = update_policy(_me(request), _policy_changes(request, v1))
        except ActionError as error:
            raise ApiError(error.message, 422)
        return _policy_entity(_me(request), policy, v1)

    return update


policy_v1 = by_method(get=_policy_show(True), patch=_policy_update(True), put=_policy_update(True))
policy = by_method(get=_policy_show(False), patch=_policy_update(False), put=_policy_update(False))


def _pending(request: ApiRequest, request_id: str) -> queries.PendingRequest:
    try:
        return queries.get_request(_me(request), request_id)
    except NotFound:
        raise ApiError("Record not found", 404)


@endpoint("GET", scope=READ)
def requests(request: ApiRequest) -> Any:
    p = paging(request, default=40, maximum=80)
    found = queries.requests_page(
        _me(request), max_id=p.max_id, since_id=p.since_id, min_id=p.min_id, limit=p.limit
    )
    return with_link_header(
        request,
        entities.notification_requests(_me(request), found),
        next_max_id=found[-1].request.pk if len(found) == p.limit else None,
        prev_min_id=found[0].request.pk if found else None,
    )


@endpoint("GET", scope=READ)
def request_detail(request: ApiRequest, request_id: str) -> Any:
    return entities.notification_requests(_me(request), [_pending(request, request_id)])[0]


@endpoint("POST", scope=WRITE)
def request_accept(request: ApiRequest, request_id: str) -> Any:
    accept_requests(_me(request), [_pending(request, request_id).request])
    return {}


@endpoint("POST", scope=WRITE)
def request_dismiss(request: ApiRequest, request_id: str) -> Any:
    dismiss_requests(_me(request), [_pending(request, request_id).request])
    return {}


def _bulk(request: ApiRequest) -> list[NotificationRequest]:
    """The requests named by ``id[]``: all the caller's, or 404 and nothing changes."""
    ids = ids_of(request.data.array("id"))
    if not ids:
        raise ApiError("id[] is required", 422)
    if len(ids) > 100:
        raise ApiError("At most 100 requests at a time", 422)
    try:
        return queries.get_requests(_me(request), ids)
    except NotFound:
        raise ApiError("Record not found", 404)


@endpoint("POST", scope=WRITE)
def requests_accept(request: ApiRequest) -> Any:
    accept_requests(_me(request), _bulk(request))
    return {}


@endpoint("POST", scope=WRITE)
def requests_dismiss(request: ApiRequest) -> Any:
    dismiss_requests(_me(request), _bulk(request))
    return {}


@endpoint("GET", scope=READ)
def requests_merged(request: ApiRequest) -> Any:
    # Accepting moves notifications in the same transaction: always merged.
    return {"merged": True}


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/notifications", notification_list),
    path("api/v1/notifications/clear", notifications_clear),
    path("api/v1/notifications/unread_count", unread_count_v1),
    path("api/v1/notifications/policy", policy_v1),
    path("api/v1/notifications/requests", requests),
    path("api/v1/notifications/requests/accept", requests_accept),
    path("api/v1/notifications/requests/dismiss", requests_dismiss),
    path("api/v1/notifications/requests/merged", requests_merged),
    path("api/v1/notifications/requests/<str:request_id>", request_detail),
    path("api/v1/notifications/requests/<str:request_id>/accept", request_accept),
    path("api/v1/notifications/requests/<str:request_id>/dismiss", request_dismiss),
    path("api/v1/notifications/<str:notification_id>", notification_detail),
    path("api/v1/notifications/<str:notification_id>/dismiss", notification_dismiss),
    path("api/v2/notifications", grouped_list),
    path("api/v2/notifications/unread_count", unread_count_v2),
    path("api/v2/notifications/policy", policy),
    path("api/v2/notifications/<str:group_key>", grouped_detail),
    path("api/v2/notifications/<str:group_key>/accounts", grouped_accounts),
    path("api/v2/notifications/<str:group_key>/dismiss", grouped_dismiss),
]
