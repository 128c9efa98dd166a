"""Web views of the feeds: home, public, hashtag and profile timelines.

Each view parses the keyset bounds, asks :mod:`feeds.queries` for one page and renders it.
An htmx "Load more" request (``HX-Request``) gets only the next cards and the next link;
everything else gets the full page, so reading works without JavaScript.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render

from accounts.models import Account
from feeds import queries
from feeds.queries import FeedPage, PageRange
from network.queries import relationships
from plaza.ids import is_digits
from posts.queries import cards, pinned_posts, with_related

TAG_RE = re.compile(r"^\w{1,100}$")
PROFILE_TABS = {"posts", "replies", "media"}


def _page_range(request: HttpRequest) -> PageRange:
    """Keyset bounds from the query string; ValueError on anything that isn't a number."""
    values: dict[str, int] = {}
    for key in ("max_id", "since_id", "min_id", "limit"):
        raw = request.GET.get(key, "").strip()
        if raw:
            if not is_digits(raw) or len(raw) > 20:
                raise ValueError(f"{key} must be a positive whole number.")
            values[key] = int(raw)
    return PageRange(**values)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _next_url(request: HttpRequest, page: FeedPage, **extra: str) -> str:
    if page.next_max_id is None:
        return ""
    params = {**extra, "max_id": str(page.next_max_id)}
    if "limit" in request.GET:
        params["limit"] = request.GET["limit"]
    return f"{request.path}?{urlencode(params)}"


class Aside:
    """The right panel's data (who to follow, trending tags), loaded only when rendered.

    ``feeds/_aside.html`` caches its HTML per viewer for a minute, so most page views never
    touch these queries.
    """

    def __init__(self, viewer: Account | None) -> None:
        self.viewer = viewer

    @cached_property
    def suggestions(self) -> list[Account]:
        return list(queries.suggested_accounts(self.viewer, limit=5))

    @cached_property
    def trending(self) -> list[Any]:
        return list(queries.trending_hashtags(limit=8))


def aside_context(viewer: Account | None) -> dict[str, Any]:
    """What ``feeds/_aside.html`` (who to follow, trending tags) needs; other pages may use it."""
    return {"aside": Aside(viewer)}


def _render_feed(
    request: HttpRequest,
    template: str,
    page: FeedPage,
    context: dict[str, Any],
    *,
    filter_context: str,
    next_params: dict[str, str] | None = None,
) -> HttpResponse:
    """Render a page of the feed; ``filter_context`` names the place for the viewer's
    filters (home, public, account)."""
    viewer = _viewer(request)
    feed_context = {
        "cards": cards(viewer, page.posts, context=filter_context),
        "next_url": _next_url(request, page, **(next_params or {})),
        "is_next_page": "max_id" in request.GET,
    }
    if _is_htmx(request):
        return render(request, "feeds/_feed_items.html", feed_context)
    return render(request, template, {**context, **feed_context, **aside_context(viewer)})


def _viewer(request: HttpRequest) -> Account | None:
    if not request.user.is_authenticated:
        return None
    return getattr(request.user, "account", None)


def _bad_range(error: ValueError) -> HttpResponse:
    return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


def home(request: HttpRequest) -> HttpResponse:
    """The viewer's home feed, with the composer on top. Logged out: the public timeline."""
    viewer = _viewer(request)
    if viewer is None:
        return redirect("feeds:public")
    try:
        page_range = _page_range(request)
    except ValueError as error:
        return _bad_range(error)
    page = queries.home_feed(viewer, page_range)
    return _render_feed(
        request,
        "feeds/home.html",
        page,
        {},
        filter_context="home",
    )


def public(request: HttpRequest) -> HttpResponse:
    """Public posts from everyone on this instance, newest first."""
    try:
        page_range = _page_range(request)
    except ValueError as error:
        return _bad_range(error)
    page = queries.public_feed(_viewer(request), page_range)
    return _render_feed(request, "feeds/public.html", page, {}, filter_context="public")


def hashtag(request: HttpRequest, name: str) -> HttpResponse:
    """Public posts tagged ``#name``."""
    if not TAG_RE.match(name):
        raise Http404("No such hashtag.")
    try:
        page_range = _page_range(request)
    except ValueError as error:
        return _bad_range(error)
    name = name.lower()
    page = queries.hashtag_feed(_viewer(request), name, page_range)
    context = {"tag": name, "post_count": queries.hashtag_post_count(name)}
    return _render_feed(request, "feeds/hashtag.html", page, context, filter_context="public")


def profile(request: HttpRequest, username: str, tab: str = "posts") -> HttpResponse:
    """An account's profile: header, relationship buttons, pinned posts and a timeline tab."""
    if tab not in PROFILE_TABS:
        raise Http404("No such tab.")
    account = Account.objects.filter(username__iexact=username).first()
    if account is None:
        raise Http404("No such account.")
    viewer = _viewer(request)
    rel = relationships(viewer, [account])[account.pk]
    if rel.blocking or rel.blocked_by:
        raise Http404("No such account.")
    try:
        page_range = _page_range(request)
    except ValueError as error:
        return _bad_range(error)
    page = queries.profile_feed(
        viewer, account, page_range, with_replies=tab == "replies", media_only=tab == "media"
    )
    pinned = []
    if tab == "posts" and page_range == PageRange(limit=page_range.limit):
        pinned = cards(viewer, list(with_related(pinned_posts(viewer, account))))
    context = {
        "account": account,
        "rel": rel,
        "tab": tab,
        "pinned": pinned,
        "is_self": viewer is not None and viewer.pk == account.pk,
    }
    return _render_feed(request, "feeds/profile.html", page, context, filter_context="account")
