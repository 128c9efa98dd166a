"""Mastodon API: statuses, bookmarks and favourites (scheduled statuses: views/scheduled.py).

Plaza-specific choices, for client authors:

- ``visibility``: ``public``, ``unlisted``, ``private`` (Plaza's *followers*), ``direct``, and
  Plaza's own ``connections``. ``plaza_visibility`` (any of Plaza's ``public``, ``unlisted``,
  ``followers``, ``connections``, ``direct``) wins over ``visibility`` when both are sent.
- ``sensitive`` without ``spoiler_text`` on a post with media gives it the warning
  "Sensitive media": Plaza hides content behind a warning, not per attachment.
- ``scheduled_at`` must be at least five minutes ahead (422 otherwise, also for past times).
- Polls: ``poll[options][]``, ``poll[expires_in]``, ``poll[multiple]``, ``poll[hide_totals]``
  (form or JSON) as in Mastodon, not with media; not in direct statuses (a direct status is a
  message) and not in scheduled statuses (422). Editing with a poll replaces it (other
  options: the votes start over); editing without one removes it, as Mastodon does.
- ``quote_id`` and Mastodon 4.5's ``quoted_status_id`` both quote a post.
- Deleting returns the status with its ``text`` source and keeps its media, unattached, for
  a day so "delete and redraft" can reuse it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Account, Visibility
from mastodon.api import (
    ApiError,
    ApiRequest,
    InputData,
    by_method,
    endpoint,
    ids_of,
    paging,
    with_link_header,
)
from mastodon.entities import statuses as entities
from mastodon.entities.accounts import account as account_entity
from mastodon.models import IdempotentRequest
from mastodon.views import conversations as direct
from notifications import actions as notification_actions
from plaza import ratelimit
from plaza.errors import NotFound
from plaza.languages import clean_language
from posts import actions
from posts import media as media_actions
from posts.models import MediaAttachment, MediaState, Post
from posts.polls import PollSpec
from posts.queries import (
    bookmarked_posts,
    get_post_for,
    liked_by,
    liked_posts,
    reshared_by,
    thread,
    visible_posts,
    with_related,
)
from studio import actions as studio_actions
from studio import queries as studio_queries
from studio.models import ScheduledPost

MAX_MEDIA = 4
IDEMPOTENCY_WINDOW = dt.timedelta(hours=1)
# Mastodon's visibilities to Plaza's; "connections" is Plaza's own word, accepted as is.
PLAZA_VISIBILITY = {
    "public": Visibility.PUBLIC,
    "unlisted": Visibility.UNLISTED,
    "private": Visibility.FOLLOWERS,
    "direct": Visibility.DIRECT,
    "connections": Visibility.CONNECTIONS,
}
SENSITIVE_MEDIA_WARNING = "Sensitive media"
_ID = re.compile(r"[0-9]{1,19}")


def path_id(raw: str) -> int:
    """An id from the URL; anything but a plausible id is simply not found."""
    if not _ID.fullmatch(raw) or int(raw) >= 2**63:
        raise Http404
    return int(raw)


def _post(request: ApiRequest, status_id: str) -> Post:
    return get_post_for(request.account, path_id(status_id))


def _original(post: Post) -> Post:
    return post.reshare_of if post.reshare_of is not None else post


def _status(request: ApiRequest, post: Post) -> dict[str, Any]:
    return entities.status(request.account, post)


def me(request: ApiRequest) -> Account:
    assert request.account is not None  # auth="user" endpoints
    return request.account


# --- input ----------------------------------------------------------------------------------


def _visibility(data: InputData) -> str | None:
    plaza = data.string("plaza_visibility")
    if plaza:
        if plaza not in Visibility.values:
            raise ApiError(f"plaza_visibility must be one of: {', '.join(Visibility.values)}", 422)
        return plaza
    value = data.string("visibility")
    if not value:
        return None
    if value not in PLAZA_VISIBILITY:
        raise ApiError(
            "visibility must be one of: public, unlisted, private, direct, connections", 422
        )
    return PLAZA_VISIBILITY[value]


def _own_media(account: Account, data: InputData, *, post: Post | None = None) -> list[Any]:
    ids = list(dict.fromkeys(ids_of(data.array("media_ids"))))
    if len(ids) > MAX_MEDIA:
        raise ApiError(f"A post can have at most {MAX_MEDIA} attachments", 422)
    if not ids:
        return []
    found = {m.pk: m for m in MediaAttachment.objects.filter(pk__in=ids, account=account)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ApiError(f"Media not found: {', '.join(missing)}", 422)
    media = [found[i] for i in ids]
    for m in media:
        if m.post_id is not None and (post is None or m.post_id != post.pk):
            raise ApiError("That media is already attached to another post", 422)
        if m.state == MediaState.PROCESSING:
            raise ApiError(
                "Cannot attach files that have not finished processing. Try again in a moment!",
                422,
            )
    return media


def _target(account: Account, data: InputData, *keys: str, message: str) -> Post | None:
    for key in keys:
        ident = data.identifier(key)
        if ident is not None:
            if ident >= 2**63:
                raise ApiError(message, 404)
            try:
                return get_post_for(account, ident)
            except NotFound:
                raise ApiError(message, 404)
    return None


def _warning(data: InputData, media: list[Any], default: str = "") -> str:
    warning = data.string("spoiler_text", default) or ""
    sensitive = data.boolean("sensitive", False)  # checked even when unused: 422 if malformed
    if not warning.strip() and media and sensitive:
        return SENSITIVE_MEDIA_WARNING
    return warning


def parse_when(data: InputData, key: str) -> dt.datetime | None:
    raw = data.string(key)
    if not raw:
        return None
    try:
        when = parse_datetime(raw.strip())
    except ValueError:
        when = None
    if when is None:
        raise ApiError(f"{key} must be an ISO 8601 date and time", 422)
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    return when


def _poll(data: InputData) -> PollSpec | None:
    """The ``poll`` parameters (None: no poll); the limits are checked by the action."""
    poll = data.nested("poll")
    if poll is None:
        return None
    expires_in = poll.integer("expires_in")
    if expires_in is None:
        raise ApiError("poll[expires_in] is required", 422)
    return PollSpec(
        options=tuple(poll.array("options")),
        expires_in=expires_in,
        multiple=bool(poll.boolean("multiple", False)),
        hide_totals=bool(poll.boolean("hide_totals", False)),
    )


# --- creating -------------------------------------------------------------------------------


def _idempotency_key(request: ApiRequest) -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        return None
    return key if len(key) <= 200 else hashlib.sha256(key.encode()).hexdigest()


def _replay(request: ApiRequest, account: Account, key: str) -> dict[str, Any] | None:
    """What an earlier request with this key created, if it is recent and still there."""
    cutoff = timezone.now() - IDEMPOTENCY_WINDOW
    IdempotentRequest.objects.filter(account=account, key=key, created_at__lt=cutoff).delete()
    seen = IdempotentRequest.objects.filter(account=account, key=key).first()
    if seen is None:
        return None
    post = Post.objects.filter(pk=seen.result_id, author=account).first()
    if post is not None:
        return _status(request, post)
    scheduled = ScheduledPost.objects.filter(pk=seen.result_id, account=account).first()
    if scheduled is not None:
        return entities.scheduled_status(scheduled, studio_queries.media_of([scheduled]))
    seen.delete()  # what it made is gone: this request may post again
    return None


def _create(request: ApiRequest, account: Account) -> tuple[int, dict[str, Any] | Post]:
    data = request.data
    poll = _poll(data)
    text = data.string("status", "") or ""
    media = _own_media(account, data)
    warning = _warning(data, media)
    visibility = _visibility(data)
    in_reply_to = _target(
        account,
        data,
        "in_reply_to_id",
        message="The post you are trying to reply to does not appear to exist.",
    )
    quote_of = _target(
        account,
        data,
        "quoted_status_id",
        "quote_id",
        message="The post you are trying to quote does not appear to exist.",
    )
    scheduled_at = parse_when(data, "scheduled_at")
    if scheduled_at is not None:
        if poll is not None:
            raise ApiError("Scheduled statuses can't have a poll: publish it now instead", 422)
        scheduled = studio_actions.schedule(
            account,
            scheduled_at=scheduled_at,
            text=text,
            visibility=visibility,
            content_warning=warning,
            sensitive=bool(data.boolean("sensitive", False)),
            in_reply_to=in_reply_to,
            quote_of=quote_of,
            media=media,
            application_id=getattr(request.token, "application_id", None) or 0,
            language=_language(data),
        )
        return scheduled.pk, entities.scheduled_status(scheduled, {m.pk: m for m in media})
    post = actions.publish(
        account,
        text=text,
        visibility=visibility,
        content_warning=warning,
        in_reply_to=in_reply_to,
        quote_of=quote_of,
        media=media,
        language=_language(data),
        poll=poll,
    )
    return post.pk, post


def _language(data: InputData) -> str | None:
    """``language`` (ISO 639; a region suffix is dropped), None when absent: the author's
    default then applies."""
    value = data.string("language")
    return None if value is None else clean_language(value)


@endpoint("POST", scope="write:statuses")
def create_status(request: ApiRequest) -> Any:
    account = me(request)
    if direct.is_direct(request.data):  # direct statuses are messages (messaging)
        return direct.direct_status(request, account)
    key = _idempotency_key(request)
    if key is not None:
        replayed = _replay(request, account, key)
        if replayed is not None:
            return replayed
    ratelimit.hit("post", account)
    if key is None:
        # publish() is one transaction of its own; wrapping it would take SQLite's write
        # lock before publish() has even rendered the text.
        _result_id, made = _create(request, account)
    else:
        try:
            with transaction.atomic():
                result_id, made = _create(request, account)
                IdempotentRequest.objects.create(account=account, key=key, result_id=result_id)
        except IntegrityError:
            # The same key raced in from a parallel request, which won: answer with its result.
            replayed = _replay(request, account, key)
            if replayed is None:
                raise ApiError("A request with this Idempotency-Key is already in progress", 409)
            return replayed
    if isinstance(made, dict):
        return made  # a ScheduledStatus
    # The post as publish() made it: its Status from what publish() wrote (no reload).
    return entities.new_status(account, made)


@endpoint("GET", scope="read:statuses", auth="optional")
def list_statuses(request: ApiRequest) -> Any:
    ids = list(dict.fromkeys(ids_of(request.data.array("id"))))
    if len(ids) > 40:
        raise ApiError("At most 40 ids at a time", 422)
    ids = [i for i in ids if i < 2**63]
    found = {p.pk: p for p in with_related(visible_posts(request.account).filter(pk__in=ids))}
    return entities.statuses(request.account, [found[i] for i in ids if i in found])


# --- one status -----------------------------------------------------------------------------


@endpoint("GET", scope="read:statuses", auth="optional")
def get_status(request: ApiRequest, status_id: str) -> Any:
    try:
        return _status(request, _post(request, status_id))
    except NotFound:  # not a post: maybe a message the viewer is in
        return direct.message_status_for(request.account, status_id)


@endpoint("DELETE", scope="write:statuses")
def delete_status(request: ApiRequest, status_id: str) -> Any:
    account = me(request)
    try:
        post = _post(request, status_id)
    except NotFound:  # a message: delete it for everyone
        return direct.delete_message_status(account, status_id)
    if post.author_id != account.pk and not account.user.is_staff:
        raise ApiError("You can only delete your own posts", 403)
    data = _status(request, post)
    data["text"] = post.text
    if data.get("reblog") is None:
        data["spoiler_text"] = post.content_warning
    if request.data.boolean("delete_media", False):
        actions.delete(account, post)
    else:
        actions.delete_keeping_media(account, post)
    return data


def _media_attributes(data: InputData) -> list[dict[str, Any]]:
    raw = data._raw("media_attributes")
    if isinstance(raw, list) and all(isinstance(a, dict) for a in raw):
        return raw
    if raw is not None and not isinstance(raw, list):
        raise ApiError("media_attributes must be a list of objects", 422)
    ids = data.array("media_attributes[][id]")
    descriptions = data.array("media_attributes[][description]")
    focuses = data.array("media_attributes[][focus]")
    out: list[dict[str, Any]] = []
    for n, ident in enumerate(ids):
        attr: dict[str, Any] = {"id": ident}
        if n < len(descriptions):
            attr["description"] = descriptions[n]
        if n < len(focuses):
            attr["focus"] = focuses[n]
        out.append(attr)
    return out


@endpoint("PUT", scope="write:statuses")
def edit_status(request: ApiRequest, status_id: str) -> Any:
    account = me(request)
    try:
        post = _post(request, status_id)
    except NotFound:  # a message: edit its text
        return direct.edit_message_status(account, status_id, request.data.string("status") or "")
    if post.author_id != account.pk:
        raise ApiError("You can only edit your own posts", 403)
    data = request.data
    poll = _poll(data)
    media: list[Any] | None = None
    if data.has("media_ids"):
        media = _own_media(account, data, post=post)
    current_media = media if media is not None else list(post.media.all())
    text = data.string("status", post.text) or ""
    warning = _warning(data, current_media, post.content_warning)
    attributes = _media_attributes(data)
    by_id = {m.pk: m for m in current_media}
    changes: list[tuple[MediaAttachment, str]] = []
    focuses: list[tuple[MediaAttachment, tuple[float, float]]] = []
    for attr in attributes:
        try:
            target = by_id[int(attr.get("id"))]  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            raise ApiError("media_attributes must name the post's own attachments", 422)
        if "focus" in attr and attr["focus"] not in (None, ""):
            focuses.append((target, parse_focus(str(attr["focus"]))))
        if "description" in attr and attr["description"] is not None:
            if not isinstance(attr["description"], str):
                raise ApiError("description must be a string", 422)
            changes.append((target, attr["description"]))
    language = _language(data)
    with transaction.atomic():
        actions.edit(
            account,
            post,
            text=text,
            content_warning=warning,
            media=media,
            language=language,
            poll=poll,
        )
        for target, description in changes:
            media_actions.describe_media(account, target, description)
        for target, (x, y) in focuses:
            media_actions.set_focus(account, target, x, y)
    return _status(request, post)


@endpoint("GET", scope="read:statuses", auth="optional")
def status_history(request: ApiRequest, status_id: str) -> Any:
    post = _original(_post(request, status_id))
    return entities.status_edits(post)


@endpoint("GET", scope="read:statuses", auth="optional")
def status_source(request: ApiRequest, status_id: str) -> Any:
    return entities.status_source(_original(_post(request, status_id)))


@endpoint("GET", scope="read:statuses", auth="optional")
def status_context(request: ApiRequest, status_id: str) -> Any:
    try:
        post = _original(_post(request, status_id))
    except NotFound:  # a message: its conversation around it
        return direct.message_context(request.account, status_id)
    ancestors, descendants = thread(request.account, post)
    return {
        "ancestors": entities.statuses(request.account, ancestors, context="thread"),
        "descendants": entities.statuses(request.account, descendants, context="thread"),
    }


def parse_focus(raw: str) -> tuple[float, float]:
    """Mastodon's focal point ``"x,y"``, each between -1 and 1."""
    try:
        x_text, y_text = raw.split(",")
        x, y = float(x_text), float(y_text)
    except ValueError:
        raise ApiError("focus must be two numbers between -1.0 and 1.0, like 0.5,-0.2", 422)
    if not (-1 <= x <= 1 and -1 <= y <= 1):
        raise ApiError("focus must be two numbers between -1.0 and 1.0, like 0.5,-0.2", 422)
    return x, y


