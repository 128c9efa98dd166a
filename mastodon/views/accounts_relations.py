"""Mastodon API: changing relationships (follow, block, mute with a duration, private
notes, featuring) and the viewer's own lists of them (follow requests, blocks, mutes,
endorsements), plus suggestions.

Every change goes through ``network.actions``, every list through ``network.queries``.
Where Plaza differs from Mastodon: follow ``languages[]`` is accepted and ignored;
suggestions can't be dismissed yet (``DELETE /api/v1/suggestions/:id`` answers ``{}`` as
Mastodon does, and the account may be suggested again).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import JsonResponse
from django.urls import URLPattern, URLResolver, path

from feeds.queries import suggested_accounts
from mastodon.api import ApiError, ApiRequest, endpoint
from mastodon.entities.accounts import account, accounts, iso
from mastodon.views.accounts import (
    A,
    PageFetch,
    _account_list,
    _get_account,
    _me,
    _paging,
    _relationship,
)
from network import actions as network_actions
from network import queries as network_queries
from plaza import ratelimit


@endpoint("POST", scope="write:follows")
def follow(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    data = request.data
    data.array("languages")  # no per-language filtering in Plaza: accepted, ignored
    # Options not sent keep their current value on an existing follow (as in Mastodon).
    current = network_queries.relationship_details(me, [target])[target.pk]
    ratelimit.hit("follow", me)
    network_actions.follow(
        me,
        target,
        show_reshares=bool(data.boolean("reblogs", current.show_reshares)),
        notify_posts=bool(data.boolean("notify", current.notify)),
    )
    return _relationship(me, target)


@endpoint("POST", scope="write:follows")
def unfollow(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.unfollow(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:follows")
def remove_from_followers(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.remove_follower(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:blocks")
def block(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.block(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:blocks")
def unblock(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.unblock(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:mutes")
def mute(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    notifications = request.data.boolean("notifications", True)
    duration = request.data.integer("duration", 0)  # seconds; 0: until unmuted
    if duration is not None and duration < 0:
        raise ApiError("duration must be a number of seconds (0: indefinite)", 422)
    network_actions.mute(me, target, notifications=bool(notifications), duration=duration)
    return _relationship(me, target)


@endpoint("POST", scope="write:accounts")
def note(request: ApiRequest, account_id: str) -> Any:
    """Set (or, with an empty comment, clear) the viewer's private note on an account."""
    me, target = _me(request), _get_account(account_id)
    comment = request.data.string("comment", "")
    network_actions.set_note(me, target, comment or "")
    return _relationship(me, target)


@endpoint("POST", scope="write:mutes")
def unmute(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.unmute(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:accounts")
def pin(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.endorse(me, target)
    return _relationship(me, target)


@endpoint("POST", scope="write:accounts")
def unpin(request: ApiRequest, account_id: str) -> Any:
    me, target = _me(request), _get_account(account_id)
    network_actions.unendorse(me, target)
    return _relationship(me, target)


# --- the viewer's own lists -------------------------------------------------------------


def _my_list(request: ApiRequest, fetch: PageFetch) -> JsonResponse:
    p = _paging(request, 40, 80)
    return _account_list(request, p, fetch(_me(request), max_id=p.max_id, limit=p.limit))


@endpoint("GET", scope="read:follows")
def follow_requests(request: ApiRequest) -> Any:
    return _my_list(request, network_queries.received_follow_requests_page)


@endpoint("POST", scope="write:follows")
def authorize_follow_request(request: ApiRequest, account_id: str) -> Any:
    me, requester = _me(request), _get_account(account_id)
    network_actions.approve_follow_request(me, requester)
    return _relationship(me, requester)


@endpoint("POST", scope="write:follows")
def reject_follow_request(request: ApiRequest, account_id: str) -> Any:
    me, requester = _me(request), _get_account(account_id)
    network_actions.reject_follow_request(me, requester)
    return _relationship(me, requester)


@endpoint("GET", scope="read:blocks")
def blocks(request: ApiRequest) -> Any:
    return _my_list(request, network_queries.blocks_page)


@endpoint("GET", scope="read:mutes")
def mutes(request: ApiRequest) -> Any:
    """Muted accounts, each with ``mute_expires_at`` (Mastodon's MutedAccount)."""
    me = _me(request)
    p = _paging(request, 40, 80)
    page = network_queries.mutes_page(me, max_id=p.max_id, limit=p.limit)
    response = _account_list(request, p, page)
    ends = {row.account.pk: row.expires_at for row in page.rows}
    body = json.loads(response.content)
    for item in body:
        item["mute_expires_at"] = iso(ends.get(int(item["id"])))
    response.content = json.dumps(body, ensure_ascii=False).encode()
    return response


@endpoint("GET", scope="read:accounts")
def endorsements(request: ApiRequest) -> Any:
    return _my_list(request, network_queries.endorsements_page)


# --- suggestions ------------------------------------------------------------------------


@endpoint("GET", scope="read")
def suggestions_v2(request: ApiRequest) -> Any:
    limit = request.data.integer("limit", 40, minimum=1, maximum=80) or 40
    # suggested_accounts ranks discoverable accounts by followers: Mastodon's "most_followed".
    return [
        {"source": "global", "sources": ["most_followed"], "account": account(a)}
        for a in suggested_accounts(_me(request), limit=limit)
    ]


@endpoint("GET", scope="read")
def suggestions_v1(request: ApiRequest) -> Any:
    limit = request.data.integer("limit", 40, minimum=1, maximum=80) or 40
    return accounts(suggested_accounts(_me(request), limit=limit))


@endpoint("DELETE", scope="read")
def dismiss_suggestion(request: ApiRequest, account_id: str) -> Any:
    # Mastodon answers {} even for unknown ids; Plaza has no dismissals to store yet.
    return {}


urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{A}/<str:account_id>/follow", follow),
    path(f"{A}/<str:account_id>/unfollow", unfollow),
    path(f"{A}/<str:account_id>/remove_from_followers", remove_from_followers),
    path(f"{A}/<str:account_id>/block", block),
    path(f"{A}/<str:account_id>/unblock", unblock),
    path(f"{A}/<str:account_id>/mute", mute),
    path(f"{A}/<str:account_id>/unmute", unmute),
    path(f"{A}/<str:account_id>/note", note),
    path(f"{A}/<str:account_id>/pin", pin),
    path(f"{A}/<str:account_id>/unpin", unpin),
    path("api/v1/follow_requests", follow_requests),
    path("api/v1/follow_requests/<str:account_id>/authorize", authorize_follow_request),
    path("api/v1/follow_requests/<str:account_id>/reject", reject_follow_request),
    path("api/v1/blocks", blocks),
    path("api/v1/mutes", mutes),
    path("api/v1/endorsements", endorsements),
    path("api/v2/suggestions", suggestions_v2),
    path("api/v1/suggestions", suggestions_v1),
    path("api/v1/suggestions/<str:account_id>", dismiss_suggestion),
]
