"""Live message events: a message sent by one participant reaches the other's open page
(the SSE endpoint, session-authenticated, served as Django serves it under ASGI), and
nobody else hears it. Events travel on the in-process memory bus."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient, Client

from accounts.models import Account
from messaging import actions, live
from plaza import events
from tests.factories import make_account

pytestmark = pytest.mark.django_db
TIMEOUT = 5


@pytest.fixture(autouse=True)
def bus() -> Iterator[events.Backend]:
    backend = events.MemoryBackend()
    old = events.use_backend(backend)
    yield backend
    events.use_backend(old)


@pytest.fixture
def act(run_tasks: Any) -> Callable[..., Awaitable[Any]]:
    """``await act(fn, *args)``: an action in the test's thread, committed (hooks run)."""

    async def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def inner() -> Any:
            with run_tasks():
                return fn(*args, **kwargs)

        return await sync_to_async(inner)()

    return call


def client_for(account: Account) -> AsyncClient:
    client = AsyncClient()
    client.force_login(account.user)
    return client


class Reader:
    def __init__(self, response: Any) -> None:
        self.chunks: asyncio.Queue[str | None] = asyncio.Queue()
        self.task = asyncio.create_task(self._read(response.streaming_content))

    async def _read(self, content: Any) -> None:
        async for data in content:
            await self.chunks.put(data.decode() if isinstance(data, bytes) else str(data))
        await self.chunks.put(None)

    async def next(self, timeout: float = TIMEOUT) -> str | None:
        return await asyncio.wait_for(self.chunks.get(), timeout)

    async def nothing(self, timeout: float = 0.3) -> bool:
        try:
            await asyncio.wait_for(self.chunks.get(), timeout)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def until_live(account: Account) -> None:
    for _ in range(200):
        if live.stream(account.pk) in events.live():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the stream never became live")


def data_of(chunk: str | None) -> dict[str, Any]:
    assert chunk is not None and chunk.startswith("event: message\ndata: "), chunk
    return json.loads(chunk.split("data: ", 1)[1])


def test_sent_message_reaches_the_other_participant(friends: Any, act: Any) -> None:
    ana, bo = friends
    eve = make_account("eve")
    c = actions.start_conversation(ana, [bo], text="first")
    bo_client, eve_client = client_for(bo), client_for(eve)

    async def scenario() -> None:
        response = await bo_client.get("/messages/live")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        bo_stream = Reader(response)
        assert await bo_stream.next() == ":)\n\n"
        eve_stream = Reader(await eve_client.get("/messages/live"))
        assert await eve_stream.next() == ":)\n\n"
        await until_live(bo)
        await until_live(eve)
        message = await act(actions.send_message, ana, c, text="are you there?")
        got = data_of(await bo_stream.next())
        assert got == {"conversation": str(c.pk), "message": str(message.pk), "action": "new"}
        await act(actions.add_reaction, ana, message, "👍")
        assert data_of(await bo_stream.next())["action"] == "react"
        assert await eve_stream.nothing()  # not in the conversation: hears nothing
        await bo_stream.close()
        await eve_stream.close()

    async_to_sync(scenario)()


def test_conversation_filter_and_leaving_stops_events(friends: Any, act: Any) -> None:
    ana, bo = friends
    carl = make_account("carl")
    group = actions.start_conversation(ana, [bo, carl], title="Trip", text="hi")
    other = actions.start_conversation(ana, [bo], text="one-to-one")
    bo_client = client_for(bo)

    async def scenario() -> None:
        response = await bo_client.get(f"/messages/live?conversation={group.pk}")
        stream = Reader(response)
        assert await stream.next() == ":)\n\n"
        await until_live(bo)
        await act(actions.send_message, ana, other, text="elsewhere")
        assert await stream.nothing()  # another conversation: filtered out
        await act(actions.send_message, ana, group, text="in the group")
        assert data_of(await stream.next())["action"] == "new"
        await act(actions.leave, bo, group)
        assert data_of(await stream.next())["action"] == "members"
        await act(actions.send_message, ana, group, text="after bo left")
        assert await stream.nothing()  # no longer in it: nothing about it
        await stream.close()

    async_to_sync(scenario)()


def test_stream_refusals(friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="hi")
    eve_client = client_for(make_account("eve"))

    async def scenario() -> None:
        assert (await AsyncClient().get("/messages/live")).status_code == 401
        assert (await eve_client.get(f"/messages/live?conversation={c.pk}")).status_code == 404
        assert (await eve_client.get("/messages/live?conversation=abc")).status_code == 404

    async_to_sync(scenario)()


def test_without_asgi_the_browser_is_told_to_poll(friends: Any) -> None:
    ana, _ = friends
    client = Client()
    client.force_login(ana.user)
    response = client.get("/messages/live")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response.content.decode().startswith("retry: ")