# --- what people do with a status -------------------------------------------------------


@endpoint("POST", scope="write:favourites")
def favourite(request: ApiRequest, status_id: str) -> Any:
    try:
        post = _original(_post(request, status_id))
    except NotFound:  # a message: react with a heart
        return direct.favourite_message(me(request), status_id)
    actions.like(me(request), post)
    return _status(request, post)


@endpoint("POST", scope="write:favourites")
def unfavourite(request: ApiRequest, status_id: str) -> Any:
    try:
        post = _original(_post(request, status_id))
    except NotFound:
        return direct.favourite_message(me(request), status_id, undo=True)
    actions.unlike(me(request), post)
    return _status(request, post)


@endpoint("POST", scope="write:statuses")
def reblog(request: ApiRequest, status_id: str) -> Any:
    post = _original(_post(request, status_id))
    value = request.data.string("visibility") or "public"
    if value not in ("public", "unlisted", "private"):
        raise ApiError("visibility must be one of: public, unlisted, private", 422)
    share = actions.reshare(me(request), post, visibility=PLAZA_VISIBILITY[value])
    return _status(request, share)


@endpoint("POST", scope="write:statuses")
def unreblog(request: ApiRequest, status_id: str) -> Any:
    post = _original(_post(request, status_id))
    actions.unreshare(me(request), post)
    return _status(request, post)


