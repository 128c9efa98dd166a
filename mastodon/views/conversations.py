"""Mastodon API: conversations and direct statuses, mapped onto Plaza's direct messages.

Plaza has one store for private conversations, :mod:`messaging`. Through the Mastodon API:

- ``GET /api/v1/conversations`` lists the viewer's messaging conversations, most recent
  activity first: accepted ones only. Pending message requests stay out until accepted (in
  the web inbox or the native API), as Mastodon keeps filtered notifications out of the main
  list: a client that cannot accept or decline should not show strangers' messages as
  ordinary conversations. Paging (``max_id``/``since_id``/``min_id`` and the ``Link``
  header) runs on each conversation's position in the list (its newest message id), as
  Mastodon pages by last status id; entity ids are the conversation ids.
- ``POST /api/v1/conversations/:id/read`` marks it read; ``DELETE /api/v1/conversations/:id``
  removes it from the list until a new message arrives (:func:`messaging.actions.hide`; a
  group is not left); ``POST .../mute`` and ``.../unmute`` (Plaza's additions) mute it.
- A message is a ``direct`` Status (:mod:`mastodon.entities.messages`). ``POST
  /api/v1/statuses`` with ``visibility=direct`` sends a message (:func:`direct_status`):
  replying to a message continues its conversation; otherwise the accounts @mentioned in the
  text are the recipients (one: the one-to-one conversation; several: the unnamed group of
  exactly those people, or a new one). Message requests, blocks and the messaging rate limit
  apply as on the web.
- The statuses endpoints call :func:`message_status_for`, :func:`message_context`,
  :func:`delete_message_status`, :func:`edit_message_status` and
  :func:`favourite_message` for a status id that is a message; the streaming ``direct``
  stream renders its ``conversation`` events with :func:`conversation_event`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import URLPattern, path
from django.utils import timezone

from accounts.models import Account
from mastodon.api import ApiError, ApiRequest, InputData, endpoint, ids_of, paging, with_link_header
from mastodon.entities import messages as entities
from mastodon.models import IdempotentRequest
from messaging import actions, queries
from messaging.models import Message, RequestState
from plaza import ratelimit
from plaza.errors import NotFound
from posts.models import MediaAttachment
from posts.queries import get_post_for

_ID = re.compile(r"[0-9]{1,19}")
IDEMPOTENCY_WINDOW = dt.timedelta(hours=1)
CONTEXT_LIMIT = 40  # messages each side of one in a status context
REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist."


def _id(raw: str | int | None) -> int:
    """An id from a URL or a parameter; anything else is simply not found."""
    text = str(raw or "")
    if not _ID.fullmatch(text) or int(text) >= 2**63:
        raise ApiError("Record not found", 404)
    return int(text)


def _me(request: ApiRequest) -> Account:
    assert request.account is not None  # auth="user" endpoints
    return request.account


# --- conversations ---------------------------------------------------------------------------


@endpoint("GET", scope="read:statuses")
def conversation_list(request: ApiRequest) -> Any:
    """The viewer's accepted conversations, most recent activity first."""
    me = _me(request)
    p = paging(request)
    page = queries.inbox(
        me, max_key=p.max_id, since_key=p.since_id, min_key=p.min_id, limit=p.limit
    )
    rows = page.rows
    ascending = p.min_id is not None and p.max_id is None
    more = page.next_max_key is not None or (ascending and len(rows) == p.limit)
    return with_link_header(
        request,
        entities.conversations(me, rows),
        next_max_id=rows[-1].me.sort_key if rows and more else None,
        prev_min_id=rows[0].me.sort_key if rows else None,
    )


def _conversation(me: Account, conversation_id: str) -> queries.ConversationView:
    try:
        return queries.get_conversation_for(me, _id(conversation_id))
    except NotFound:
        raise ApiError("Record not found", 404) from None


def _entity(me: Account, conversation_id: int) -> dict[str, Any]:
    return entities.conversations(me, [queries.inbox_row(me, conversation_id)])[0]


@endpoint("POST", scope="write:conversations")
def conversation_read(request: ApiRequest, conversation_id: str) -> Any:
    """Mark a conversation read; answers the Conversation."""
    me = _me(request)
    view = _conversation(me, conversation_id)
    actions.mark_read(me, view.conversation)
    return _entity(me, view.conversation.pk)


@endpoint("DELETE", scope="write:conversations")
def conversation_remove(request: ApiRequest, conversation_id: str) -> Any:
    """Remove a conversation from the list until a new message arrives; answers ``{}``."""
    me = _me(request)
    actions.hide(me, _conversation(me, conversation_id).conversation)
    return {}


