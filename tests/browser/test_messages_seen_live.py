""" "Seen by …" updates live in Chromium: the sender's open thread redraws the line when the
other person reads (opening the thread, or seeing a new message arrive in their open one),
and clears it when the sender writes again, all without reloading.

Served by plaza.asgi (uvicorn) as in :mod:`tests.browser.test_messages_journey`, whose
fixtures and helpers this reuses.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.test_messages_journey import (  # noqa: F401 (asgi_url is a fixture)
    LIVE_WITHIN_S,
    NewContext,
    Shot,
    _log_in,
    _mark_page,
    _message,
    _same_page,
    _seed_people,
    asgi_url,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = "Are the tide tables for March ready?"
SECOND = "No rush, next week is fine too."


def _start_conversation() -> int:
    from accounts.models import Account
    from messaging import actions
    from network import actions as network

    dora, eli = Account.objects.get(username="dora"), Account.objects.get(username="eli")
    network.request_connection(dora, eli)
    network.accept_connection(eli, dora)
    return actions.start_conversation(dora, [eli], text=FIRST).pk


def test_seen_by_updates_without_reloading(
    asgi_url: str,  # noqa: F811 (the imported fixture)
    new_context: NewContext,
    shot: Shot,
) -> None:
    _seed_people()
    conversation_id = _start_conversation()
    thread = f"{asgi_url}/messages/{conversation_id}"
    dora = new_context().new_page()
    eli = new_context().new_page()
    _log_in(dora, asgi_url, "dora")
    _log_in(eli, asgi_url, "eli")

    # Dora's thread is open: nobody has read her message yet.
    dora.goto(thread)
    expect(_message(dora, "Dora Tide", FIRST)).to_be_visible()
    seen = dora.locator("#dm-seen")
    expect(seen).to_have_text("")
    _mark_page(dora)
    dora.wait_for_timeout(300)  # the page's event stream is open

    # Eli opens the conversation (which reads it): Dora's line says so, live.
    started = time.monotonic()
    eli.goto(thread)
    expect(_message(eli, "Dora Tide", FIRST)).to_be_visible()
    expect(seen).to_have_text("Seen by Eli Chart")
    elapsed = time.monotonic() - started
    assert elapsed < LIVE_WITHIN_S, f"took {elapsed:.2f} s: not live"
    _same_page(dora)
    shot(dora, "dm-seen-live")

    # Dora writes again: the line goes (Eli hasn't seen the new one)... then Eli's open
    # thread shows it and marks it read, and the line comes back, still without a reload.
    box = dora.get_by_role("textbox", name="Message", exact=True)
    box.fill(SECOND)
    box.press("Enter")
    expect(_message(dora, "Dora Tide", SECOND)).to_be_visible()
    expect(_message(eli, "Dora Tide", SECOND)).to_be_visible()
    expect(seen).to_have_text("Seen by Eli Chart")
    _same_page(dora)

    # Eli answers: the newest message is not Dora's, so her page has no "Seen by" line.
    reply = eli.get_by_role("textbox", name="Message", exact=True)
    reply.fill("Next week then!")
    reply.press("Enter")
    expect(_message(dora, "Eli Chart", "Next week then!")).to_be_visible()
    expect(seen).to_have_text("")
    _same_page(dora)