@endpoint("POST", scope="write:bookmarks")
def bookmark(request: ApiRequest, status_id: str) -> Any:
    post = _original(_post(request, status_id))
    actions.bookmark(me(request), post)
    return _status(request, post)


@endpoint("POST", scope="write:bookmarks")
def unbookmark(request: ApiRequest, status_id: str) -> Any:
    post = _original(_post(request, status_id))
    actions.unbookmark(me(request), post)
    return _status(request, post)


@endpoint("POST", scope="write:accounts")
def pin(request: ApiRequest, status_id: str) -> Any:
    post = _post(request, status_id)
    actions.pin(me(request), post)
    return _status(request, post)


@endpoint("POST", scope="write:accounts")
def unpin(request: ApiRequest, status_id: str) -> Any:
    post = _post(request, status_id)
    actions.unpin(me(request), post)
    return _status(request, post)


@endpoint("POST", scope="write:mutes")
def mute_conversation(request: ApiRequest, status_id: str) -> Any:
    """No more notifications from the status's conversation (``muted`` becomes true)."""
    post = _post(request, status_id)  # unknown or hidden posts stay 404
    notification_actions.mute_thread(me(request), post)
    return _status(request, post)


@endpoint("POST", scope="write:mutes")
def unmute_conversation(request: ApiRequest, status_id: str) -> Any:
    post = _post(request, status_id)
    notification_actions.unmute_thread(me(request), post)
    return _status(request, post)


