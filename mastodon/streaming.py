"""Mastodon's streaming API: streams, who may open them, per-viewer events, the WebSocket.

The same logic serves both transports: server-sent events
(``GET /api/v1/streaming/<stream>``, :mod:`mastodon.views.streaming`) and the multiplexed
WebSocket at ``/api/v1/streaming`` (:class:`StreamingConsumer`, routed in
:mod:`plaza.asgi`). Events come from the bus in :mod:`plaza.events`, which carries only ids;
every event is rendered here for the connection's own viewer, so an update never shows a
post the viewer may not see (visibility, blocks either way, mutes) and ``favourited`` and
friends are the viewer's own.

Streams (Mastodon's names): ``user``, ``user:notification``, ``public``, ``public:local``,
``public:remote`` (always quiet: Plaza does not federate), the ``:media`` variants of the
public ones (only posts with attachments), ``hashtag`` and ``hashtag:local`` (with ``tag``),
and ``direct`` (``conversation`` events). Since Mastodon 4.2 every stream needs a user token;
the public ones need no particular scope, the others ``read:statuses`` (``user``, ``direct``)
or ``read:notifications`` (``user:notification``; ``user`` carries notifications only when
the token covers it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.db.models import Exists, OuterRef, Q

from accounts.models import Account, Visibility
from mastodon import scopes as scope_rules
from mastodon.api import authenticate
from network.queries import blocked_ids, blocker_ids, muted_ids
from plaza import events
from plaza.events import in_thread
from posts.models import MediaAttachment, Post
from posts.queries import visible_posts, with_related

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
PUBLIC_STREAMS = (
    "public",
    "public:media",
    "public:local",
    "public:local:media",
    "public:remote",
    "public:remote:media",
    "hashtag",
    "hashtag:local",
)
TRUE = ("1", "true", "t", "on", "yes")
# Which bus events each kind of stream lets through.
STATUS_EVENTS = frozenset({"update", "delete", "status.update", "filters_changed"})
USER_EVENTS = STATUS_EVENTS | {"notification"}
TIMELINE_EVENTS = frozenset({"update", "delete", "status.update"})


class StreamError(Exception):
    """A stream that cannot be opened: ``{"error": message}`` with ``status``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Viewer:
    """Who is listening: the account, its token (re-checked on every heartbeat)."""

    account: Account
    token_id: int
    raw_token: str
    scopes: set[str]

    def may(self, scope: str) -> bool:
        return scope_rules.covers(self.scopes, scope)


@dataclass(frozen=True)
class Stream:
    """One opened stream: its Mastodon name, what WebSocket messages call it, the bus
    streams it listens to, which events pass, and the timeline rules posts must meet."""

    name: str
    label: tuple[str, ...]
    channels: tuple[str, ...]
    events: frozenset[str] = frozenset()
    timeline: str | None = None  # "public" or "hashtag": the public feed's rules apply
    only_media: bool = False


# --- authentication and stream names --------------------------------------------------------


