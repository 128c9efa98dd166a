"""Mastodon API: timelines (home, public, tag, list, link) and markers.

Every timeline reads through :mod:`feeds.queries`, so the API shows exactly what the web
feeds show (visibility, blocks, mutes); a page costs a fixed number of queries.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import URLPattern, URLResolver, path

from feeds.queries import (
    FeedPage,
    PageRange,
    hashtag_feed_filtered,
    home_feed,
    public_feed_filtered,
)
from mastodon.api import ApiError, ApiRequest, Paging, endpoint, paging, with_link_header
from mastodon.entities.accounts import iso
from mastodon.entities.statuses import statuses
from mastodon.models import Marker
from notifications.actions import mark_read

HASHTAG = re.compile(r"^\w{1,100}$")


def _range(p: Paging) -> PageRange:
    return PageRange(max_id=p.max_id, since_id=p.since_id, min_id=p.min_id, limit=p.limit)


def _feed_response(request: ApiRequest, page: FeedPage, context: str) -> Any:
    """A timeline page; ``context`` is where the viewer's filters apply (paging follows the
    unfiltered page, so a hidden post never makes a client skip or repeat)."""
    return with_link_header(
        request,
        statuses(request.account, page.posts, context=context),
        next_max_id=page.next_max_id,
        prev_min_id=page.posts[0].pk if page.posts else None,
    )


# --- timelines --------------------------------------------------------------------------


@endpoint("GET", scope="read:statuses")
def home(request: ApiRequest) -> Any:
    assert request.account is not None
    return _feed_response(request, home_feed(request.account, _range(paging(request))), "home")


@endpoint("GET", scope="read:statuses", auth="optional")
def public(request: ApiRequest) -> Any:
    """Plaza has only local posts: ``remote=true`` is honestly empty, ``local`` changes nothing."""
    p = paging(request)
    data = request.data
    data.boolean("local")  # validated; every post is local
    only_media = bool(data.boolean("only_media", False))
    if data.boolean("remote", False):
        return with_link_header(request, [], next_max_id=None, prev_min_id=None)
    return _feed_response(
        request, public_feed_filtered(request.account, _range(p), only_media=only_media), "public"
    )


def _tags(request: ApiRequest, key: str) -> tuple[str, ...]:
    names = [n.lstrip("#").lower() for n in request.data.array(key)]
    return tuple(n for n in names if HASHTAG.match(n))


@endpoint("GET", scope="read:statuses", auth="optional")
def tag(request: ApiRequest, hashtag: str) -> Any:
    """Public posts tagged ``#hashtag`` (an unknown tag has no posts yet: an empty list)."""
    name = hashtag.lstrip("#").lower()
    if not HASHTAG.match(name):
        raise ApiError("Record not found", 404)
    p = paging(request)
    data = request.data
    data.boolean("local")
    if data.boolean("remote", False):
        return with_link_header(request, [], next_max_id=None, prev_min_id=None)
    page = hashtag_feed_filtered(
        request.account,
        name,
        _range(p),
        any_of=_tags(request, "any"),
        all_of=_tags(request, "all"),
        none_of=_tags(request, "none"),
        only_media=bool(data.boolean("only_media", False)),
    )
    return _feed_response(request, page, "public")


@endpoint("GET", scope="read:lists")
def list_timeline(request: ApiRequest, list_id: str) -> Any:
    raise ApiError("Record not found", 404)  # Plaza has no lists yet


@endpoint("GET", scope="read:statuses", auth="optional")
def link_timeline(request: ApiRequest) -> Any:
    if not request.data.string("url"):
        raise ApiError("url is required", 400)
    raise ApiError("Record not found", 404)  # no trending links, so none is "currently trending"


# --- markers ----------------------------------------------------------------------------

TIMELINES = ("home", "notifications")


def _marker(m: Marker) -> dict[str, Any]:
    return {
        "last_read_id": str(m.last_read_id),
        "version": m.version,
        "updated_at": iso(m.updated_at),
    }


@endpoint("GET", scope="read:statuses")
def markers_show(request: ApiRequest) -> Any:
    wanted = [t for t in request.data.array("timeline") if t in TIMELINES]
    if not wanted:
        return {}
    found = Marker.objects.filter(account=request.account, timeline__in=wanted)
    return {m.timeline: _marker(m) for m in found}


@endpoint("POST", scope="write:statuses")
def markers_save(request: ApiRequest) -> Any:
    """Save read positions; reading notifications up to an id also marks them read in Plaza,
    so the web badge agrees with the client."""
    me = request.account
    assert me is not None
    wanted: dict[str, int] = {}
    for timeline in TIMELINES:
        raw = request.data.object(timeline).get("last_read_id")
        if raw is None or raw == "":
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ApiError(f"{timeline}[last_read_id] must be an id", 422)
        if value < 0:
            raise ApiError(f"{timeline}[last_read_id] must be an id", 422)
        wanted[timeline] = value
    if not wanted:
        raise ApiError("Give home[last_read_id] or notifications[last_read_id]", 422)
    with transaction.atomic():
        for timeline, value in wanted.items():
            updated = Marker.objects.filter(account=me, timeline=timeline).update(
                last_read_id=value, version=F("version") + 1
            )
            if not updated:
                Marker.objects.create(account=me, timeline=timeline, last_read_id=value)
            if timeline == "notifications":
                mark_read(me, up_to_id=value)
    found = Marker.objects.filter(account=me, timeline__in=list(wanted))
    return {m.timeline: _marker(m) for m in found}


def markers(request: Any) -> Any:
    return markers_save(request) if request.method == "POST" else markers_show(request)


markers.csrf_exempt = True  # type: ignore[attr-defined]


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/timelines/home", home),
    path("api/v1/timelines/public", public),
    path("api/v1/timelines/tag/<str:hashtag>", tag),
    path("api/v1/timelines/list/<str:list_id>", list_timeline),
    path("api/v1/timelines/link", link_timeline),
    path("api/v1/markers", markers),
]
