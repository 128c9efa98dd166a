"""The native API's shapes of posts, polls and media, and the functions that fill them.

Every app whose API lists posts (feeds, groups, search, moderation) answers with these
(:func:`to_posts` batches a page: a fixed number of queries); the endpoints that change posts
are in :mod:`posts.api`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from accounts.api import AccountOut, VisibilityName, to_account
from accounts.models import Account
from mastodon.api import absolute_url
from plaza.api import parse_id
from plaza.errors import ActionError, NotFound
from posts.models import MediaAttachment, Poll, Post
from posts.queries import (
    cards,
    visible_posts,
    with_related,
)


class MediaOut(Schema):
    id: str
    kind: Literal["image", "video", "document"]
    state: Literal["processing", "ready", "failed"]
    url: str
    thumbnail_url: str | None
    preview_url: str | None
    content_type: str
    original_name: str
    size_bytes: int
    width: int | None
    height: int | None
    page_count: int | None
    duration_seconds: float | None
    blurhash: str
    alt_text: str
    error: str


class QuotedPostOut(Schema):
    """A quoted post, one level deep."""

    id: str
    url: str
    author: AccountOut
    text: str
    html: str
    content_warning: str
    visibility: VisibilityName
    created_at: datetime
    media: list[MediaOut]


class PollOptionOut(Schema):
    title: str
    votes_count: int | None = Field(description="null while hide_totals hides it")


class PollOut(Schema):
    """A post's poll (its id is the post's)."""

    id: str
    options: list[PollOptionOut]
    expires_at: datetime
    expired: bool
    multiple: bool
    hide_totals: bool = Field(description="Per-option counts stay hidden until it ends")
    votes_count: int
    voters_count: int
    voted: bool | None = Field(description="Whether the caller voted (null: anonymous)")
    own_votes: list[int] = Field(description="The option indexes the caller chose")


class PostContentOut(Schema):
    """A post's content and what the caller did to it."""

    id: str
    url: str
    author: AccountOut
    text: str = Field(description="The source as typed")
    html: str = Field(description="Rendered and sanitized")
    content_warning: str
    visibility: VisibilityName
    language: str | None = Field(description="ISO 639 code of the language it is written in")
    created_at: datetime
    edited_at: datetime | None
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    media: list[MediaOut]
    replies_count: int
    likes_count: int
    reshares_count: int
    quotes_count: int
    liked: bool
    bookmarked: bool
    reshared: bool
    pinned: bool
    quote: QuotedPostOut | None
    quote_hidden: bool = Field(description="It quotes a post the caller may not see")
    poll: PollOut | None


class PostOut(PostContentOut):
    """A post as it appears in a list. A reshare carries the post it shares in
    ``reshare_of`` (the outer post is the reshare itself: its author is who reshared)."""

    reshare_of: PostContentOut | None


class ThreadReplyOut(PostOut):
    depth: int = Field(description="1 for a direct reply to the post, 2 for a reply to that...")


class ThreadOut(Schema):
    ancestors: list[PostOut]
    post: PostOut
    descendants: list[ThreadReplyOut]


class PostVersionOut(Schema):
    text: str
    html: str
    content_warning: str
    created_at: datetime = Field(description="When this version became current")


class PostPageOut(Schema):
    items: list[PostOut]
    next_max_id: str | None


class AccountListOut(Schema):
    items: list[AccountOut]
    next_max_id: str | None


def _url(field: object) -> str | None:
    url = getattr(field, "url", None) if field else None
    return absolute_url(url) if url else None


def to_media(m: MediaAttachment) -> MediaOut:
    return MediaOut(
        id=str(m.pk),
        kind=m.kind,  # type: ignore[arg-type]
        state=m.state,  # type: ignore[arg-type]
        url=_url(m.file) or "",
        thumbnail_url=_url(m.thumbnail),
        preview_url=_url(m.preview),
        content_type=m.content_type,
        original_name=m.original_name,
        size_bytes=m.size_bytes,
        width=m.width,
        height=m.height,
        page_count=m.page_count,
        duration_seconds=m.duration_seconds,
        blurhash=m.blurhash,
        alt_text=m.alt_text,
        error=m.error,
    )