def _accounts_page(request: ApiRequest, fetch: Callable[..., Any], status_id: str) -> Any:
    post = _original(_post(request, status_id))
    page_args = paging(request, default=40, maximum=80)
    page = fetch(request.account, post, max_id=page_args.max_id, limit=page_args.limit)
    return with_link_header(
        request,
        [account_entity(a) for a in page.items],
        next_max_id=page.next_max_id,
        prev_min_id=None,
    )


@endpoint("GET", scope="read:accounts", auth="optional")
def favourited_by(request: ApiRequest, status_id: str) -> Any:
    return _accounts_page(request, liked_by, status_id)


@endpoint("GET", scope="read:accounts", auth="optional")
def reblogged_by(request: ApiRequest, status_id: str) -> Any:
    return _accounts_page(request, reshared_by, status_id)


@endpoint("GET", scope="read:statuses", auth="optional")
def quotes(request: ApiRequest, status_id: str) -> Any:
    post = _original(_post(request, status_id))
    page = paging(request)
    qs = visible_posts(request.account).filter(quote_of=post)
    if page.max_id is not None:
        qs = qs.filter(pk__lt=page.max_id)
    if page.since_id is not None:
        qs = qs.filter(pk__gt=page.since_id)
    if page.min_id is not None:
        rows = list(with_related(qs.filter(pk__gt=page.min_id)).order_by("id")[: page.limit])
        rows.reverse()
    else:
        rows = list(with_related(qs).order_by("-id")[: page.limit])
    return with_link_header(
        request,
        entities.statuses(request.account, rows),
        next_max_id=rows[-1].pk if len(rows) == page.limit else None,
        prev_min_id=rows[0].pk if rows else None,
    )


