"""Streaming API: the WebSocket and server-sent events, end to end through plaza.asgi.

Every scenario runs on the event loop of ``async_to_sync``; database work goes back to the
test's thread (``sync_to_async``), so it sees the test's transaction. Events travel through
the SQLite bus (the embedded default's cross-process transport) unless a test says
otherwise. Every receive has a timeout: a missing event fails fast, never hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.test import AsyncClient

from accounts.models import Account, Visibility
from mastodon.actions import issue_token
from mastodon.models import Application
from network import actions as network
from plaza import events
from plaza.asgi import application
from posts import actions as posts
from tests.factories import make_account

# Consumers reach the database through Channels' database_sync_to_async, which closes
# connections around each call (close_old_connections). Inside a test transaction that would
# close the test's own connection on PostgreSQL (SQLite's in-memory test database ignores it),
# so these tests commit for real and the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5


class WebsocketCommunicator(ApplicationCommunicator):
    """A WebSocket client for an ASGI app (like channels.testing's, which needs daphne)."""

    def __init__(self, app: Any, path: str, headers: Any = None, subprotocols: Any = None) -> None:
        parsed = urlparse(path)
        scope = {
            "type": "websocket",
            "path": unquote(parsed.path),
            "query_string": parsed.query.encode(),
            "headers": headers or [],
            "subprotocols": subprotocols or [],
        }
        super().__init__(app, scope)

    async def connect(self, timeout: float = TIMEOUT) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, response.get("subprotocol")

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def receive_from(self, timeout: float = TIMEOUT) -> str:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return response["text"]

    async def disconnect(self, code: int = 1000, timeout: float = TIMEOUT) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


@pytest.fixture(autouse=True)
def bus(tmp_path: Path) -> Iterator[events.Backend]:
    backend = events.SqliteBackend(tmp_path / "events.sqlite3")
    backend.poll_interval = 0.02
    old = events.use_backend(backend)
    yield backend
    events.use_backend(old)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


def token_for(app: Application, account: Account | None, scopes: str = "read write") -> str:
    _, raw = issue_token(account.user if account else None, app, scopes=scopes)
    return raw


async def open_socket(path: str, token: str | None = None, **kw: Any) -> WebsocketCommunicator:
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    comm = WebsocketCommunicator(application, path, headers=headers, **kw)
    connected, _ = await comm.connect(timeout=TIMEOUT)
    assert connected
    return comm


async def next_message(comm: WebsocketCommunicator) -> dict[str, Any]:
    return json.loads(await comm.receive_from(timeout=TIMEOUT))


async def until_live(stream: str) -> None:
    for _ in range(200):
        if stream in events.live():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{stream} never became live")


@pytest.fixture
def act(run_tasks: Any) -> Callable[..., Awaitable[Any]]:
    """``await act(fn, *args)``: run a domain action in the test's thread, committing it
    (on-commit hooks and tasks run, as after a real request)."""

    async def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def inner() -> Any:
            with run_tasks():
                return fn(*args, **kwargs)

        return await sync_to_async(inner)()

    return call


# --- WebSocket -------------------------------------------------------------------------------


def test_user_stream_gets_followed_posts_and_own_posts(oauth_app, act) -> None:
    me, friend, stranger = make_account(), make_account(), make_account()
    network.follow(me, friend)
    token = token_for(oauth_app, me)

    async def scenario() -> None:
        comm = await open_socket("/api/v1/streaming?stream=user", token)
        await act(posts.publish, stranger, text="not followed")
        post = await act(posts.publish, friend, text="hello #cats", visibility=Visibility.FOLLOWERS)
        msg = await next_message(comm)
        assert msg["stream"] == ["user"]
        assert msg["event"] == "update"
        status = json.loads(msg["payload"])
        assert status["id"] == str(post.pk)
        assert status["account"]["id"] == str(friend.pk)
        assert status["favourited"] is False  # rendered for the viewer
        mine = await act(posts.publish, me, text="my own")
        assert json.loads((await next_message(comm))["payload"])["id"] == str(mine.pk)
        await comm.disconnect()

    run(scenario)


def test_public_stream_only_public_originals(oauth_app, act) -> None:
    me, author = make_account(), make_account()
    token = token_for(oauth_app, me)

    async def scenario() -> None:
        comm = await open_socket("/api/v1/streaming?stream=public", token)
        await act(posts.publish, author, text="followers only", visibility=Visibility.FOLLOWERS)
        await act(posts.publish, author, text="unlisted", visibility=Visibility.UNLISTED)
        first = await act(posts.publish, author, text="to everyone", visibility=Visibility.PUBLIC)
        await act(posts.publish, author, text="a reply", in_reply_to=first)
        last = await act(posts.publish, author, text="again", visibility=Visibility.PUBLIC)
        got = [json.loads((await next_message(comm))["payload"])["id"] for _ in range(2)]
        assert got == [str(first.pk), str(last.pk)]
        assert await comm.receive_nothing(timeout=0.2)
        await comm.disconnect()

    run(scenario)


def test_blocked_and_muted_authors_never_arrive(oauth_app, act) -> None:
    me, blocked, blocker, muted, ok = (make_account() for _ in range(5))
    network.block(me, blocked)
    network.block(blocker, me)
    network.mute(me, muted)
    for account in (blocked, blocker, muted, ok):
        network.follow(me, account) if account is ok else None
    token = token_for(oauth_app, me)

    async def scenario() -> None:
        comm = await open_socket("/api/v1/streaming?stream=public", token)
        for account in (blocked, blocker, muted):
            await act(posts.publish, account, text="should not arrive")
        post = await act(posts.publish, ok, text="fine")
        msg = await next_message(comm)
        assert json.loads(msg["payload"])["id"] == str(post.pk)
        assert await comm.receive_nothing(timeout=0.2)
        await comm.disconnect()

    run(scenario)


def test_hashtag_subscribe_and_unsubscribe_by_message(oauth_app, act) -> None:
    me, author = make_account(), make_account()
    token = token_for(oauth_app, me)

    async def scenario() -> None:
        comm = await open_socket("/api/v1/streaming", token)
        await comm.send_json_to({"type": "subscribe", "stream": "hashtag", "tag": "Cats"})
        await until_live("hashtag:cats")
        await act(posts.publish, author, text="about #dogs")
        await act(posts.publish, author, text="private #cats", visibility=Visibility.FOLLOWERS)
        post = await act(posts.publish, author, text="about #cats")
        msg = await next_message(comm)
        assert msg["stream"] == ["hashtag", "Cats"]
        assert json.loads(msg["payload"])["id"] == str(post.pk)
        await comm.send_json_to({"type": "unsubscribe", "stream": "hashtag", "tag": "cats"})
        for _ in range(200):
            if "hashtag:cats" not in events.live():
                break
            await asyncio.sleep(0.01)
        await act(posts.publish, author, text="more #cats")
        assert await comm.receive_nothing(timeout=0.3)
        await comm.disconnect()

    run(scenario)


def test_notifications_deletes_and_edits(oauth_app, act) -> None:
    me, friend = make_account(), make_account()
    network.follow(me, friend)
    token = token_for(oauth_app, me)

    async def scenario() -> None:
        comm = await open_socket("/api/v1/streaming?stream=user", token)
        mine = await act(posts.publish, me, text="like this")
        assert (await next_message(comm))["event"] == "update"
        await act(posts.like, friend, mine)
        msg = await next_message(comm)
        assert msg["event"] == "notification"
        note = json.loads(msg["payload"])
        assert note["type"] == "favourite"
        assert note["account"]["id"] == str(friend.pk)
        assert note["status"]["id"] == str(mine.pk)

        theirs = await act(posts.publish, friend, text="first version")
        assert (await next_message(comm))["event"] == "update"
        await act(posts.edit, friend, theirs, text="second version")
        msg = await next_message(comm)
        assert msg["event"] == "status.update"
        assert "second version" in json.loads(msg["payload"])["content"]
        theirs_id = theirs.pk
        await act(posts.delete, friend, theirs)
        msg = await next_message(comm)
        assert msg == {"stream": ["user"], "event": "delete", "payload": str(theirs_id)}
        await comm.disconnect()

    run(scenario)


def test_notification_stream_and_scopes(oauth_app, act) -> None:
    me, friend = make_account(), make_account()
    network.follow(me, friend)
    statuses_only = token_for(oauth_app, me, scopes="read:statuses")
    notes_only = token_for(oauth_app, me, scopes="read:notifications")

    async def scenario() -> None:
        # A token without read:notifications gets the home timeline but no notifications.
        home = await open_socket("/api/v1/streaming?stream=user", statuses_only)
        notes = await open_socket("/api/v1/streaming?stream=user:notification", notes_only)
        await comm_error(notes, "user")  # read:statuses is missing for the user stream
        mine = await act(posts.publish, me, text="hello")
        assert (await next_message(home))["event"] == "update"
        await act(posts.like, friend, mine)
        msg = await next_message(notes)
        assert msg["stream"] == ["user:notification"]
        assert msg["event"] == "notification"
        assert await home.receive_nothing(timeout=0.2)
        await home.disconnect()
        await notes.disconnect()

    async def comm_error(comm: WebsocketCommunicator, stream: str) -> None:
        await comm.send_json_to({"type": "subscribe", "stream": stream})
        msg = await next_message(comm)
        assert msg["status"] == 401
        assert "scope" in msg["error"]

    run(scenario)


def test_token_in_query_and_subprotocol(oauth_app, act) -> None:
    me, author = make_account(), make_account()
    token = token_for(oauth_app, me)

    async def scenario() -> None:
        by_query = await open_socket(f"/api/v1/streaming?stream=public&access_token={token}")
        comm = WebsocketCommunicator(
            application, "/api/v1/streaming?stream=public", subprotocols=[token]
        )
        connected, protocol = await comm.connect(timeout=TIMEOUT)
        assert connected
        assert protocol == token  # browsers drop a socket whose server picks no subprotocol
        post = await act(posts.publish, author, text="hi")
        for c in (by_query, comm):
            assert json.loads((await next_message(c))["payload"])["id"] == str(post.pk)
            await c.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "token_kind", ["none", "bad", "app", "revoked"], ids=["none", "bad", "app", "revoked"]
)
def test_bad_tokens_are_refused(oauth_app, token_kind: str) -> None:
    me = make_account()
    token = {
        "none": None,
        "bad": "nope",
        "app": token_for(oauth_app, None),
        "revoked": token_for(oauth_app, me),
    }[token_kind]
    if token_kind == "revoked":
        from oauth2_provider.models import get_access_token_model

        get_access_token_model().objects.all().delete()

    async def scenario() -> None:
        headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
        comm = WebsocketCommunicator(
            application, "/api/v1/streaming?stream=public", headers=headers
        )
        connected, _ = await comm.connect(timeout=TIMEOUT)
        assert not connected

    run(scenario)


