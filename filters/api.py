"""Native API: filters, their keywords and filtered posts.

Owner-scoped like the Mastodon API: someone else's filter, keyword or filtered post is a 404.
Writes go through :mod:`filters.actions`, so limits and validation are the web's and
Mastodon's. ``expires_in`` is seconds from now; ``null`` means never.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from filters import actions, queries
from filters.actions import UNSET, KeywordChange
from filters.models import Filter, FilterKeyword, FilterStatus
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, parse_id

router: Router = Router(auth=TokenAuth("filters"))

ContextName = Literal["home", "notifications", "public", "thread", "account"]
ActionName = Literal["warn", "hide", "blur"]


class KeywordOut(Schema):
    id: str
    keyword: str
    whole_word: bool


class FilteredPostOut(Schema):
    id: str
    post_id: str


class FilterOut(Schema):
    id: str
    title: str
    context: list[ContextName]
    action: ActionName
    expires_at: datetime | None
    keywords: list[KeywordOut]
    posts: list[FilteredPostOut]


class KeywordIn(InputSchema):
    keyword: str = Field(..., max_length=actions.MAX_KEYWORD_CHARS)
    whole_word: bool = True


class KeywordChangeIn(InputSchema):
    id: str | None = Field(None, description="An existing keyword of this filter")
    keyword: str | None = None
    whole_word: bool | None = None
    destroy: bool = Field(False, description="Remove the keyword with this id")


class FilterIn(InputSchema):
    title: str
    context: list[ContextName] = Field(..., min_length=1)
    action: ActionName = "warn"
    expires_in: int | None = Field(None, gt=0, description="Seconds from now; null: never")
    keywords: list[KeywordIn] = Field(default_factory=list, max_length=actions.MAX_KEYWORDS)


class FilterPatchIn(InputSchema):
    title: str | None = None
    context: list[ContextName] | None = None
    action: ActionName | None = None
    expires_in: int | None = Field(None, gt=0, description="Seconds from now")
    never_expires: bool = Field(False, description="Remove the expiry")
    keywords: list[KeywordChangeIn] = Field(default_factory=list, max_length=actions.MAX_KEYWORDS)


class KeywordPatchIn(InputSchema):
    keyword: str | None = None
    whole_word: bool | None = None


class FilteredPostIn(InputSchema):
    post_id: str


def to_keyword(keyword: FilterKeyword) -> KeywordOut:
    return KeywordOut(id=str(keyword.pk), keyword=keyword.keyword, whole_word=keyword.whole_word)


def to_filtered_post(status: FilterStatus) -> FilteredPostOut:
    return FilteredPostOut(id=str(status.pk), post_id=str(status.post_id))


def to_filter(filter_: Filter) -> FilterOut:
    return FilterOut(
        id=str(filter_.pk),
        title=filter_.title,
        context=list(filter_.context),
        action=filter_.action,  # type: ignore[arg-type]
        expires_at=filter_.expires_at,
        keywords=[to_keyword(k) for k in filter_.keywords.all()],
        posts=[to_filtered_post(s) for s in filter_.statuses.all()],
    )


def _filter(request: HttpRequest, filter_id: str) -> Filter:
    return queries.get_filter_for(account_of(request), parse_id(filter_id, what="filter"))


@router.get("/filters", response={200: list[FilterOut], **ERRORS}, summary="Your filters")
def list_filters(request: HttpRequest) -> list[FilterOut]:
    return [to_filter(f) for f in queries.filters_for(account_of(request))]


@router.post("/filters", response={201: FilterOut, **ERRORS}, summary="Create a filter")
def create_filter(request: HttpRequest, payload: FilterIn) -> Status[FilterOut]:
    owner = account_of(request)
    made = actions.create_filter(
        owner,
        title=payload.title,
        context=payload.context,
        action=payload.action,
        expires_at=actions.expiry_after(payload.expires_in),
        keywords=[
            KeywordChange(keyword=k.keyword, whole_word=k.whole_word) for k in payload.keywords
        ],
    )
    return Status(201, to_filter(queries.get_filter_for(owner, made.pk)))


@router.get("/filters/{filter_id}", response={200: FilterOut, **ERRORS}, summary="A filter")
def get_filter(request: HttpRequest, filter_id: str) -> FilterOut:
    return to_filter(_filter(request, filter_id))


@router.patch(
    "/filters/{filter_id}",
    response={200: FilterOut, **ERRORS},
    summary="Change a filter and add, change or remove its keywords",
)
def update_filter(request: HttpRequest, filter_id: str, payload: FilterPatchIn) -> FilterOut:
    owner = account_of(request)
    found = _filter(request, filter_id)
    expires_at = (
        None
        if payload.never_expires
        else (UNSET if payload.expires_in is None else actions.expiry_after(payload.expires_in))
    )
    actions.update_filter(
        owner,
        found,
        title=payload.title,
        context=payload.context,
        action=payload.action,
        expires_at=expires_at,
        keywords=[
            KeywordChange(
                keyword=k.keyword,
                whole_word=k.whole_word,
                id=parse_id(k.id, what="keyword") if k.id is not None else None,
                destroy=k.destroy,
            )
            for k in payload.keywords
        ],
    )
    return to_filter(queries.get_filter_for(owner, found.pk))


@router.delete("/filters/{filter_id}", response={204: None, **ERRORS}, summary="Delete a filter")
def delete_filter(request: HttpRequest, filter_id: str) -> Status[None]:
    actions.delete_filter(account_of(request), _filter(request, filter_id))
    return Status(204, None)


@router.post(
    "/filters/{filter_id}/keywords", response={201: KeywordOut, **ERRORS}, summary="Add a keyword"
)
def add_keyword(request: HttpRequest, filter_id: str, payload: KeywordIn) -> Status[KeywordOut]:
    keyword = actions.add_keyword(
        account_of(request),
        _filter(request, filter_id),
        keyword=payload.keyword,
        whole_word=payload.whole_word,
    )
    return Status(201, to_keyword(keyword))


@router.patch(
    "/filters/keywords/{keyword_id}",
    response={200: KeywordOut, **ERRORS},
    summary="Change a keyword",
)
def update_keyword(request: HttpRequest, keyword_id: str, payload: KeywordPatchIn) -> KeywordOut:
    owner = account_of(request)
    keyword = queries.get_keyword_for(owner, parse_id(keyword_id, what="keyword"))
    actions.update_keyword(owner, keyword, text=payload.keyword, whole_word=payload.whole_word)
    return to_keyword(keyword)


@router.delete(
    "/filters/keywords/{keyword_id}", response={204: None, **ERRORS}, summary="Remove a keyword"
)
def remove_keyword(request: HttpRequest, keyword_id: str) -> Status[None]:
    owner = account_of(request)
    keyword = queries.get_keyword_for(owner, parse_id(keyword_id, what="keyword"))
    actions.remove_keyword(owner, keyword)
    return Status(204, None)


@router.post(
    "/filters/{filter_id}/posts",
    response={201: FilteredPostOut, **ERRORS},
    summary="Filter one post",
)
def add_post(
    request: HttpRequest, filter_id: str, payload: FilteredPostIn
) -> Status[FilteredPostOut]:
    owner = account_of(request)
    added = actions.add_status(
        owner, _filter(request, filter_id), parse_id(payload.post_id, what="post")
    )
    return Status(201, to_filtered_post(added))


@router.delete(
    "/filters/posts/{entry_id}", response={204: None, **ERRORS}, summary="Stop filtering a post"
)
def remove_post(request: HttpRequest, entry_id: str) -> Status[None]:
    owner = account_of(request)
    entry = queries.get_filter_status_for(owner, parse_id(entry_id, what="filtered post"))
    actions.remove_status(owner, entry)
    return Status(204, None)
