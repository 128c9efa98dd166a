"""Web views of discovery: search, trending, people you may know, following hashtags.

Search is a GET form (shareable URLs, works without JavaScript); the tabs are ``type=``.
Following a hashtag and dismissing a suggestion are form POSTs that redirect back (``next``),
or answer a partial to htmx.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Account
from feeds import queries as feed_queries
from plaza.errors import ActionError
from plaza.ids import is_digits
from posts.queries import cards
from search import actions, queries, suggestions, trends
from search.models import SuggestionKind
from search.parse import ParsedQuery, parse

TABS = [
    ("all", "All"),
    ("people", "People"),
    ("posts", "Posts"),
    ("hashtags", "Hashtags"),
    ("groups", "Groups"),
]
PAGE = 20
PREVIEW = 4
TRENDING_TAGS = 10


def _viewer(request: HttpRequest) -> Account | None:
    if not request.user.is_authenticated:
        return None
    return getattr(request.user, "account", None)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _int(request: HttpRequest, key: str) -> int | None:
    raw = request.GET.get(key, "").strip()
    if is_digits(raw) and len(raw) <= 20:
        return int(raw)
    return None


def search(request: HttpRequest) -> HttpResponse:
    """``/search?q=…&type=all|people|posts|hashtags|groups&order=relevance|recent``."""
    viewer = _viewer(request)
    q = request.GET.get("q", "")
    tab = request.GET.get("type", "all")
    if tab not in dict(TABS):
        tab = "all"
    order = "recent" if request.GET.get("order") == "recent" else "relevance"
    context: dict[str, Any] = {"q": q, "tab": tab, "order": order, "tabs": TABS, "error": ""}
    parsed: ParsedQuery | None = None
    if q.strip():
        try:
            parsed = parse(q)
        except ActionError as exc:
            context["error"] = exc.message
    if parsed is not None:
        if parsed.type and tab == "all":
            tab = context["tab"] = parsed.type
        context.update(_results(request, viewer, parsed, tab, order))
    if _is_htmx(request) and parsed is not None and tab == "posts":
        return render(request, "search/_post_results.html", context)
    return render(request, "search/search.html", context)


def _results(
    request: HttpRequest, viewer: Account | None, q: ParsedQuery, tab: str, order: str
) -> dict[str, Any]:
    out: dict[str, Any] = {"searched": True}
    everything = tab == "all"
    limit = PREVIEW if everything else PAGE
    offset = min(_int(request, "offset") or 0, 1000)
    sections = {tab}
    if everything:
        # from:, in:, has:media and dates narrow posts only: people, hashtags and groups
        # matching the words alone would ignore them (and cost a statement or two each).
        sections = {"posts"} if q.has_filters else {"people", "hashtags", "groups", "posts"}
    if "people" in sections:
        people = queries.search_people(viewer, q, limit=limit, offset=0 if everything else offset)
        out["people"] = people.accounts
        if not everything and people.next_offset is not None:
            out["next_url"] = _page_url(request, offset=str(people.next_offset))
    if "hashtags" in sections:
        out["hashtags"] = queries.search_hashtags(viewer, q, limit=limit)
    if "groups" in sections:
        out["groups"] = queries.search_groups(viewer, q, limit=limit)
    if "posts" in sections:
        results = queries.search_posts(
            viewer,
            q,
            order=order,
            limit=limit if everything else PAGE,
            offset=0 if everything or order == "recent" else offset,
            max_id=None if everything else _int(request, "max_id"),
        )
        out["cards"] = cards(viewer, results.posts)
        if not everything:
            if results.next_max_id is not None:
                out["next_url"] = _page_url(request, max_id=str(results.next_max_id))
            elif results.next_offset is not None:
                out["next_url"] = _page_url(request, offset=str(results.next_offset))
    out["nothing"] = not any(out.get(k) for k in ("people", "hashtags", "groups", "cards"))
    return out


def _page_url(request: HttpRequest, **params: str) -> str:
    keep = {k: v for k, v in request.GET.items() if k in ("q", "type", "order")}
    return f"{request.path}?{urlencode({**keep, **params})}"


def trending(request: HttpRequest) -> HttpResponse:
    """``/explore/trending``: the posts trending on this server (best first, paged with
    ``offset`` through the trend pool) under the trending hashtags.

    Open to visitors who are not logged in, like the public Explore timeline and the trends
    API: trends are made of public posts only, and each read drops what the viewer may not
    see or has hidden (blocks, mutes, the viewer's "public" filters).
    """
    viewer = _viewer(request)
    offset = min(_int(request, "offset") or 0, trends.POOL)
    # One more than a page tells whether there is a next one.
    found = trends.visible_trending_posts(viewer, limit=PAGE + 1, offset=offset)
    more = len(found) > PAGE and offset + PAGE < trends.POOL
    context: dict[str, Any] = {
        "cards": cards(viewer, found[:PAGE], context="public"),
        "next_url": f"{request.path}?{urlencode({'offset': offset + PAGE})}" if more else "",
        "is_next_page": offset > 0,
    }
    if _is_htmx(request):
        return render(request, "search/_trending_items.html", context)
    context["tags"] = feed_queries.trending_hashtags(limit=TRENDING_TAGS)
    return render(request, "search/trending.html", context)


@login_required
def explore_people(request: HttpRequest) -> HttpResponse:
    """People you may know (with the reason each is suggested) and groups you may like."""
    viewer = request.user.account  # type: ignore[union-attr]
    return render(
        request,
        "search/explore_people.html",
        {
            "suggestions": suggestions.people_you_may_know(viewer, limit=30),
            "group_suggestions": suggestions.groups_you_may_like(viewer, limit=10),
        },
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@require_POST
@login_required
def dismiss(request: HttpRequest) -> HttpResponse:
    """ "Not interested": hide a suggested account or group for good."""
    viewer = request.user.account  # type: ignore[union-attr]
    kind = request.POST.get("kind", SuggestionKind.ACCOUNT)
    raw = request.POST.get("id", "")
    try:
        if not is_digits(raw) or len(raw) > 20:
            raise ActionError("No such suggestion.", field="id")
        actions.dismiss_suggestion(viewer, kind, int(raw))
    except ActionError as exc:
        if _is_htmx(request):
            return HttpResponse(exc.message, status=422)
        messages.error(request, exc.message)
        return _back(request, "search:explore_people")
    if _is_htmx(request):
        return HttpResponse("")  # the card removes itself
    messages.success(request, "Got it: we won't suggest that again.")
    return _back(request, "search:explore_people")


@require_POST
@login_required
def follow_tag(request: HttpRequest, name: str) -> HttpResponse:
    return _tag_action(request, name, follow=True)


@require_POST
@login_required
def unfollow_tag(request: HttpRequest, name: str) -> HttpResponse:
    return _tag_action(request, name, follow=False)


def _tag_action(request: HttpRequest, name: str, *, follow: bool) -> HttpResponse:
    viewer = request.user.account  # type: ignore[union-attr]
    try:
        if follow:
            tag = actions.follow_hashtag(viewer, name).name
        else:
            actions.unfollow_hashtag(viewer, name)
            tag = actions.clean_tag_name(name)
    except ActionError as exc:
        if _is_htmx(request):
            return HttpResponse(exc.message, status=422)
        messages.error(request, exc.message)
        return _back(request, "search:search")
    if _is_htmx(request):
        return render(
            request,
            "search/_tag_follow_button.html",
            {"tag": tag, "following": follow, "next": request.POST.get("next", "")},
        )
    if follow:
        messages.success(request, f"Following #{tag}: new posts with it will be in your home feed.")
    return _back(request, f"/tags/{tag}")