def test_bad_messages_get_errors_not_disconnects(oauth_app) -> None:
    token = token_for(oauth_app, make_account())

    async def scenario() -> None:
        comm = await open_socket("/api/v1/streaming?stream=nonsense", token)
        assert (await next_message(comm)) == {"error": "Unknown stream type", "status": 400}
        for bad in ("not json", "[1]", json.dumps({"type": "dance", "stream": "user"})):
            await comm.send_to(text_data=bad)
            assert (await next_message(comm))["status"] == 400
        await comm.send_json_to({"type": "subscribe", "stream": "hashtag"})
        assert (await next_message(comm))["error"] == "No tag for stream provided"
        await comm.send_json_to({"type": "subscribe", "stream": "list", "list": "1"})
        assert (await next_message(comm))["status"] == 401
        await comm.disconnect()

    run(scenario)


def test_unknown_socket_path_is_refused(oauth_app) -> None:
    async def scenario() -> None:
        comm = WebsocketCommunicator(application, "/elsewhere")
        connected, _ = await comm.connect(timeout=TIMEOUT)
        assert not connected

    run(scenario)


# --- server-sent events ------------------------------------------------------------------------


async def sse(path: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await AsyncClient().get(path, headers=headers)


class Reader:
    """Reads an event stream as the server does: in a task, cancelled when the client goes
    (Django cancels a streaming response on ``http.disconnect``)."""

    def __init__(self, response: Any) -> None:
        self.chunks: asyncio.Queue[str | None] = asyncio.Queue()
        self.task = asyncio.create_task(self._read(response.streaming_content))

    async def _read(self, content: Any) -> None:
        async for data in content:
            await self.chunks.put(data.decode() if isinstance(data, bytes) else str(data))
        await self.chunks.put(None)  # the server ended the stream

    async def next(self) -> str | None:
        return await asyncio.wait_for(self.chunks.get(), TIMEOUT)

    async def disconnect(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def test_sse_public_stream(oauth_app, act) -> None:
    me, author = make_account(), make_account()
    token = token_for(oauth_app, me)

    async def scenario() -> None:
        response = await sse("/api/v1/streaming/public", token)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        assert response["Cache-Control"] == "no-store"
        body = Reader(response)
        assert await body.next() == ":)\n"
        await act(posts.publish, author, text="not public", visibility=Visibility.FOLLOWERS)
        post = await act(posts.publish, author, text="public")
        text = await body.next()
        assert text is not None
        assert text.startswith("event: update\ndata: {")
        assert text.endswith("\n\n")
        assert json.loads(text.split("data: ", 1)[1])["id"] == str(post.pk)
        post_id = post.pk
        await act(posts.delete, author, post)
        assert await body.next() == f"event: delete\ndata: {post_id}\n\n"
        await body.disconnect()
        for _ in range(100):
            if "public" not in events.live():
                break
            await asyncio.sleep(0.01)
        assert "public" not in events.live()  # closing the response ends the subscription

    run(scenario)


def test_sse_heartbeat_and_revoked_token(oauth_app, monkeypatch) -> None:
    from mastodon import streaming

    monkeypatch.setattr(streaming, "HEARTBEAT_SECONDS", 0.05)
    me = make_account()
    token = token_for(oauth_app, me)

    async def scenario() -> None:
        response = await sse(f"/api/v1/streaming/hashtag?tag=cats&access_token={token}", None)
        body = Reader(response)
        assert await body.next() == ":)\n"
        assert await body.next() == ":thump\n"
        from oauth2_provider.models import get_access_token_model

        await sync_to_async(get_access_token_model().objects.all().delete)()
        for _ in range(5):  # the stream ends once the token is gone
            text = await body.next()
            if text is None:
                break
            assert text == ":thump\n"
        else:
            raise AssertionError("the stream went on after the token was revoked")

    run(scenario)


@pytest.mark.parametrize(
    ("path", "token_kind", "status", "error"),
    [
        ("/api/v1/streaming/user", "none", 401, "Missing access token"),
        ("/api/v1/streaming/user", "bad", 401, "Invalid access token"),
        ("/api/v1/streaming/public", "app", 401, "This method requires an authenticated user"),
        ("/api/v1/streaming/user", "write", 401, "Access token does not cover required scopes"),
        ("/api/v1/streaming/hashtag", "user", 400, "No tag for stream provided"),
        ("/api/v1/streaming/list?list=1", "user", 401, "Not authorized to stream this list"),
    ],
)
def test_sse_refusals(oauth_app, path: str, token_kind: str, status: int, error: str) -> None:
    me = make_account()
    token = {
        "none": None,
        "bad": "nope",
        "app": token_for(oauth_app, None),
        "write": token_for(oauth_app, me, scopes="write"),
        "user": token_for(oauth_app, me),
    }[token_kind]

    async def scenario() -> None:
        response = await sse(path, token)
        assert response.status_code == status
        assert json.loads(response.content) == {"error": error}

    run(scenario)


def test_health_and_plain_http_root(client) -> None:
    response = client.get("/api/v1/streaming/health")
    assert response.status_code == 200
    assert response.content == b"OK"
    response = client.get("/api/v1/streaming")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}
