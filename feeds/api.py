"""Native API: the feeds (home, public, hashtag, an account's posts), keyset-paginated.

Pass ``max_id`` for older posts (the ``next_max_id`` of the page before), ``min_id`` or
``since_id`` for newer ones (``prev_min_id``). Every page costs a fixed number of queries.
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.api import visible_account
from feeds import queries
from feeds.queries import FeedPage, PageRange
from plaza.api import ERRORS, TokenAuth, account_of, page_key, viewer_of
from plaza.errors import NotFound
from posts.schemas import PostOut, to_posts

router: Router = Router(auth=TokenAuth("statuses"))
PUBLIC = TokenAuth("statuses", optional=True)
TAG_RE = re.compile(r"^\w{1,100}$")


class FeedPageOut(Schema):
    items: list[PostOut]
    next_max_id: str | None = Field(description="max_id for the next (older) page; null: end")
    prev_min_id: str | None = Field(description="min_id for newer posts")


class FeedIn(Schema):
    max_id: str | None = Field(None, description="Posts older than this id")
    since_id: str | None = Field(None, description="Posts newer than this id (newest first)")
    min_id: str | None = Field(None, description="Posts just after this id (oldest first)")
    limit: int = Field(queries.DEFAULT_LIMIT, ge=1, le=queries.MAX_LIMIT)


class ProfileFeedIn(FeedIn):
    with_replies: bool = False
    media_only: bool = False


def _range(page: FeedIn) -> PageRange:
    return PageRange(
        max_id=page_key(page.max_id, "max_id"),
        since_id=page_key(page.since_id, "since_id"),
        min_id=page_key(page.min_id, "min_id"),
        limit=page.limit,
    )


def _out(request: HttpRequest, page: FeedPage) -> FeedPageOut:
    return FeedPageOut(
        items=to_posts(viewer_of(request), page.posts),
        next_max_id=str(page.next_max_id) if page.next_max_id is not None else None,
        prev_min_id=str(page.prev_min_id) if page.prev_min_id is not None else None,
    )


@router.get("/feeds/home", response={200: FeedPageOut, **ERRORS}, summary="Your home feed")
def home(request: HttpRequest, page: Query[FeedIn]) -> FeedPageOut:
    return _out(request, queries.home_feed(account_of(request), _range(page)))


@router.get(
    "/feeds/public",
    response={200: FeedPageOut, **ERRORS},
    auth=PUBLIC,
    summary="Public original posts on this instance",
)
def public(request: HttpRequest, page: Query[FeedIn]) -> FeedPageOut:
    return _out(request, queries.public_feed(viewer_of(request), _range(page)))


@router.get(
    "/feeds/hashtag/{name}",
    response={200: FeedPageOut, **ERRORS},
    auth=PUBLIC,
    summary="Public posts with a hashtag",
)
def hashtag(request: HttpRequest, name: str, page: Query[FeedIn]) -> FeedPageOut:
    name = name.lstrip("#")
    if not TAG_RE.match(name):
        raise NotFound("No such hashtag.")
    return _out(request, queries.hashtag_feed(viewer_of(request), name, _range(page)))


@router.get(
    "/accounts/{account_id}/posts",
    response={200: FeedPageOut, **ERRORS},
    auth=PUBLIC,
    summary="An account's posts and reshares that you may see",
)
def account_posts(request: HttpRequest, account_id: str, page: Query[ProfileFeedIn]) -> FeedPageOut:
    viewer = viewer_of(request)
    author = visible_account(viewer, account_id)
    feed = queries.profile_feed(
        viewer, author, _range(page), with_replies=page.with_replies, media_only=page.media_only
    )
    return _out(request, feed)
