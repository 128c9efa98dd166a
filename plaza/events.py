"""Live events: what the server tells connected clients right away (the streaming API).

Writers call :func:`publish` (or one of the helpers at the bottom, which register it with
``transaction.on_commit``) with the *streams* an event belongs to — ``"public"``,
``"hashtag:cats"``, ``"user:<account id>"`` — an event name and a small JSON payload that
names what changed (``{"post": 123}``), never a rendering: each connection renders the post
for its own viewer, with that viewer's blocks, mutes and visibility rules.

Readers (the streaming views and the WebSocket consumer, in the ASGI process) open a
:class:`Subscription` with :func:`subscribe` and ``await sub.get(timeout)``.

Events are produced in more than one process: a request handler publishes a post to the
public stream, the task consumer (a separate process on the embedded default) fans it out
to followers' home streams. So the bus has to cross processes. Three backends, picked by
:func:`backend` from the settings (see the README, "Streaming"):

- :class:`RedisBackend` when ``PLAZA_REDIS_URL`` is set (production: many ASGI workers and
  consumers, possibly on several machines): Redis ``PUBLISH``/``SUBSCRIBE``.
- :class:`SqliteBackend` otherwise (the embedded default, one machine): a small WAL-mode
  SQLite file in the data directory that publishers append to and each ASGI process polls
  every 100 ms while it has subscribers. Any number of processes on the machine can
  publish and listen; nothing extra has to run.
- :class:`MemoryBackend` in tests (one process, tasks run inline).

Only streams someone listens to are published: each backend knows which streams are live
(Redis ``PUBSUB CHANNELS``, a presence table in the SQLite file, the local hubs), so
fanning a post out to 20,000 followers sends events only to those connected right now.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from plaza.ids import is_digits

if TYPE_CHECKING:
    from notifications.models import Notification
    from posts.models import Post

log = logging.getLogger(__name__)

QUEUE_SIZE = 500  # events buffered per subscription before the slowest client drops some


@dataclass(frozen=True)
class Event:
    """One event as a subscriber receives it: the stream it came through, name, payload."""

    stream: str
    event: str
    payload: dict[str, Any]


def _encode(streams: Sequence[str], event: str, payload: Mapping[str, Any]) -> str:
    return json.dumps({"streams": list(streams), "event": event, "payload": dict(payload)})


def _decode(raw: str | bytes) -> tuple[list[str], str, dict[str, Any]] | None:
    try:
        data = json.loads(raw)
        return list(data["streams"]), str(data["event"]), dict(data.get("payload") or {})
    except (ValueError, KeyError, TypeError):
        log.warning("dropping a malformed live event: %r", raw[:200])
        return None


# --- the per-process side: hubs and subscriptions ------------------------------------------


class Subscription:
    """A connection's interest in some streams; events arrive in its own queue."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self.streams: set[str] = set()
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.closed = False

    async def add(self, *streams: str) -> None:
        """Listen to more streams; returns once the backend delivers them to this process."""
        new = [s for s in streams if s not in self.streams]
        self.streams.update(new)
        await self._hub.attach(self, new)

    async def remove(self, *streams: str) -> None:
        gone = [s for s in streams if s in self.streams]
        self.streams.difference_update(gone)
        await self._hub.detach(self, gone)

    async def get(self, timeout: float) -> Event | None:
        """The next event, or None after ``timeout`` seconds of silence."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        """Stop listening. Synchronous, so it is safe in ``finally`` during cancellation."""
        if self.closed:
            return
        self.closed = True
        self._hub.detach_now(self, list(self.streams))
        self.streams.clear()

    def deliver(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # A client that does not read its socket must not hold the server's memory.
            log.warning("live events dropped for a slow subscriber on %s", event.stream)


class Hub:
    """The subscriptions of one event loop (one ASGI process), fed by the backend."""

    def __init__(self, bus: Backend, loop: asyncio.AbstractEventLoop) -> None:
        self.bus = bus
        self.loop = loop
        self.id = uuid.uuid4().hex
        self.listeners: dict[str, set[Subscription]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.state: Any = None  # backend-specific (a Redis pubsub, a poll cursor)

    def streams(self) -> set[str]:
        return {s for s, subs in self.listeners.items() if subs}

    async def attach(self, sub: Subscription, streams: Sequence[str]) -> None:
        fresh = []
        for stream in streams:
            subs = self.listeners.setdefault(stream, set())
            if not subs:
                fresh.append(stream)
            subs.add(sub)
        if fresh:
            await self.bus.hub_listen(self, fresh)
        if self.reader is None or self.reader.done():
            self.reader = self.loop.create_task(self.bus.hub_read(self))

    async def detach(self, sub: Subscription, streams: Sequence[str]) -> None:
        idle = self._drop(sub, streams)
        if idle:
            await self.bus.hub_unlisten(self, idle)

    def detach_now(self, sub: Subscription, streams: Sequence[str]) -> None:
        idle = self._drop(sub, streams)
        if idle and not self.loop.is_closed():
            task = self.loop.create_task(self.bus.hub_unlisten(self, idle))
            task.add_done_callback(_log_failure)

    def _drop(self, sub: Subscription, streams: Sequence[str]) -> list[str]:
        idle = []
        for stream in streams:
            subs = self.listeners.get(stream)
            if subs is None:
                continue
            subs.discard(sub)
            if not subs:
                del self.listeners[stream]
                idle.append(stream)
        return idle

    def dispatch(self, streams: Iterable[str], event: str, payload: dict[str, Any]) -> None:
        for stream in streams:
            for sub in list(self.listeners.get(stream, ())):
                sub.deliver(Event(stream, event, payload))


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("live events: %s", task.exception())


# --- backends ------------------------------------------------------------------------------


class Backend(abc.ABC):
    """How events travel from :func:`publish` to the hubs. Subclasses fill in the hooks."""

    def __init__(self) -> None:
        self._hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = (
            weakref.WeakKeyDictionary()
        )
        self._hubs_lock = threading.Lock()

    # publishing side (any thread, any process) ---------------------------------------------
    @abc.abstractmethod
    def publish(self, streams: Sequence[str], event: str, payload: Mapping[str, Any]) -> None:
        """Deliver an event to every process listening to ``streams``."""

    @abc.abstractmethod
    def live(self, prefix: str = "") -> set[str]:
        """The streams (starting with ``prefix``) someone listens to right now."""

    # listening side (the event loop of an ASGI process) ------------------------------------
    def hub(self) -> Hub:
        loop = asyncio.get_running_loop()
        with self._hubs_lock:
            hub = self._hubs.get(loop)
            if hub is None:
                hub = self._hubs[loop] = Hub(self, loop)
            return hub

    def local_hubs(self) -> list[Hub]:
        with self._hubs_lock:
            return [h for h in self._hubs.values() if not h.loop.is_closed()]

    async def hub_listen(self, hub: Hub, streams: Sequence[str]) -> None:
        return None

    async def hub_unlisten(self, hub: Hub, streams: Sequence[str]) -> None:
        return None

    async def hub_read(self, hub: Hub) -> None:
        return None

    def close(self) -> None:
        return None


class MemoryBackend(Backend):
    """Within one process only (tests, or a server that runs its tasks inline)."""

    def publish(self, streams: Sequence[str], event: str, payload: Mapping[str, Any]) -> None:
        data = json.loads(json.dumps(dict(payload)))  # the same copy semantics as the others
        for hub in self.local_hubs():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                hub.loop.call_soon_threadsafe(hub.dispatch, list(streams), event, data)

    def live(self, prefix: str = "") -> set[str]:
        found: set[str] = set()
        for hub in self.local_hubs():
            for _ in range(3):  # the hub's loop may change the dict while we copy it
                with contextlib.suppress(RuntimeError):
                    found.update(s for s in list(hub.listeners) if s.startswith(prefix))
                    break
        return found


class SqliteBackend(Backend):
    """One machine, many processes: an append-only log in a WAL-mode SQLite file.

    Publishers insert one row per event (only for streams with a listener somewhere); each
    process with subscribers polls ``id > last seen`` every :attr:`poll_interval` seconds
    and records which streams it listens to in ``listeners`` (refreshed while alive, so a
    crashed process's entries expire). Rows older than a minute are pruned.
    """

    poll_interval = 0.1
    presence_ttl = 60.0
    keep_seconds = 60.0

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self.path = str(path)
        self._local = threading.local()
        self._published = 0
        with contextlib.closing(self._connect()) as db:
            db.executescript(
                """
                CREATE TABLE IF NOT EXISTS events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    streams TEXT NOT NULL, body TEXT NOT NULL, at REAL NOT NULL);
                CREATE TABLE IF NOT EXISTS listeners (
                    hub TEXT NOT NULL, stream TEXT NOT NULL, expires REAL NOT NULL,
                    PRIMARY KEY (hub, stream));
                CREATE INDEX IF NOT EXISTS listeners_stream ON listeners (stream, expires);
                """
            )

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = self._local.db = self._connect()
            self._local.pid = os.getpid()
        return db

    def live(self, prefix: str = "") -> set[str]:
        rows = self._db().execute(
            "SELECT DISTINCT stream FROM listeners WHERE expires > ? AND stream >= ? AND stream < ?",
            (time.time(), prefix, prefix + "\uffff"),
        )
        return {r[0] for r in rows}

    def publish(self, streams: Sequence[str], event: str, payload: Mapping[str, Any]) -> None:
        db = self._db()
        targets = sorted(set(streams) & self.live())
        if not targets:
            return
        now = time.time()
        db.execute(
            "INSERT INTO events (streams, body, at) VALUES (?, ?, ?)",
            (json.dumps(targets), _encode(targets, event, payload), now),
        )
        self._published += 1
        if self._published % 200 == 0:
            db.execute("DELETE FROM events WHERE at < ?", (now - self.keep_seconds,))

    # listening side: all file access happens in a worker thread, never on the event loop.
    def _hub_db(self, hub: Hub) -> sqlite3.Connection:
        if hub.state is None:
            db = self._connect()
            row = db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()
            hub.state = {"db": db, "last": row[0], "lock": threading.Lock(), "seen": 0.0}
        return hub.state["db"]

    def _write_presence(self, hub: Hub, add: Sequence[str], remove: Sequence[str]) -> None:
        db = self._hub_db(hub)
        with hub.state["lock"]:
            expires = time.time() + self.presence_ttl
            db.executemany(
                "INSERT OR REPLACE INTO listeners (hub, stream, expires) VALUES (?, ?, ?)",
                [(hub.id, s, expires) for s in add],
            )
            db.executemany(
                "DELETE FROM listeners WHERE hub = ? AND stream = ?", [(hub.id, s) for s in remove]
            )

    async def hub_listen(self, hub: Hub, streams: Sequence[str]) -> None:
        await asyncio.to_thread(self._write_presence, hub, streams, ())

    async def hub_unlisten(self, hub: Hub, streams: Sequence[str]) -> None:
        await asyncio.to_thread(self._write_presence, hub, (), streams)

    def _poll(self, hub: Hub, streams: set[str]) -> list[tuple[list[str], str, dict[str, Any]]]:
        db = self._hub_db(hub)
        state = hub.state
        with state["lock"]:
            now = time.time()
            if now - state["seen"] > self.presence_ttl / 3:
                # Still here: keep this process's listener rows from expiring.
                state["seen"] = now
                db.executemany(
                    "INSERT OR REPLACE INTO listeners (hub, stream, expires) VALUES (?, ?, ?)",
                    [(hub.id, s, now + self.presence_ttl) for s in streams],
                )
            rows = db.execute(
                "SELECT id, body FROM events WHERE id > ? ORDER BY id", (state["last"],)
            ).fetchall()
        out = []
        for row_id, body in rows:
            state["last"] = row_id
            decoded = _decode(body)
            if decoded is not None:
                out.append(decoded)
        return out

    async def hub_read(self, hub: Hub) -> None:
        while True:
            streams = hub.streams()
            if not streams:
                await asyncio.to_thread(self._drop_presence, hub)
                return  # restarted by the next subscription
            try:
                batch = await asyncio.to_thread(self._poll, hub, streams)
            except sqlite3.Error as exc:
                log.warning("live events: polling %s failed: %s", self.path, exc)
                batch = []
            for streams_, event, payload in batch:
                hub.dispatch(streams_, event, payload)
            await asyncio.sleep(self.poll_interval)

    def _drop_presence(self, hub: Hub) -> None:
        if hub.state is not None:
            with hub.state["lock"]:
                hub.state["db"].execute("DELETE FROM listeners WHERE hub = ?", (hub.id,))


class RedisBackend(Backend):
    """Redis pub/sub: any number of processes on any number of machines."""

    def __init__(self, url: str, prefix: str = "plaza:live:") -> None:
        super().__init__()
        self.url = url
        self.prefix = prefix
        self._client: Any = None

    def _sync(self) -> Any:
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.url)
        return self._client

    def live(self, prefix: str = "") -> set[str]:
        names = self._sync().pubsub_channels(f"{self.prefix}{prefix}*")
        cut = len(self.prefix)
        return {(n.decode() if isinstance(n, bytes) else n)[cut:] for n in names}

    def publish(self, streams: Sequence[str], event: str, payload: Mapping[str, Any]) -> None:
        streams = list(dict.fromkeys(streams))
        if len(streams) > 4:
            # Many streams (a fan-out): send only to those with a listener.
            streams = [s for s in streams if s in self.live()]
        if not streams:
            return
        pipe = self._sync().pipeline(transaction=False)
        for stream in streams:
            pipe.publish(self.prefix + stream, _encode([stream], event, payload))
        pipe.execute()

    def _pubsub(self, hub: Hub) -> Any:
        if hub.state is None:
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(self.url)
            hub.state = {"client": client, "pubsub": client.pubsub()}
        return hub.state["pubsub"]

    async def hub_listen(self, hub: Hub, streams: Sequence[str]) -> None:
        await self._pubsub(hub).subscribe(*[self.prefix + s for s in streams])

    async def hub_unlisten(self, hub: Hub, streams: Sequence[str]) -> None:
        await self._pubsub(hub).unsubscribe(*[self.prefix + s for s in streams])

    async def hub_read(self, hub: Hub) -> None:
        pubsub = self._pubsub(hub)
        while hub.streams():
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except (ConnectionError, OSError) as exc:
                log.warning("live events: redis read failed: %s", exc)
                await asyncio.sleep(1)
                continue
            if message is None or message.get("type") != "message":
                continue
            decoded = _decode(message["data"])
            if decoded is not None:
                hub.dispatch(*decoded)


# --- the module-level API --------------------------------------------------------------------

_backend: Backend | None = None
_backend_lock = threading.Lock()


def backend() -> Backend:
    """The configured backend (created on first use)."""
    global _backend
    if _backend is None:
        with _backend_lock:
            if _backend is None:
                _backend = _from_settings()
    return _backend


def _from_settings() -> Backend:
    from django.conf import settings

    if settings.PLAZA.redis_url:
        return RedisBackend(settings.PLAZA.redis_url)
    if getattr(settings, "TESTING", False):
        return MemoryBackend()
    return SqliteBackend(Path(settings.DATA_DIR) / "events.sqlite3")


def use_backend(new: Backend | None) -> Backend | None:
    """Replace the backend (tests); None goes back to the settings. Returns the old one."""
    global _backend
    with _backend_lock:
        old, _backend = _backend, new
    return old


def publish(streams: Sequence[str], event: str, payload: Mapping[str, Any] | None = None) -> None:
    """Send ``event`` to everyone listening on any of ``streams``, now.

    Call it after the transaction that made the change committed (see :func:`on_commit`):
    a listener reacts by reading the database. Never raises: live updates are a courtesy,
    the write they describe already happened.
    """
    if not streams:
        return
    try:
        backend().publish(list(streams), event, payload or {})
    except Exception:
        log.exception("live event %s could not be published", event)


def live(prefix: str = "") -> set[str]:
    """Streams (starting with ``prefix``) with a listener somewhere right now."""
    try:
        return backend().live(prefix)
    except Exception:
        log.exception("live streams could not be listed")
        return set()


async def subscribe(*streams: str) -> Subscription:
    """A subscription to ``streams`` for the running event loop; ``close()`` it when done."""
    sub = Subscription(backend().hub())
    if streams:
        await sub.add(*streams)
    return sub


def on_commit(fn: Callable[[], None]) -> None:
    """Run ``fn`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(fn)


# --- what Plaza publishes ------------------------------------------------------------------
# Stream names: "public" (what feeds.queries.public_feed lists), "hashtag:<name>" (what
# hashtag_feed lists), "user:<account id>" (home feed entries and notifications),
# "direct:<account id>" (direct conversations). Payloads name objects by id.


def user_stream(account_id: int) -> str:
    return f"user:{account_id}"


def _live_user_ids() -> set[int]:
    return {int(s.split(":", 1)[1]) for s in live("user:") if is_digits(s.split(":", 1)[1])}


def _timeline_streams(post: Post) -> list[str]:
    """The public and hashtag streams ``post`` belongs on (the public feed's own rules)."""
    from accounts.models import Visibility
    from posts.models import PostHashtag

    if post.visibility != Visibility.PUBLIC or post.reshare_of_id is not None:
        return []
    tags = PostHashtag.objects.filter(post_id=post.pk).values_list("hashtag__name", flat=True)
    streams = [f"hashtag:{t}" for t in tags]
    if post.in_reply_to_id is None:
        streams.append("public")
    return streams


def post_published(post: Post) -> None:
    """A post was published: the public and hashtag streams get it after commit (followers'
    home streams get it from :func:`home_delivered`, after fan-out)."""
    post_id = post.pk

    def send() -> None:
        from posts.models import Post as PostModel

        listening = live()
        if not listening:
            return
        fresh = PostModel.objects.filter(pk=post_id).first()
        if fresh is None:
            return
        streams = _timeline_streams(fresh)
        publish([s for s in streams if s in listening], "update", {"post": post_id})

    on_commit(send)


def home_delivered(post: Post | int) -> None:
    """After fan-out: the post is in these home feeds, so their user streams get it."""
    from feeds.models import HomeFeedEntry

    post_id = post if isinstance(post, int) else post.pk

    def send() -> None:
        connected = _live_user_ids()
        if not connected:
            return
        owners = HomeFeedEntry.objects.filter(
            post_id=post_id, owner_id__in=list(connected)
        ).values_list("owner_id", flat=True)
        publish([user_stream(o) for o in owners], "update", {"post": post_id})

    on_commit(send)


def post_edited(post: Post) -> None:
    """A post changed: ``status.update`` on the streams that showed it."""
    _announce({post.pk: _timeline_streams(post)}, "status.update", lambda pid: {"post": pid})


def post_deleted(post: Post) -> None:
    """Call *before* deleting: ``delete`` (with the id) for the post and the reshares that go
    with it, on the streams that showed them. The audience is read now, while it exists."""
    targets = {post.pk: _timeline_streams(post)}
    targets.update({pk: [] for pk in post.reshares.values_list("pk", flat=True)})
    _announce(targets, "delete", lambda pid: {"id": str(pid)})


def _announce(
    targets: Mapping[int, list[str]], event: str, payload: Callable[[int], dict[str, Any]]
) -> None:
    """After commit, ``event`` for each post id on its timeline streams and on the user
    streams of connected people whose home feed holds it."""
    from feeds.models import HomeFeedEntry

    streams = {pid: list(timeline) for pid, timeline in targets.items()}
    connected = _live_user_ids()
    if connected:
        rows = HomeFeedEntry.objects.filter(
            post_id__in=list(targets), owner_id__in=list(connected)
        ).values_list("post_id", "owner_id")
        for pid, owner in rows:
            streams[pid].append(user_stream(owner))

    def send() -> None:
        for pid, names in streams.items():
            publish(names, event, payload(pid))

    on_commit(send)


def notification_created(notification: Notification) -> None:
    """A notification was stored: its recipient's user stream gets it after commit."""
    stream = user_stream(notification.recipient_id)
    payload = {"notification": notification.pk}
    on_commit(lambda: publish([stream], "notification", payload))


def notifications_created(notifications: Sequence[Notification]) -> None:
    """Many notifications at once (a post's subscribers, a group's close followers): after
    commit, only the recipients with a stream open right now are told, so a post with
    thousands of subscribers costs one lookup of who is live, not a publish per person."""
    if not notifications:
        return
    pairs = [(n.recipient_id, n.pk) for n in notifications]

    def send() -> None:
        connected = _live_user_ids()
        for recipient, pk in pairs:
            if recipient in connected:
                publish([user_stream(recipient)], "notification", {"notification": pk})

    on_commit(send)


def in_thread(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as a coroutine for a long-lived stream (SSE, WebSocket), run on a worker thread
    with a database connection it gives back afterwards.

    A stream lives for hours and never sees Django's request signals, so nothing else would
    return its connection: with PostgreSQL's pool each open stream would hold one checked out
    between events and a few streams would starve the worker. So every call closes the
    connection when done (never inside a transaction: tests run inside one).
    """
    from asgiref.sync import sync_to_async
    from django.db import close_old_connections, connection

    def run(*args: Any, **kwargs: Any) -> Any:
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            if not connection.in_atomic_block:
                connection.close()

    return sync_to_async(run)
