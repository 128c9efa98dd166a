"""Mastodon API: search v2, hashtags (Tag entity), trends, followed tags.

Search goes through :mod:`search.queries` (SQLite FTS5 / PostgreSQL full-text, one
interface), so it shares every rule with the web search:

- accounts: discoverable people whose username, display name or bio match (the last word as
  a prefix), plus an exact username match; never accounts blocked either way.
- statuses: posts matching every word (and ``from:``/``has:media``/``before:``/``after:``
  filters), among :func:`posts.queries.visible_posts` of the viewer (so a private post never
  leaks), without other people's unlisted posts; newest first, as Mastodon orders them. A
  link to a post on this server finds that post.
- hashtags: names starting with the query, the exact name first.

Followed hashtags are :class:`search.models.FollowedHashtag`; their new public posts reach
the follower's home timeline (feeds.actions.fan_out).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone

from accounts.models import Account, Visibility
from feeds.queries import trending_hashtags, trending_posts
from mastodon.api import ApiError, ApiRequest, absolute_url, endpoint, paging, with_link_header
from mastodon.entities.accounts import account
from mastodon.entities.statuses import statuses
from plaza.errors import ActionError
from plaza.ids import id_for_time
from posts.models import Hashtag, Post, PostHashtag
from posts.queries import visible_posts, with_related
from search.actions import follow_hashtag, unfollow_hashtag
from search.backends import words
from search.parse import ParsedQuery, parse
from search.queries import (
    followed_hashtag_names,
    followed_hashtags,
    search_people,
    search_posts,
)
from search.queries import search_hashtags as search_tag_names

MAX_QUERY = 200
MAX_OFFSET = 10_000
HISTORY_DAYS = 7
DAY_MS = 86_400_000
TAG_NAME = re.compile(r"^\w{1,100}$")
POST_PATH = re.compile(r"^/@(\w+)/(\d{1,20})/?$")
PROFILE_PATH = re.compile(r"^/@(\w+)/?$")


# --- the Tag entity ---------------------------------------------------------------------


def tag_entities(viewer: Account | None, names: list[str]) -> list[dict[str, Any]]:
    """Tag entities with seven days of history (uses and distinct accounts per day), in one
    query whatever the number of tags (plus one for ``following``); ``featuring``
    says whether the tag is one of the viewer's profile interests."""
    today = timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - dt.timedelta(days=HISTORY_DAYS - 1)
    # Ids hold their creation time in milliseconds (above 16 bits): the day is a division.
    rows = PostHashtag.objects.filter(
        hashtag__name__in=names,
        post_id__gte=id_for_time(first),
        post__visibility=Visibility.PUBLIC,
    ).values_list("hashtag__name", "post_id", "post__author_id")
    uses: dict[tuple[str, int], int] = {}
    people: dict[tuple[str, int], set[int]] = {}
    for name, post_id, author_id in rows:
        day = ((post_id >> 16) // DAY_MS) * 86400
        uses[(name, day)] = uses.get((name, day), 0) + 1
        people.setdefault((name, day), set()).add(author_id)
    days = [int((today - dt.timedelta(days=i)).timestamp()) for i in range(HISTORY_DAYS)]
    # Featured hashtags are the viewer's profile interests (mastodon.views.extras).
    featured = set(viewer.interests or []) if viewer is not None else set()
    followed = followed_hashtag_names(viewer, names) if viewer is not None else set()
    out = []
    for name in names:
        entity: dict[str, Any] = {
            "id": name,
            "name": name,
            "url": absolute_url(f"/tags/{name}"),
            "history": [
                {
                    "day": str(day),
                    "uses": str(uses.get((name, day), 0)),
                    "accounts": str(len(people.get((name, day), ()))),
                }
                for day in days
            ],
        }
        if viewer is not None:
            entity["following"] = name in followed
            entity["featuring"] = name in featured
        out.append(entity)
    return out


# --- search -----------------------------------------------------------------------------


def _local_path(q: str) -> str | None:
    """The path of ``q`` when it is a link to this server."""
    if not q.startswith(("http://", "https://")):
        return None
    here = urlsplit(settings.PLAZA.public_url)
    there = urlsplit(q)
    return there.path if there.netloc == here.netloc else None


def _parse(q: str) -> ParsedQuery:
    try:
        return parse(q)
    except ActionError as exc:
        raise ApiError(exc.message, 422)


def search_accounts(
    viewer: Account | None, q: str, *, limit: int, offset: int, following: bool
) -> list[Account]:
    local = _local_path(q)
    if local is not None:
        match = PROFILE_PATH.match(local)
        if not match:
            return []
        q = match.group(1)
    q = q.lstrip("@")
    domain = urlsplit(settings.PLAZA.public_url).netloc
    if q.endswith("@" + domain):
        q = q[: -len(domain) - 1]
    if not q or "@" in q:
        return []  # a remote account: Plaza does not federate
    parsed = ParsedQuery(raw_words=" ".join(words(q)))
    found = search_people(viewer, parsed, limit=limit, offset=offset, following_only=following)
    return found.accounts


def search_statuses(
    viewer: Account | None,
    q: str,
    *,
    limit: int,
    offset: int,
    account_id: int | None,
    max_id: int | None,
    min_id: int | None,
) -> list[Post]:
    local = _local_path(q)
    if local is not None:
        match = POST_PATH.match(local)
        if not match:
            return []
        qs = visible_posts(viewer).filter(pk=int(match.group(2)), author__username=match.group(1))
        return list(with_related(qs)[:1])
    parsed = _parse(q)
    parsed.author_id = account_id
    found = search_posts(
        viewer, parsed, order="recent", limit=limit, offset=offset, max_id=max_id, min_id=min_id
    )
    return found.posts


def search_hashtags(viewer: Account | None, q: str, *, limit: int, offset: int) -> list[str]:
    return [t.name for t in search_tag_names(viewer, q, limit=limit, offset=offset)]


@endpoint("GET", scope="read:search", auth="optional")
def search_v2(request: ApiRequest) -> Any:
    data = request.data
    q = (data.string("q", max_length=MAX_QUERY) or "").strip()
    if not q:
        raise ApiError("q is required", 400)
    kind = data.string("type")
    if kind not in (None, "", "accounts", "statuses", "hashtags"):
        raise ApiError("type must be accounts, statuses or hashtags", 422)
    limit = data.integer("limit", 20, minimum=1, maximum=40) or 20
    offset = data.integer("offset", 0, minimum=0, maximum=MAX_OFFSET) or 0
    resolve = bool(data.boolean("resolve", False))
    following = bool(data.boolean("following", False))
    data.boolean("exclude_unreviewed")
    viewer = request.account
    if viewer is None and (offset or resolve):
        raise ApiError("Search queries pagination is not supported without authentication", 401)
    result: dict[str, Any] = {"accounts": [], "statuses": [], "hashtags": []}
    if kind in (None, "", "accounts"):
        found = search_accounts(viewer, q, limit=limit, offset=offset, following=following)
        result["accounts"] = [account(a) for a in found]
    if kind in (None, "", "statuses"):
        posts = search_statuses(
            viewer,
            q,
            limit=limit,
            offset=offset,
            account_id=data.identifier("account_id"),
            max_id=data.identifier("max_id"),
            min_id=data.identifier("min_id"),
        )
        result["statuses"] = statuses(viewer, posts)
    if kind in (None, "", "hashtags"):
        result["hashtags"] = tag_entities(
            viewer, search_hashtags(viewer, q, limit=limit, offset=offset)
        )
    return result


@endpoint("GET", auth="none")
def search_v1(request: ApiRequest) -> Any:
    raise ApiError("Record not found", 404)  # removed in Mastodon 3.0: use /api/v2/search


# --- tags -------------------------------------------------------------------------------


def _tag_name(name: str) -> str:
    name = name.lstrip("#").lower()
    if not TAG_NAME.match(name):
        raise ApiError("Record not found", 404)
    return name


@endpoint("GET", scope="read:statuses", auth="optional")
def tag_show(request: ApiRequest, name: str) -> Any:
    name = _tag_name(name)
    if not Hashtag.objects.filter(name=name).exists():
        raise ApiError("Record not found", 404)
    return tag_entities(request.account, [name])[0]


def _me(request: ApiRequest) -> Account:
    assert request.account is not None  # endpoints with auth="user"
    return request.account


@endpoint("POST", scope="write:follows")
def tag_follow(request: ApiRequest, name: str) -> Any:
    """Follow a hashtag (created if nobody used it yet, as Mastodon does). Idempotent."""
    tag = follow_hashtag(_me(request), _tag_name(name))
    return tag_entities(request.account, [tag.name])[0]


@endpoint("POST", scope="write:follows")
def tag_unfollow(request: ApiRequest, name: str) -> Any:
    """Stop following a hashtag. Any valid name answers (Mastodon creates the tag on
    follow/unfollow), so clients can "make sure"."""
    name = _tag_name(name)
    unfollow_hashtag(_me(request), name)
    return tag_entities(request.account, [name])[0]


@endpoint("GET", scope="read:follows")
def followed_tags(request: ApiRequest) -> Any:
    """The hashtags the caller follows, most recently followed first; paged by ``max_id``
    (the follow's id, in the ``Link`` header as Mastodon does)."""
    page = paging(request, default=100, maximum=200)
    rows = followed_hashtags(_me(request), limit=page.limit, max_id=page.max_id)
    body = tag_entities(request.account, [r.hashtag.name for r in rows])
    return with_link_header(
        request,
        body,
        next_max_id=rows[-1].pk if len(rows) == page.limit else None,
        prev_min_id=None,
    )


# --- trends -----------------------------------------------------------------------------


@endpoint("GET", scope="read:statuses", auth="optional")
def trends_tags(request: ApiRequest) -> Any:
    limit = request.data.integer("limit", 10, minimum=1, maximum=20) or 10
    offset = request.data.integer("offset", 0, minimum=0, maximum=100) or 0
    names = [t.name for t in trending_hashtags(limit + offset)][offset:]
    return tag_entities(request.account, names)


@endpoint("GET", scope="read:statuses", auth="optional")
def trends_statuses(request: ApiRequest) -> Any:
    limit = request.data.integer("limit", 20, minimum=1, maximum=40) or 20
    offset = request.data.integer("offset", 0, minimum=0, maximum=MAX_OFFSET) or 0
    return statuses(request.account, trending_posts(request.account, limit=limit, offset=offset))


@endpoint("GET", auth="optional")
def trends_links(request: ApiRequest) -> Any:
    return []  # Plaza does not collect link previews yet


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v2/search", search_v2),
    path("api/v1/search", search_v1),
    path("api/v1/tags/<str:name>", tag_show),
    path("api/v1/tags/<str:name>/follow", tag_follow),
    path("api/v1/tags/<str:name>/unfollow", tag_unfollow),
    path("api/v1/followed_tags", followed_tags),
    path("api/v1/trends", trends_tags),
    path("api/v1/trends/tags", trends_tags),
    path("api/v1/trends/statuses", trends_statuses),
    path("api/v1/trends/links", trends_links),
]
