"""Native API: search, trends, suggestions (with reasons, dismissable), followed hashtags.

Search takes the same query language as the web (``from:``, ``has:media``, ``before:``,
``after:``, ``in:``, ``"phrases"``, ``#tags``); a malformed filter answers 422 with the reason.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from accounts.api import AccountOut, to_account
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, page_key, parse_id, viewer_of
from posts.schemas import PostOut, to_posts
from search import actions, queries, suggestions, trends
from search.parse import parse

router: Router = Router(auth=TokenAuth("search"))
PUBLIC = TokenAuth("search", optional=True)
FOLLOWS = TokenAuth("follows")


class SearchIn(Schema):
    q: str = Field(..., max_length=200, description="Words, filters, #tags")
    type: Literal["all", "people", "posts", "hashtags", "groups"] = "all"
    order: Literal["relevance", "recent"] = "relevance"
    limit: int = Field(20, ge=1, le=40)
    offset: int = Field(0, ge=0, le=1000, description="people, hashtags, posts by relevance")
    max_id: str | None = Field(None, description="posts by recent: older than this id")


class HashtagOut(Schema):
    name: str
    posts: int
    following: bool


class GroupOut(Schema):
    id: str
    handle: str
    name: str
    description: str
    visibility: str
    member_count: int


class SearchOut(Schema):
    accounts: list[AccountOut]
    posts: list[PostOut]
    hashtags: list[HashtagOut]
    groups: list[GroupOut]
    next_offset: int | None = Field(None, description="offset of the next page of this type")
    next_max_id: str | None = Field(None, description="max_id of the next page (recent posts)")


class SuggestionOut(Schema):
    account: AccountOut
    reason: str


class GroupSuggestionOut(Schema):
    group: GroupOut
    reason: str


class DismissIn(InputSchema):
    kind: Literal["account", "group"] = "account"
    id: str


class LimitIn(Schema):
    limit: int = Field(10, ge=1, le=40)


class TrendsIn(Schema):
    limit: int = Field(20, ge=1, le=40)
    offset: int = Field(0, ge=0, le=100)


class FollowedIn(Schema):
    limit: int = Field(100, ge=1, le=200)
    max_id: str | None = Field(None, description="older than this follow id")


class TrendingTagOut(Schema):
    name: str
    posts: int


def _group(g: object) -> GroupOut:
    return GroupOut(
        id=str(g.pk),  # type: ignore[attr-defined]
        handle=g.handle,  # type: ignore[attr-defined]
        name=g.name,  # type: ignore[attr-defined]
        description=g.description,  # type: ignore[attr-defined]
        visibility=g.visibility,  # type: ignore[attr-defined]
        member_count=g.member_count,  # type: ignore[attr-defined]
    )


@router.get("/search", response={200: SearchOut, **ERRORS}, auth=PUBLIC, summary="Search")
def search(request: HttpRequest, params: Query[SearchIn]) -> SearchOut:
    viewer = viewer_of(request)
    q = parse(params.q)
    kind = q.type if params.type == "all" and q.type else params.type
    out = SearchOut(
        accounts=[], posts=[], hashtags=[], groups=[], next_offset=None, next_max_id=None
    )
    if kind in ("all", "people"):
        people = queries.search_people(viewer, q, limit=params.limit, offset=params.offset)
        out.accounts = [to_account(a) for a in people.accounts]
        out.next_offset = people.next_offset if kind == "people" else None
    if kind in ("all", "hashtags"):
        out.hashtags = [
            HashtagOut(name=t.name, posts=t.posts, following=t.following)
            for t in queries.search_hashtags(viewer, q, limit=params.limit, offset=params.offset)
        ]
    if kind in ("all", "groups"):
        found = queries.search_groups(viewer, q, limit=params.limit, offset=params.offset)
        out.groups = [_group(g) for g in found]
    if kind in ("all", "posts"):
        posts = queries.search_posts(
            viewer,
            q,
            order=params.order,
            limit=params.limit,
            offset=params.offset if params.order == "relevance" else 0,
            max_id=page_key(params.max_id, "max_id"),
        )
        out.posts = to_posts(viewer, posts.posts)
        if kind == "posts":
            out.next_offset = posts.next_offset
            out.next_max_id = str(posts.next_max_id) if posts.next_max_id else None
    return out


@router.get(
    "/trends/hashtags",
    response={200: list[TrendingTagOut], **ERRORS},
    auth=PUBLIC,
    summary="Trending hashtags",
)
def trending_hashtags(request: HttpRequest, params: Query[LimitIn]) -> list[TrendingTagOut]:
    found = trends.hashtag_scores()[: params.limit]
    return [TrendingTagOut(name=n, posts=p) for n, _s, p in found]


@router.get(
    "/trends/posts", response={200: list[PostOut], **ERRORS}, auth=PUBLIC, summary="Trending posts"
)
def trending_posts(request: HttpRequest, params: Query[TrendsIn]) -> list[PostOut]:
    viewer = viewer_of(request)
    found = trends.visible_trending_posts(viewer, limit=params.limit, offset=params.offset)
    return to_posts(viewer, found)


@router.get(
    "/suggestions/people",
    response={200: list[SuggestionOut], **ERRORS},
    summary="People you may know, with the reason",
)
def people(request: HttpRequest, params: Query[LimitIn]) -> list[SuggestionOut]:
    found = suggestions.people_you_may_know(account_of(request), limit=params.limit)
    return [SuggestionOut(account=to_account(s.account), reason=s.reason) for s in found]


@router.get(
    "/suggestions/groups",
    response={200: list[GroupSuggestionOut], **ERRORS},
    summary="Groups you may like, with the reason",
)
def groups(request: HttpRequest, params: Query[LimitIn]) -> list[GroupSuggestionOut]:
    found = suggestions.groups_you_may_like(account_of(request), limit=params.limit)
    return [GroupSuggestionOut(group=_group(s.group), reason=s.reason) for s in found]


@router.post(
    "/suggestions/dismiss",
    response={204: None, **ERRORS},
    auth=FOLLOWS,
    summary="Never suggest this account or group again",
)
def dismiss(request: HttpRequest, payload: DismissIn) -> Status[None]:
    actions.dismiss_suggestion(account_of(request), payload.kind, parse_id(payload.id))
    return Status(204, None)


@router.get(
    "/hashtags/followed",
    response={200: list[HashtagOut], **ERRORS},
    auth=FOLLOWS,
    summary="Hashtags you follow",
)
def followed(request: HttpRequest, params: Query[FollowedIn]) -> list[HashtagOut]:
    rows = queries.followed_hashtags(
        account_of(request), limit=params.limit, max_id=page_key(params.max_id, "max_id")
    )
    return [HashtagOut(name=r.hashtag.name, posts=0, following=True) for r in rows]


@router.post(
    "/hashtags/{name}/follow",
    response={200: HashtagOut, **ERRORS},
    auth=FOLLOWS,
    summary="Follow a hashtag: its new public posts reach your home feed",
)
def follow(request: HttpRequest, name: str) -> HashtagOut:
    tag = actions.follow_hashtag(account_of(request), name)
    return HashtagOut(name=tag.name, posts=0, following=True)


@router.post(
    "/hashtags/{name}/unfollow",
    response={200: HashtagOut, **ERRORS},
    auth=FOLLOWS,
    summary="Stop following a hashtag",
)
def unfollow(request: HttpRequest, name: str) -> HashtagOut:
    actions.unfollow_hashtag(account_of(request), name)
    return HashtagOut(name=actions.clean_tag_name(name), posts=0, following=False)