def token_from(
    headers: Mapping[str, str], query: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """The raw token and, when it came as ``Sec-WebSocket-Protocol``, that subprotocol.

    Clients send ``Authorization: Bearer``; browsers' WebSocket cannot set headers, so the
    token may also come as the ``access_token`` query parameter or the subprotocol.
    """
    header = headers.get("authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return header[7:].strip(), None
    if query.get("access_token"):
        return query["access_token"], None
    protocol = headers.get("sec-websocket-protocol", "").split(",")[0].strip()
    if protocol:
        return protocol, protocol
    return None, None


def authenticate_viewer(raw: str | None) -> Viewer:
    """The viewer for a raw token; :class:`StreamError` (401) when it is missing or bad."""
    if not raw:
        raise StreamError("Missing access token", 401)
    token = authenticate(raw)
    if token is None:
        raise StreamError("Invalid access token", 401)
    user = token.user
    if user is None or not hasattr(user, "account"):
        raise StreamError("This method requires an authenticated user", 401)
    if not user.is_active:
        raise StreamError("Your login is currently disabled", 401)
    return Viewer(user.account, token.pk, raw, scope_rules.parse(token.scope))


def still_valid(viewer: Viewer) -> bool:
    """Whether the token still works (not revoked, expired, or its user disabled)."""
    token = authenticate(viewer.raw_token)
    return token is not None and token.pk == viewer.token_id and token.user.is_active


def normalize_tag(tag: str) -> str:
    return tag.strip().lstrip("#").lower()


def resolve(viewer: Viewer, name: str, params: Mapping[str, str]) -> Stream:
    """The stream ``name`` (with ``tag``/``only_media``) for ``viewer``, scopes checked."""
    if name not in PUBLIC_STREAMS:
        needed = "read:notifications" if name == "user:notification" else "read:statuses"
        if not viewer.may(needed):
            raise StreamError("Access token does not cover required scopes", 401)
    me = viewer.account.pk
    media = name.endswith(":media") or params.get("only_media", "").lower() in TRUE
    base = name.removesuffix(":media")
    if name == "user":
        # Notifications ride along only when the token may read them (as in Mastodon).
        passes = USER_EVENTS if viewer.may("read:notifications") else STATUS_EVENTS
        return Stream(name, (name,), (events.user_stream(me),), passes)
    if name == "user:notification":
        return Stream(name, (name,), (events.user_stream(me),), frozenset({"notification"}))
    if base in ("public", "public:local", "public:remote"):
        label = f"{base}:media" if media else base
        # Plaza does not federate: every post is local and the remote stream stays quiet.
        channels = () if base == "public:remote" else ("public",)
        return Stream(label, (label,), channels, TIMELINE_EVENTS, "public", media)
    if name in ("hashtag", "hashtag:local"):
        raw_tag = params.get("tag", "")
        tag = normalize_tag(raw_tag)
        if not tag:
            raise StreamError("No tag for stream provided", 400)
        return Stream(name, (name, raw_tag), (f"hashtag:{tag}",), TIMELINE_EVENTS, "hashtag")
    if name == "direct":
        # Direct messages (messaging.live.conversation_changed): Conversation entities.
        return Stream(name, (name,), (f"direct:{me}",), frozenset({"conversation"}))
    if name == "list":
        raise StreamError("Not authorized to stream this list", 401)
    raise StreamError("Unknown stream type", 400)


# --- rendering one event for one viewer ------------------------------------------------------


def _post_for(viewer: Account, post_id: int, stream: Stream) -> Post | None:
    """The post if it belongs on ``stream`` for ``viewer`` — the timelines' own rules."""
    hidden = blocked_ids(viewer).union(blocker_ids(viewer)).union(muted_ids(viewer))
    qs = (
        visible_posts(viewer)
        .filter(pk=post_id)
        .exclude(Q(author_id__in=hidden) | Q(reshare_of__author_id__in=hidden))
    )
    if stream.timeline is not None:
        # feeds.queries.public_feed / hashtag_feed: public originals (no replies in public).
        qs = qs.filter(visibility=Visibility.PUBLIC, reshare_of__isnull=True)
        if stream.timeline == "public":
            qs = qs.filter(in_reply_to__isnull=True)
    if stream.only_media:
        qs = qs.filter(Exists(MediaAttachment.objects.filter(post_id=OuterRef("pk"))))
    return with_related(qs).first()


def render(viewer: Viewer, stream: Stream, event: events.Event) -> tuple[str, str | None] | None:
    """``(event name, payload string)`` for ``viewer``, or None when it is not for them.

    Runs database queries: call it through :func:`in_thread`.
    """
    from mastodon.entities.statuses import statuses

    name, payload = event.event, event.payload
    if name not in stream.events:
        return None
    if name in ("update", "status.update"):
        post = _post_for(viewer.account, int(payload.get("post", 0)), stream)
        if post is None:
            return None
        return name, json.dumps(statuses(viewer.account, [post])[0])
    if name == "conversation":
        from mastodon.views.conversations import conversation_event

        data = conversation_event(viewer.account, payload)
        return (name, json.dumps(data)) if data is not None else None
    if name == "delete":
        return name, str(payload.get("id", ""))
    if name == "notification":
        data = _notification(viewer.account, int(payload.get("notification", 0)))
        return (name, json.dumps(data)) if data is not None else None
    if name == "filters_changed":
        return name, None
    return None


def _notification(viewer: Account, notification_id: int) -> dict[str, Any] | None:
    from mastodon.entities.notifications import OPT_IN_TYPES, TYPE_OF_KIND, notification_entities
    from notifications.models import Notification

    n = (
        Notification.objects.filter(pk=notification_id, recipient=viewer)
        .select_related("actor")
        .first()
    )
    # Connection notifications are opt-in types a stream has no way to ask for.
    if n is None or TYPE_OF_KIND.get(n.kind) in OPT_IN_TYPES:
        return None
    return notification_entities(viewer, [n])[0]


# --- one connection's subscriptions, for both transports ------------------------------------


class Session:
    """The streams one connection has open, on one bus subscription."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        # Keyed by name and bus streams: "#Cats" and "#cats" are one subscription.
        self.streams: dict[tuple[str, ...], Stream] = {}
        self.sub: events.Subscription | None = None
        self.beat_at = asyncio.get_running_loop().time()

    async def open(self, stream: Stream) -> None:
        if self.sub is None:
            self.sub = await events.subscribe()
        self.streams[(stream.name, *stream.channels)] = stream
        await self.sub.add(*stream.channels)

    async def close_stream(self, stream: Stream) -> None:
        opened = self.streams.pop((stream.name, *stream.channels), None)
        if opened is None or self.sub is None:
            return
        still = {c for s in self.streams.values() for c in s.channels}
        await self.sub.remove(*[c for c in opened.channels if c not in still])

    def close(self) -> None:
        if self.sub is not None:
            self.sub.close()

    async def next(self) -> list[tuple[Stream, str, str | None]] | None:
        """The next events to send (possibly none), or None when a heartbeat is due (every
        :data:`HEARTBEAT_SECONDS`, however busy the stream): send one and re-check the token."""
        if self.sub is None:
            self.sub = await events.subscribe()
        loop = asyncio.get_running_loop()
        wait = self.beat_at + HEARTBEAT_SECONDS - loop.time()
        event = await self.sub.get(wait) if wait > 0 else None
        if event is None:
            self.beat_at = loop.time()
            return None
        out = []
        for stream in list(self.streams.values()):
            if event.stream not in stream.channels:
                continue
            try:
                rendered = await in_thread(render)(self.viewer, stream, event)
            except Exception:
                log.exception("could not render %s for a stream", event.event)
                continue
            if rendered is not None:
                out.append((stream, *rendered))
        return out


# --- WebSocket -----------------------------------------------------------------------------


class StreamingConsumer(AsyncWebsocketConsumer):
    """``wss://…/api/v1/streaming``: Mastodon's multiplexed streaming socket.

    The token comes as a header, ``access_token`` or the subprotocol; a missing or bad one
    refuses the connection. ``?stream=`` subscribes at once; later
    ``{"type": "subscribe"|"unsubscribe", "stream": …, "tag": …}`` messages change the set.
    Each event is ``{"stream": [...], "event": …, "payload": "<JSON string>"}``.
    """

    session: Session | None = None
    pump: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in self.scope["headers"]
        }
        query = {k: v[0] for k, v in parse_qs(self.scope["query_string"].decode()).items()}
        if "sec-websocket-protocol" not in headers and self.scope.get("subprotocols"):
            headers["sec-websocket-protocol"] = ",".join(self.scope["subprotocols"])
        raw, protocol = token_from(headers, query)
        try:
            viewer = await in_thread(authenticate_viewer)(raw)
        except StreamError as exc:
            await self._refuse(exc)
            return
        self.session = Session(viewer)
        self.session.sub = await events.subscribe()
        problem: StreamError | None = None
        if query.get("stream"):
            # Subscribed before the handshake completes, so nothing published after the
            # client sees the connection open can be missed.
            try:
                await self.session.open(resolve(viewer, query["stream"], query))
            except StreamError as exc:
                problem = exc
        await self.accept(subprotocol=protocol)
        self.pump = asyncio.create_task(self._pump())
        if problem is not None:
            await self._error(problem.message, problem.status)

    async def _refuse(self, exc: StreamError) -> None:
        # Servers that implement the ASGI denial extension can answer a real 401 with
        # Mastodon's JSON body; elsewhere the handshake is simply refused.
        if "websocket.http.response" in self.scope.get("extensions", {}):
            body = json.dumps({"error": exc.message}).encode()
            await self.base_send(
                {
                    "type": "websocket.http.response.start",
                    "status": exc.status,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await self.base_send({"type": "websocket.http.response.body", "body": body})
            return
        await self.close()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.close(code=1003)
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self._error("Could not parse the message as JSON")
            return
        if not isinstance(message, dict):
            await self._error("Expected a JSON object")
            return
        kind = message.get("type")
        stream = message.get("stream")
        if isinstance(stream, list):
            stream = stream[0] if stream else None
        params = {k: str(v) for k, v in message.items() if k not in ("type", "stream")}
        if not isinstance(stream, str) or kind not in ("subscribe", "unsubscribe"):
            await self._error("Unknown message type or missing stream")
            return
        if kind == "subscribe":
            await self._subscribe(stream, params)
        else:
            await self._unsubscribe(stream, params)

    async def _subscribe(self, name: str, params: Mapping[str, str]) -> None:
        assert self.session is not None
        try:
            stream = resolve(self.session.viewer, name, params)
        except StreamError as exc:
            await self._error(exc.message, exc.status)
            return
        await self.session.open(stream)

    async def _unsubscribe(self, name: str, params: Mapping[str, str]) -> None:
        assert self.session is not None
        try:
            stream = resolve(self.session.viewer, name, params)
        except StreamError as exc:
            await self._error(exc.message, exc.status)
            return
        await self.session.close_stream(stream)

    async def _error(self, message: str, status: int = 400) -> None:
        await self.send(text_data=json.dumps({"error": message, "status": status}))

    async def _pump(self) -> None:
        session = self.session
        assert session is not None
        while True:
            batch = await session.next()
            if batch is None:
                if not await in_thread(still_valid)(session.viewer):
                    await self.close(code=4001)
                    return
                continue
            for stream, name, payload in batch:
                message: dict[str, Any] = {"stream": list(stream.label), "event": name}
                if payload is not None:
                    message["payload"] = payload
                await self.send(text_data=json.dumps(message))

    async def disconnect(self, code: int) -> None:
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.pump
        if self.session is not None:
            self.session.close()
