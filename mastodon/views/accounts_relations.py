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
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path

from accounts.models import Account
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

# --- changes: one helper, a row per endpoint ------------------------------------------------

Options = Callable[[ApiRequest, Account, Account], dict[str, Any]]


def _relationship_change(
    name: str, scope: str, action: Callable[..., object], options: Options | None = None
) -> Callable[..., HttpResponse]:
    """A ``POST`` endpoint named ``name`` that runs ``action(viewer, account, **options)`` on
    the account in its URL and answers the viewer's Relationship to that account. A token
    without ``scope`` gets a 403 before anything is read or written (:func:`endpoint`).
    ``options`` reads what the request sends, and runs the checks that must come before
    the change (the follow rate limit)."""

    def view(request: ApiRequest, account_id: str) -> Any:
        me, target = _me(request), _get_account(account_id)
        action(me, target, **(options(request, me, target) if options else {}))
        return _relationship(me, target)

    view.__name__ = view.__qualname__ = name
    return endpoint("POST", scope=scope)(view)


def _follow_options(request: ApiRequest, me: Account, target: Account) -> dict[str, Any]:
    data = request.data
    data.array("languages")  # no per-language filtering in Plaza: accepted, ignored
    # Options not sent keep their current value on an existing follow (as in Mastodon).
    current = network_queries.relationship_details(me, [target])[target.pk]
    ratelimit.hit("follow", me)
    return {
        "show_reshares": bool(data.boolean("reblogs", current.show_reshares)),
        "notify_posts": bool(data.boolean("notify", current.notify)),
    }


def _mute_options(request: ApiRequest, me: Account, target: Account) -> dict[str, Any]:
    notifications = request.data.boolean("notifications", True)
    duration = request.data.integer("duration", 0)  # seconds; 0: until unmuted
    if duration is not None and duration < 0:
        raise ApiError("duration must be a number of seconds (0: indefinite)", 422)
    return {"notifications": bool(notifications), "duration": duration}


def _note_options(request: ApiRequest, me: Account, target: Account) -> dict[str, Any]:
    # An empty comment clears the viewer's private note.
    return {"comment": request.data.string("comment", "") or ""}


# A row per endpoint: its name, the scope it needs, the change (routes in urlpatterns).
follow = _relationship_change("follow", "write:follows", network_actions.follow, _follow_options)
unfollow = _relationship_change("unfollow", "write:follows", network_actions.unfollow)
remove_from_followers = _relationship_change(
    "remove_from_followers", "write:follows", network_actions.remove_follower
)
block = _relationship_change("block", "write:blocks", network_actions.block)
unblock = _relationship_change("unblock", "write:blocks", network_actions.unblock)
mute = _relationship_change("mute", "write:mutes", network_actions.mute, _mute_options)
unmute = _relationship_change("unmute", "write:mutes", network_actions.unmute)
note = _relationship_change("note", "write:accounts", network_actions.set_note, _note_options)
pin = _relationship_change("pin", "write:accounts", network_actions.endorse)
unpin = _relationship_change("unpin", "write:accounts", network_actions.unendorse)
# Here the viewer is the one asked and the account in the URL the one asking.
authorize_follow_request = _relationship_change(
    "authorize_follow_request", "write:follows", network_actions.approve_follow_request
)
reject_follow_request = _relationship_change(
    "reject_follow_request", "write:follows", network_actions.reject_follow_request
)


# --- the viewer's own lists -------------------------------------------------------------


def _my_list(request: ApiRequest, fetch: PageFetch) -> JsonResponse:
    p = _paging(request, 40, 80)
    return _account_list(request, p, fetch(_me(request), max_id=p.max_id, limit=p.limit))


@endpoint("GET", scope="read:follows")
def follow_requests(request: ApiRequest) -> Any:
    return _my_list(request, network_queries.received_follow_requests_page)


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
