"""Native API: posts (publish, edit, delete, history, thread), reactions, bookmarks, pins, media.

Posts are read through :mod:`posts.queries` (``get_post_for`` hides what the caller may not
see as a 404) and changed through :mod:`posts.actions` and :mod:`posts.media`.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from accounts.api import VisibilityName, to_account, visible_account
from accounts.models import Account
from notifications import actions as notification_actions
from plaza import ratelimit
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, page_key, parse_id, viewer_of
from plaza.errors import ActionError, NotFound
from posts import actions, polls
from posts.media import describe_media, upload_media
from posts.models import MediaAttachment, MediaState, Post
from posts.polls import PollSpec
from posts.queries import (
    bookmarked_posts,
    edit_history,
    get_post_for,
    liked_by,
    pinned_posts,
    reshared_by,
    thread,
    with_related,
)
from posts.schemas import (
    AccountListOut,
    MediaOut,
    PostOut,
    PostPageOut,
    PostVersionOut,
    ThreadOut,
    ThreadReplyOut,
    fresh_post,
    own_media,
    to_media,
    to_posts,
)

router: Router = Router(auth=TokenAuth("statuses"))
PUBLIC = TokenAuth("statuses", optional=True)
LIKES = TokenAuth("favourites")
BOOKMARKS = TokenAuth("bookmarks")
PINS = TokenAuth("accounts")
MEDIA = TokenAuth("media")
MUTES = TokenAuth("mutes")


class PollIn(InputSchema):
    options: list[str] = Field(description="2 to 4 options of 1 to 50 characters, all different")
    expires_in: int = Field(86400, description="Seconds it runs: 300 (5 minutes) to 30 days")
    multiple: bool = False
    hide_totals: bool = Field(False, description="Hide per-option counts until it ends")

    def spec(self) -> PollSpec:
        return PollSpec(tuple(self.options), self.expires_in, self.multiple, self.hide_totals)


class VoteIn(InputSchema):
    choices: list[int] = Field(description="Option indexes (0-based); one unless multiple")


class PostIn(InputSchema):
    text: str = ""
    visibility: VisibilityName | None = Field(None, description="Default: your setting")
    content_warning: str = ""
    in_reply_to_id: str | None = None
    quote_id: str | None = None
    media_ids: list[str] = Field(default_factory=list, description="Uploaded with POST /media")
    language: str | None = Field(
        None, max_length=16, description="ISO 639 code (e.g. en). Default: your setting"
    )
    poll: PollIn | None = Field(None, description="A poll (not with media)")


class PostEditIn(InputSchema):
    text: str
    content_warning: str | None = Field(None, description="Default: keep the current one")
    media_ids: list[str] | None = Field(None, description="Default: keep the current media")
    language: str | None = Field(None, max_length=16, description="Default: keep the current one")
    poll: PollIn | None = Field(
        None,
        description="A new or changed poll (changing its options or choice mode resets its "
        "votes). Default: keep the current one",
    )
    remove_poll: bool = Field(False, description="Remove the post's poll")


class ReshareIn(InputSchema):
    visibility: Literal["public", "unlisted", "followers"] = "public"


class DescribeIn(InputSchema):
    alt_text: str


class PageIn(Schema):
    max_id: str | None = None
    limit: int = Field(20, ge=1, le=40)


# --- output -----------------------------------------------------------------------------------


def _post(request: HttpRequest, post_id: str) -> tuple[Account, Post]:
    viewer = account_of(request)
    return viewer, get_post_for(viewer, parse_id(post_id, what="post"))


def _account_list(page: object) -> AccountListOut:
    items = getattr(page, "items", [])
    next_max_id = getattr(page, "next_max_id", None)
    return AccountListOut(
        items=[to_account(a) for a in items],
        next_max_id=str(next_max_id) if next_max_id is not None else None,
    )


# --- posts ----------------------------------------------------------------------------------


@router.post("/posts", response={201: PostOut, **ERRORS}, summary="Publish a post")
def create_post(request: HttpRequest, payload: PostIn) -> Status[PostOut]:
    viewer = account_of(request)
    ratelimit.hit("post", viewer)
    reply_to = (
        get_post_for(viewer, parse_id(payload.in_reply_to_id, what="post"))
        if payload.in_reply_to_id
        else None
    )
    quote = (
        get_post_for(viewer, parse_id(payload.quote_id, what="post")) if payload.quote_id else None
    )
    post = actions.publish(
        viewer,
        text=payload.text,
        visibility=payload.visibility,
        content_warning=payload.content_warning,
        in_reply_to=reply_to,
        quote_of=quote,
        media=own_media(viewer, payload.media_ids),
        language=payload.language,
        poll=payload.poll.spec() if payload.poll is not None else None,
    )
    return Status(201, fresh_post(viewer, post.pk))


@router.get("/posts/{post_id}", response={200: PostOut, **ERRORS}, auth=PUBLIC, summary="A post")
def get_post(request: HttpRequest, post_id: str) -> PostOut:
    viewer = viewer_of(request)
    post = get_post_for(viewer, parse_id(post_id, what="post"))
    return fresh_post(viewer, post.pk)


@router.patch("/posts/{post_id}", response={200: PostOut, **ERRORS}, summary="Edit your post")
def edit_post(request: HttpRequest, post_id: str, payload: PostEditIn) -> PostOut:
    viewer, post = _post(request, post_id)
    actions.edit(
        viewer,
        post,
        text=payload.text,
        content_warning=(
            payload.content_warning if payload.content_warning is not None else post.content_warning
        ),
        media=own_media(viewer, payload.media_ids) if payload.media_ids is not None else None,
        language=payload.language,
        poll=_edited_poll(payload),
    )
    return fresh_post(viewer, post.pk)


def _edited_poll(payload: PostEditIn) -> PollSpec | actions.Unchanged | None:
    if payload.remove_poll:
        if payload.poll is not None:
            raise ActionError("Send a poll or remove_poll, not both.", field="poll")
        return None
    return payload.poll.spec() if payload.poll is not None else actions.UNCHANGED


@router.post(
    "/posts/{post_id}/poll/votes",
    response={200: PostOut, **ERRORS},
    summary="Vote in a post's poll",
)
def vote(request: HttpRequest, post_id: str, payload: VoteIn) -> PostOut:
    viewer, post = _post(request, post_id)
    polls.vote(viewer, post, payload.choices)
    return fresh_post(viewer, post.reshare_of_id or post.pk)


@router.delete("/posts/{post_id}", response={204: None, **ERRORS}, summary="Delete your post")
def delete_post(request: HttpRequest, post_id: str) -> Status[None]:
    viewer, post = _post(request, post_id)
    actions.delete(viewer, post)
    return Status(204, None)


@router.get(
    "/posts/{post_id}/history",
    response={200: list[PostVersionOut], **ERRORS},
    auth=PUBLIC,
    summary="The versions of a post, the current one first",
)
def post_history(request: HttpRequest, post_id: str) -> list[PostVersionOut]:
    post = get_post_for(viewer_of(request), parse_id(post_id, what="post"))
    current = PostVersionOut(
        text=post.text,
        html=post.html,
        content_warning=post.content_warning,
        created_at=post.edited_at or post.created_at,
    )
    return [current] + [
        PostVersionOut(
            text=e.text, html=e.html, content_warning=e.content_warning, created_at=e.created_at
        )
        for e in edit_history(post)
    ]


@router.get(
    "/posts/{post_id}/thread",
    response={200: ThreadOut, **ERRORS},
    auth=PUBLIC,
    summary="A post with the replies above and below it that you may see",
)
def post_thread(request: HttpRequest, post_id: str) -> ThreadOut:
    viewer = viewer_of(request)
    post = get_post_for(viewer, parse_id(post_id, what="post"))
    if post.reshare_of is not None:
        post = get_post_for(viewer, post.reshare_of.pk)
    ancestors, descendants = thread(viewer, post)
    shown = to_posts(viewer, [*ancestors, *descendants])
    replies = shown[len(ancestors) :]
    return ThreadOut(
        ancestors=shown[: len(ancestors)],
        post=fresh_post(viewer, post.pk),
        descendants=[
            ThreadReplyOut(**reply.model_dump(), depth=getattr(d, "thread_depth", 1))
            for reply, d in zip(replies, descendants, strict=True)
        ],
    )


@router.get(
    "/posts/{post_id}/liked-by",
    response={200: AccountListOut, **ERRORS},
    auth=PUBLIC,
    summary="Who liked a post",
)
def post_liked_by(request: HttpRequest, post_id: str, page: Query[PageIn]) -> AccountListOut:
    viewer = viewer_of(request)
    post = get_post_for(viewer, parse_id(post_id, what="post"))
    return _account_list(liked_by(viewer, post, max_id=page_key(page.max_id), limit=page.limit))


@router.get(
    "/posts/{post_id}/reshared-by",
    response={200: AccountListOut, **ERRORS},
    auth=PUBLIC,
    summary="Who reshared a post",
)
def post_reshared_by(request: HttpRequest, post_id: str, page: Query[PageIn]) -> AccountListOut:
    viewer = viewer_of(request)
    post = get_post_for(viewer, parse_id(post_id, what="post"))
    return _account_list(reshared_by(viewer, post, max_id=page_key(page.max_id), limit=page.limit))


# --- reactions ------------------------------------------------------------------------------


@router.post("/posts/{post_id}/like", response={200: PostOut, **ERRORS}, auth=LIKES)
def like(request: HttpRequest, post_id: str) -> PostOut:
    """Like a post (the original, when given a reshare)."""
    viewer, post = _post(request, post_id)
    actions.like(viewer, post)
    return fresh_post(viewer, post.pk)


@router.delete("/posts/{post_id}/like", response={200: PostOut, **ERRORS}, auth=LIKES)
def unlike(request: HttpRequest, post_id: str) -> PostOut:
    """Take back a like."""
    viewer, post = _post(request, post_id)
    actions.unlike(viewer, post)
    return fresh_post(viewer, post.pk)


@router.post("/posts/{post_id}/reshare", response={200: PostOut, **ERRORS})
def reshare(request: HttpRequest, post_id: str, payload: ReshareIn | None = None) -> PostOut:
    """Reshare a post to your audience; answers the reshare (its ``reshare_of`` is the post)."""
    viewer, post = _post(request, post_id)
    share = actions.reshare(viewer, post, visibility=(payload or ReshareIn()).visibility)
    return fresh_post(viewer, share.pk)


@router.delete("/posts/{post_id}/reshare", response={200: PostOut, **ERRORS})
def unreshare(request: HttpRequest, post_id: str) -> PostOut:
    """Undo your reshare; answers the original post."""
    viewer, post = _post(request, post_id)
    original_id = post.reshare_of_id or post.pk
    actions.unreshare(viewer, post)
    return fresh_post(viewer, original_id)


@router.post("/posts/{post_id}/bookmark", response={200: PostOut, **ERRORS}, auth=BOOKMARKS)
def bookmark(request: HttpRequest, post_id: str) -> PostOut:
    """Save a post to your bookmarks (only you see them)."""
    viewer, post = _post(request, post_id)
    actions.bookmark(viewer, post)
    return fresh_post(viewer, post.pk)


@router.delete("/posts/{post_id}/bookmark", response={200: PostOut, **ERRORS}, auth=BOOKMARKS)
def unbookmark(request: HttpRequest, post_id: str) -> PostOut:
    """Remove a post from your bookmarks."""
    viewer, post = _post(request, post_id)
    actions.unbookmark(viewer, post)
    return fresh_post(viewer, post.pk)


@router.post("/posts/{post_id}/pin", response={200: PostOut, **ERRORS}, auth=PINS)
def pin(request: HttpRequest, post_id: str) -> PostOut:
    """Pin one of your posts to your profile (at most five)."""
    viewer, post = _post(request, post_id)
    actions.pin(viewer, post)
    return fresh_post(viewer, post.pk)


@router.delete("/posts/{post_id}/pin", response={200: PostOut, **ERRORS}, auth=PINS)
def unpin(request: HttpRequest, post_id: str) -> PostOut:
    """Unpin a post from your profile."""
    viewer, post = _post(request, post_id)
    actions.unpin(viewer, post)
    return fresh_post(viewer, post.pk)


@router.post("/posts/{post_id}/mute-conversation", response={204: None, **ERRORS}, auth=MUTES)
def mute_conversation(request: HttpRequest, post_id: str) -> Status[None]:
    """No more notifications from the conversation this post is part of."""
    viewer, post = _post(request, post_id)
    notification_actions.mute_thread(viewer, post)
    return Status(204, None)


@router.delete("/posts/{post_id}/mute-conversation", response={204: None, **ERRORS}, auth=MUTES)
def unmute_conversation(request: HttpRequest, post_id: str) -> Status[None]:
    """Notifications from the conversation again."""
    viewer, post = _post(request, post_id)
    notification_actions.unmute_thread(viewer, post)
    return Status(204, None)


@router.get(
    "/bookmarks", response={200: PostPageOut, **ERRORS}, auth=BOOKMARKS, summary="Your bookmarks"
)
def bookmarks(request: HttpRequest, page: Query[PageIn]) -> PostPageOut:
    viewer = account_of(request)
    found = bookmarked_posts(viewer, max_id=page_key(page.max_id), limit=page.limit)
    return PostPageOut(
        items=to_posts(viewer, found.items),
        next_max_id=str(found.next_max_id) if found.next_max_id is not None else None,
    )


@router.get(
    "/accounts/{account_id}/pinned",
    response={200: list[PostOut], **ERRORS},
    auth=PUBLIC,
    summary="An account's pinned posts",
)
def pinned(request: HttpRequest, account_id: str) -> list[PostOut]:
    viewer = viewer_of(request)
    author = visible_account(viewer, account_id)
    return to_posts(viewer, list(with_related(pinned_posts(viewer, author))))


# --- media ----------------------------------------------------------------------------------


@router.post(
    "/media",
    response={201: MediaOut, 202: MediaOut, **ERRORS},
    auth=MEDIA,
    summary="Upload an image, video or PDF to attach to a post",
    description="201 when it is ready; 202 while it is still processing (poll GET /media/{id}).",
)
def upload(
    request: HttpRequest, file: File[UploadedFile], alt_text: Form[str] = ""
) -> Status[MediaOut]:
    viewer = account_of(request)
    media = upload_media(viewer, file, alt_text)
    return Status(201 if media.state == MediaState.READY else 202, to_media(media))


def _my_media(request: HttpRequest, media_id: str) -> tuple[Account, MediaAttachment]:
    viewer = account_of(request)
    media = MediaAttachment.objects.filter(
        pk=parse_id(media_id, what="media"), account=viewer
    ).first()
    if media is None:
        raise NotFound("That media does not exist.")
    return viewer, media


@router.get(
    "/media/{media_id}",
    response={200: MediaOut, **ERRORS},
    summary="One of your uploads (to see whether it is processed)",
)
def get_media(request: HttpRequest, media_id: str) -> MediaOut:
    return to_media(_my_media(request, media_id)[1])


@router.patch(
    "/media/{media_id}",
    response={200: MediaOut, **ERRORS},
    auth=MEDIA,
    summary="Describe an upload (alt text for screen readers)",
)
def describe(request: HttpRequest, media_id: str, payload: DescribeIn) -> MediaOut:
    viewer, media = _my_media(request, media_id)
    return to_media(describe_media(viewer, media, payload.alt_text))