# --- bookmarks and favourites -------------------------------------------------------------


@endpoint("GET", scope="read:bookmarks")
def bookmarks(request: ApiRequest) -> Any:
    page_args = paging(request)
    page = bookmarked_posts(me(request), max_id=page_args.max_id, limit=page_args.limit)
    return with_link_header(
        request,
        entities.statuses(request.account, page.items),
        next_max_id=page.next_max_id,
        prev_min_id=None,
    )


@endpoint("GET", scope="read:favourites")
def favourites(request: ApiRequest) -> Any:
    page_args = paging(request)
    page = liked_posts(me(request), max_id=page_args.max_id, limit=page_args.limit)
    return with_link_header(
        request,
        entities.statuses(request.account, page.items),
        next_max_id=page.next_max_id,
        prev_min_id=None,
    )


_S = "api/v1/statuses/<str:status_id>"
urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/statuses", by_method(get=list_statuses, post=create_status)),
    path(_S, by_method(get=get_status, put=edit_status, delete=delete_status)),
    path(f"{_S}/history", status_history),
    path(f"{_S}/source", status_source),
    path(f"{_S}/context", status_context),
    path(f"{_S}/favourite", favourite),
    path(f"{_S}/unfavourite", unfavourite),
    path(f"{_S}/reblog", reblog),
    path(f"{_S}/unreblog", unreblog),
    path(f"{_S}/bookmark", bookmark),
    path(f"{_S}/unbookmark", unbookmark),
    path(f"{_S}/pin", pin),
    path(f"{_S}/unpin", unpin),
    path(f"{_S}/mute", mute_conversation),
    path(f"{_S}/unmute", unmute_conversation),
    path(f"{_S}/favourited_by", favourited_by),
    path(f"{_S}/reblogged_by", reblogged_by),
    path(f"{_S}/quotes", quotes),
    path("api/v1/bookmarks", bookmarks),
    path("api/v1/favourites", favourites),
]