def post_url(post: Post) -> str:
    return absolute_url(f"/@{post.author.username}/{post.pk}")


def _quoted(post: Post) -> QuotedPostOut:
    return QuotedPostOut(
        id=str(post.pk),
        url=post_url(post),
        author=to_account(post.author),
        text=post.text,
        html=post.html,
        content_warning=post.content_warning,
        visibility=post.visibility,  # type: ignore[arg-type]
        created_at=post.created_at,
        media=[to_media(m) for m in post.media.all()],
    )


def to_poll(post: Post, poll: Poll, own: tuple[int, ...] | None, viewer: Account | None) -> PollOut:
    show = poll.show_totals
    return PollOut(
        id=str(poll.pk),
        options=[
            PollOptionOut(title=o.title, votes_count=o.votes_count if show else None)
            for o in poll.option_list
        ],
        expires_at=poll.expires_at,
        expired=poll.expired,
        multiple=poll.multiple,
        hide_totals=poll.hide_totals,
        votes_count=poll.votes_count,
        voters_count=poll.voters_count,
        voted=None if viewer is None else own is not None,
        own_votes=list(own or ()),
    )


def _content(
    post: Post,
    card_flags: dict[str, bool],
    quote: Post | None,
    hidden: bool,
    poll: PollOut | None = None,
) -> dict:
    return {
        "id": str(post.pk),
        "url": post_url(post),
        "author": to_account(post.author),
        "text": post.text,
        "html": post.html,
        "content_warning": post.content_warning,
        "visibility": post.visibility,
        "language": post.language or None,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
        "in_reply_to_account_id": (
            str(post.in_reply_to_account_id) if post.in_reply_to_account_id else None
        ),
        "media": [to_media(m) for m in post.media.all()],
        "replies_count": post.replies_count,
        "likes_count": post.likes_count,
        "reshares_count": post.reshares_count,
        "quotes_count": post.quotes_count,
        **card_flags,
        "quote": _quoted(quote) if quote is not None else None,
        "quote_hidden": hidden,
        "poll": poll,
    }


def to_posts(viewer: Account | None, posts: Sequence[Post]) -> list[PostOut]:
    """Posts loaded with :func:`posts.queries.with_related`, as the API shows them to
    ``viewer`` (a fixed number of queries whatever their number)."""
    out = []
    for card in cards(viewer, posts):
        flags = {
            "liked": card.liked,
            "bookmarked": card.bookmarked,
            "reshared": card.reshared,
            "pinned": card.pinned,
        }
        poll = card.poll
        poll_out = None if poll is None else to_poll(card.shown, poll, card.own_votes, viewer)
        shown = _content(card.shown, flags, card.quote, card.quote_hidden, poll_out)
        if card.post.reshare_of_id:
            outer = _content(card.post, flags, None, False)
            out.append(PostOut(**outer, reshare_of=PostContentOut(**shown)))
        else:
            out.append(PostOut(**shown, reshare_of=None))
    return out


def fresh_post(viewer: Account | None, post_id: int) -> PostOut:
    """The post re-read (counters moved) and shown to ``viewer``."""
    found = list(with_related(visible_posts(viewer).filter(pk=post_id)))
    if not found:
        raise NotFound("This post does not exist or you can't see it.")
    return to_posts(viewer, found)[0]


def own_media(viewer: Account, raw_ids: Sequence[str]) -> list[MediaAttachment]:
    """The caller's own uploads named by ``raw_ids`` (at most four, in order): NotFound when
    one is not theirs or does not exist."""
    ids = [parse_id(i, what="media") for i in raw_ids]
    if len(ids) > 4:
        raise ActionError("A post can have at most 4 attachments.", field="media_ids")
    found = {m.pk: m for m in MediaAttachment.objects.filter(account=viewer, pk__in=ids)}
    if any(i not in found for i in ids):
        raise NotFound("That media does not exist.")
    return [found[i] for i in dict.fromkeys(ids)]