def _mute(request: ApiRequest, conversation_id: str, muted: bool) -> Any:
    me = _me(request)
    view = _conversation(me, conversation_id)
    actions.set_muted(me, view.conversation, muted)
    return _entity(me, view.conversation.pk)


@endpoint("POST", scope="write:conversations")
def conversation_mute(request: ApiRequest, conversation_id: str) -> Any:
    """Mute a conversation (Plaza's addition): it stops counting as unread."""
    return _mute(request, conversation_id, True)


@endpoint("POST", scope="write:conversations")
def conversation_unmute(request: ApiRequest, conversation_id: str) -> Any:
    """Unmute a conversation (Plaza's addition)."""
    return _mute(request, conversation_id, False)


def conversation_event(viewer: Account, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The Conversation entity a ``direct`` stream sends for a bus ``conversation`` event
    (:func:`messaging.live.conversation_changed`), or None when the viewer does not list it
    (not in it, a pending request, removed from the list)."""
    raw = str(payload.get("conversation") or "")
    if not _ID.fullmatch(raw):
        return None
    try:
        row = queries.inbox_row(viewer, int(raw))
    except NotFound:
        return None
    if row.me.request_state != RequestState.ACCEPTED or row.me.hidden:
        return None
    return entities.conversations(viewer, [row])[0]


# --- messages as statuses --------------------------------------------------------------------


def _find(viewer: Account | None, status_id: str | int) -> tuple[queries.ConversationView, Message]:
    if viewer is None:
        raise ApiError("Record not found", 404)
    try:
        return queries.find_message(viewer, _id(status_id))
    except NotFound:
        raise ApiError("Record not found", 404) from None


def _people(view: queries.ConversationView) -> list[Account]:
    return [p.account for p in view.participants]


def _render(viewer: Account, view: queries.ConversationView, message: Message) -> dict[str, Any]:
    return entities.message_status(viewer, message, _people(view), muted=view.me.muted)


def message_status_for(viewer: Account | None, status_id: str) -> dict[str, Any]:
    """``GET /api/v1/statuses/:id`` for a message the viewer can read (404 otherwise)."""
    view, message = _find(viewer, status_id)
    assert viewer is not None
    return _render(viewer, view, message)


def message_context(viewer: Account | None, status_id: str) -> dict[str, Any]:
    """``GET /api/v1/statuses/:id/context`` for a message: the conversation's earlier
    messages as ancestors and later ones as descendants (:data:`CONTEXT_LIMIT` each side,
    oldest first), which is how clients show a direct conversation."""
    view, message = _find(viewer, status_id)
    assert viewer is not None
    before = queries.thread(viewer, view, max_id=message.pk, limit=CONTEXT_LIMIT)
    after = queries.thread(viewer, view, after_id=message.pk, limit=CONTEXT_LIMIT)
    older = [i.message for i in before.items]
    newer = [i.message for i in after.items]
    rendered = entities.message_statuses(
        viewer, [*older, *newer], _people(view), muted=view.me.muted
    )
    return {"ancestors": rendered[: len(older)], "descendants": rendered[len(older) :]}


def delete_message_status(viewer: Account, status_id: str) -> dict[str, Any]:
    """``DELETE /api/v1/statuses/:id`` for a message: delete it for everyone (one's own,
    within the edit window). Answers the Status as it was, with its source ``text``."""
    view, message = _find(viewer, status_id)
    data = _render(viewer, view, message)
    data["text"] = message.text
    actions.delete_for_everyone(viewer, message)
    return data


def edit_message_status(viewer: Account, status_id: str, text: str) -> dict[str, Any]:
    """``PUT /api/v1/statuses/:id`` for a message: edit its text (within the window)."""
    view, message = _find(viewer, status_id)
    message = actions.edit_message(viewer, message, text)
    return _render(viewer, view, message)


def favourite_message(viewer: Account, status_id: str, *, undo: bool = False) -> dict[str, Any]:
    """``POST /api/v1/statuses/:id/favourite`` (``undo``: ``unfavourite``) for a message:
    react with ❤ (or take that reaction back)."""
    view, message = _find(viewer, status_id)
    if undo:
        for heart in entities.HEARTS:
            actions.remove_reaction(viewer, message, heart)
    else:
        actions.add_reaction(viewer, message, entities.HEART)
    return _render(viewer, view, message)


# --- sending: POST /api/v1/statuses with visibility=direct -------------------------------------


def is_direct(data: InputData) -> bool:
    """Whether a ``POST /api/v1/statuses`` is a direct message to send now (scheduled direct
    statuses stay with the statuses endpoint)."""
    visibility = data.string("plaza_visibility") or data.string("visibility")
    return visibility == "direct" and not data.string("scheduled_at")


def _media(sender: Account, raw_ids: list[str]) -> list[MediaAttachment]:
    ids = list(dict.fromkeys(ids_of(raw_ids)))
    if not ids:
        return []
    found = {m.pk: m for m in MediaAttachment.objects.filter(pk__in=ids, account=sender)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ApiError(f"Media not found: {', '.join(missing)}", 422)
    return [found[i] for i in ids]


def create_direct_status(
    sender: Account,
    text: str,
    media: list[MediaAttachment],
    in_reply_to_id: int | None,
    spoiler: str = "",
) -> dict[str, Any]:
    """Send a direct status as a message and answer its Status.

    ``in_reply_to_id`` naming a message the sender can read: the message goes to that
    conversation, as a reply. Otherwise the accounts @mentioned in ``text`` receive it (a
    reply to a *post* addresses its mentions the same way): one person, the one-to-one
    conversation; several, the newest unnamed group of exactly them, or a new group.
    Messages have no content warning: a ``spoiler`` becomes the message's first line.
    The routing is :func:`messaging.actions.send_direct` (the web composer's too), so
    requests, blocks and limits apply as everywhere.
    """
    if spoiler.strip():
        text = f"{spoiler.strip()}\n\n{text}"
    reply_to: Message | None = None
    if in_reply_to_id is not None:
        try:
            _, reply_to = queries.find_message(sender, in_reply_to_id)
        except NotFound:
            try:
                get_post_for(sender, in_reply_to_id)  # a visible post: address its mentions
            except NotFound:
                raise ApiError(REPLY_NOT_FOUND, 404) from None
    message = actions.send_direct(sender, text, media, reply_to=reply_to)
    view = queries.get_conversation_for(sender, message.conversation_id)
    message.sender = sender
    return _render(sender, view, message)


def _replay(sender: Account, key: str) -> dict[str, Any] | None:
    cutoff = timezone.now() - IDEMPOTENCY_WINDOW
    IdempotentRequest.objects.filter(account=sender, key=key, created_at__lt=cutoff).delete()
    seen = IdempotentRequest.objects.filter(account=sender, key=key).first()
    if seen is None:
        return None
    try:
        return message_status_for(sender, str(seen.result_id))
    except ApiError:
        seen.delete()  # the message is gone (or was never one): this request may send again
        return None


def direct_status(request: ApiRequest, sender: Account) -> dict[str, Any]:
    """``POST /api/v1/statuses`` with ``visibility=direct``: parse the request (``status``,
    ``media_ids``, ``in_reply_to_id``, ``spoiler_text``; ``Idempotency-Key`` honoured) and
    :func:`create_direct_status`."""
    data = request.data
    if data.object("poll") or (data.has("poll") and data.string("poll") not in (None, "")):
        raise ApiError("Polls are not supported", 422)
    raw_key = (request.headers.get("Idempotency-Key") or "").strip()
    key = (raw_key if len(raw_key) <= 200 else hashlib.sha256(raw_key.encode()).hexdigest()) or None
    if key is not None:
        replayed = _replay(sender, key)
        if replayed is not None:
            return replayed
    text = data.string("status", "") or ""
    spoiler = data.string("spoiler_text", "") or ""
    data.boolean("sensitive", False)  # checked even though unused: 422 when malformed
    media = _media(sender, data.array("media_ids"))
    in_reply_to_id = data.identifier("in_reply_to_id")
    ratelimit.hit("message", sender)
    try:
        with transaction.atomic():
            result = create_direct_status(sender, text, media, in_reply_to_id, spoiler)
            if key is not None:
                IdempotentRequest.objects.create(
                    account=sender, key=key, result_id=int(result["id"])
                )
    except IntegrityError:
        # The same key raced in from a parallel request, which won: answer with its result.
        replayed = _replay(sender, key or "")
        if replayed is None:
            raise ApiError("A request with this Idempotency-Key is already in progress", 409)
        return replayed
    return result


urlpatterns: list[URLPattern] = [
    path("api/v1/conversations", conversation_list),
    path("api/v1/conversations/<str:conversation_id>", conversation_remove),
    path("api/v1/conversations/<str:conversation_id>/read", conversation_read),
    path("api/v1/conversations/<str:conversation_id>/mute", conversation_mute),
    path("api/v1/conversations/<str:conversation_id>/unmute", conversation_unmute),
]
