"""Direct messages on the Mastodon ``direct`` stream: sending a message publishes a
``conversation`` bus event to each participant's ``direct:<id>`` stream, and the WebSocket
stream renders it as that viewer's Conversation entity."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from accounts.models import Account
from messaging import actions, live
from network import actions as network
from plaza import events
from tests.factories import make_account
from tests.mastodon.test_streaming import (  # noqa: F401 (fixtures)
    act,
    bus,
    next_message,
    open_socket,
    run,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 5


def connect(a: Account, b: Account) -> None:
    network.request_connection(a, b)
    network.accept_connection(b, a)


@pytest.fixture
def memory_bus() -> Iterator[events.Backend]:
    backend = events.MemoryBackend()
    old = events.use_backend(backend)
    yield backend
    events.use_backend(old)


def test_messages_publish_conversation_events(memory_bus: Any, run_tasks: Any) -> None:
    ana, bo, cy, dee = (make_account() for _ in range(4))
    connect(ana, bo)
    conv = actions.start_conversation(ana, [bo])

    def do(fn: Any, *args: Any, **kwargs: Any) -> Any:
        with run_tasks():
            return fn(*args, **kwargs)

    async def scenario() -> None:
        sub = await events.subscribe(*(live.direct_stream(a.pk) for a in (ana, bo, cy)))
        try:
            message = await sync_to_async(do)(actions.send_message, ana, conv, text="hi")
            got = {
                (e.stream, e.event, e.payload["conversation"])
                for e in [
                    await sub.get(TIMEOUT),
                    await sub.get(TIMEOUT),
                ]
                if e is not None
            }
            assert got == {
                (live.direct_stream(ana.pk), "conversation", str(conv.pk)),
                (live.direct_stream(bo.pk), "conversation", str(conv.pk)),
            }
            # reading: only the reader's stream; reacting: none
            await sync_to_async(do)(actions.add_reaction, bo, message, "👍")
            await sync_to_async(do)(actions.mark_read, bo, conv)
            event = await sub.get(TIMEOUT)
            assert event is not None and event.stream == live.direct_stream(bo.pk)
            assert await sub.get(0.2) is None
            # someone else's conversation is never heard
            await sync_to_async(do)(actions.start_conversation, dee, [ana], text="x")
            event = await sub.get(TIMEOUT)
            assert event is not None and event.stream == live.direct_stream(ana.pk)
            assert await sub.get(0.2) is None
        finally:
            sub.close()

    async_to_sync(scenario)()


def test_direct_stream_gets_message_conversations(oauth_app: Any, act: Any) -> None:  # noqa: F811
    me, friend, other = make_account(), make_account(), make_account()
    connect(me, friend)
    token = token_for(oauth_app, me)

    async def scenario() -> None:
        comm = await open_socket("/api/v1/streaming?stream=direct", token)
        await act(actions.start_conversation, friend, [other], text="not you")
        conv = await act(actions.start_conversation, friend, [me], text="hi")
        msg = await next_message(comm)
        assert msg["event"] == "conversation" and msg["stream"] == ["direct"]
        conversation = json.loads(msg["payload"])
        assert conversation["id"] == str(conv.pk)
        assert conversation["last_status"]["id"] == str(conv.last_message_id)
        assert conversation["last_status"]["visibility"] == "direct"
        assert [a["id"] for a in conversation["accounts"]] == [str(friend.pk)]
        assert conversation["unread"] is True
        await comm.disconnect()

    run(scenario)
