"""A direct message from a stranger, end to end in Chromium, with live updates.

Dora (not connected to Eli; Eli doesn't follow her) opens Eli's profile and starts a
conversation with its Message button. Eli finds it under message requests, reads it and
accepts. Eli replies: Dora's open inbox shows the reply and its unread badge at once, without
reloading; she opens the thread (the badge goes), and Eli's next message appears in it live.

The pages run on plaza.asgi as deployed (uvicorn, in a thread of the test process): under
pytest-django's WSGI live server ``/messages/live`` can't stay open and only answers
``retry:`` (the page then catches up every 4 s), which would not test the live channel.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NewContext = Callable[..., BrowserContext]
Shot = Callable[[Page, str], Path]

FIRST = "Hi Eli, I loved your talk on tide tables. Could I ask you two questions?"
REPLY = "Of course, Dora. Ask away!"
LATER = "I'm free on Thursday afternoon if a call is easier."
# Live means well under the 4 s reconnect of the polling fallback.
LIVE_WITHIN_S = 3.0


@pytest.fixture
def asgi_url(transactional_db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The ASGI application (plaza.asgi) served by uvicorn on a free port, in a thread."""
    import uvicorn
    from django.db import connections

    conn = connections["default"]
    shared = conn.vendor == "sqlite" and bool(getattr(conn, "is_in_memory_db", lambda: False)())
    if shared:
        # As Django's LiveServerThread does: an in-memory test database lives in this
        # connection, so the server's threads use it instead of opening their own.
        conn.inc_thread_sharing()
        monkeypatch.setattr(connections, "create_connection", lambda alias: conn)
    import plaza.asgi
    from plaza.asgi import application

    if shared:
        # One connection can't carry two requests' transactions at once (their savepoints
        # interleave: "no such savepoint"), so pages are served one at a time, as Django's
        # live server does for an in-memory database; the event streams still run beside them.
        from a2wsgi import WSGIMiddleware
        from django.core.wsgi import get_wsgi_application

        serial = WSGIMiddleware(get_wsgi_application(), workers=1)  # type: ignore[arg-type]
        monkeypatch.setattr(plaza.asgi, "sync_application", serial)

    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-journey", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        if shared:
            conn.dec_thread_sharing()


def _seed_people() -> None:
    from tests.factories import make_account

    make_account("dora", display_name="Dora Tide", password=PASSWORD)
    make_account("eli", display_name="Eli Chart", password=PASSWORD)


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def _sidebar_link(page: Page, name: str | re.Pattern[str]) -> Locator:
    return page.locator("header.sidebar").get_by_role("link", name=name)


def _row(page: Page, name: str) -> Locator:
    return page.get_by_role("list", name=name).locator("li.dm-row")


def _message(page: Page, sender: str, text: str) -> Locator:
    """A message of the open thread (by its sender's name and its text)."""
    box = page.locator("#dm-messages")
    return box.get_by_role("article", name=f"Message from {sender}").filter(has_text=text)


def _mark_page(page: Page) -> None:
    """Tag the document: if the page reloads, the tag is gone (see :func:`_same_page`)."""
    page.evaluate("window.__journeyMark = 'still here'")


def _same_page(page: Page) -> None:
    assert page.evaluate("window.__journeyMark") == "still here", "the page reloaded"


def _wait_live(locator: Locator, started: float) -> float:
    expect(locator).to_be_visible()
    elapsed = time.monotonic() - started
    assert elapsed < LIVE_WITHIN_S, f"took {elapsed:.2f} s: not live"
    return elapsed


def test_message_request_accept_reply_live(
    asgi_url: str, new_context: NewContext, shot: Shot
) -> None:
    # asgi_url comes first: set up before the browser contexts, it is torn down after them,
    # so uvicorn doesn't wait on the pages' open event streams.
    _seed_people()
    dora = new_context().new_page()
    eli = new_context().new_page()
    _log_in(dora, asgi_url, "dora")
    _log_in(eli, asgi_url, "eli")

    # --- Dora writes to Eli from his profile -----------------------------------------------------
    dora.goto(f"{asgi_url}/@eli")
    expect(dora.get_by_role("heading", name="Eli Chart")).to_be_visible()
    dora.get_by_role("link", name="Message", exact=True).click()
    dora.wait_for_url("**/messages/new?to=eli")
    expect(dora.get_by_label("To")).to_have_value("eli")
    dora.get_by_role("textbox", name="Message", exact=True).fill(FIRST)
    shot(dora, "dm-new")
    dora.get_by_role("button", name="Start conversation").click()
    dora.wait_for_url(re.compile(r"/messages/\d+$"))
    thread_path = urlsplit(dora.url).path
    expect(_message(dora, "Dora Tide", FIRST)).to_be_visible()
    shot(dora, "dm-sent")

    # --- Eli: not in his inbox, but under requests -----------------------------------------------
    _sidebar_link(eli, re.compile("^Messages")).click()
    eli.wait_for_url("**/messages")
    tabs = eli.get_by_role("navigation", name="Conversations")
    expect(eli.get_by_text("No conversations yet")).to_be_visible()
    requests_tab = tabs.get_by_role("link", name=re.compile("^Requests"))
    expect(requests_tab.locator(".dm-requests-count")).to_have_text("1")
    requests_tab.click()
    eli.wait_for_url("**/messages/requests")
    request_row = _row(eli, "Message requests").filter(has_text="Dora Tide")
    expect(request_row).to_contain_text(FIRST[:40])
    shot(eli, "dm-requests")
    request_row.get_by_role("link").click()
    eli.wait_for_url(f"**{thread_path}")
    request = eli.get_by_role("region", name="Message request")
    expect(request).to_contain_text("Dora Tide wants to message you.")
    expect(_message(eli, "Dora Tide", FIRST)).to_be_visible()
    shot(eli, "dm-request-thread")
    request.get_by_role("button", name="Accept").click()
    eli.wait_for_url(f"**{thread_path}")
    expect(eli.get_by_role("region", name="Message request")).to_have_count(0)

    # --- Dora waits in her inbox; Eli replies: the row and its badge update live ------------
    _sidebar_link(dora, re.compile("^Messages")).click()
    dora.wait_for_url("**/messages")
    dora_row = _row(dora, "Conversations").filter(has_text="Eli Chart")
    expect(dora_row).to_contain_text(f"You: {FIRST[:40]}")
    expect(dora_row.locator(".dm-unread")).to_have_count(0)
    _mark_page(dora)

    eli.get_by_role("textbox", name="Message", exact=True).fill(REPLY)
    started = time.monotonic()
    eli.get_by_role("textbox", name="Message", exact=True).press("Enter")
    expect(_message(eli, "Eli Chart", REPLY)).to_be_visible()
    expect(eli.get_by_role("textbox", name="Message", exact=True)).to_have_value("")

    inbox_s = _wait_live(dora_row.get_by_text(REPLY), started)
    expect(dora_row.locator(".dm-unread")).to_have_accessible_name("1 unread")
    expect(dora_row).to_have_class(re.compile(r"\bis-unread\b"))
    _same_page(dora)
    shot(dora, "dm-inbox-live-unread")

    # --- Dora opens the thread: the reply is there and the badge goes ---------------------------
    dora_row.get_by_role("link").click()
    dora.wait_for_url(f"**{thread_path}")
    expect(_message(dora, "Eli Chart", REPLY)).to_be_visible()
    _mark_page(dora)

    # --- Eli writes again: it appears in Dora's open thread, live -----------------------------
    eli.get_by_role("textbox", name="Message", exact=True).fill(LATER)
    started = time.monotonic()
    # Seeing it in an open thread marks it read (a POST to .../read from the page's script).
    with dora.expect_response(
        lambda r: r.request.method == "POST" and urlsplit(r.url).path == f"{thread_path}/read"
    ) as read:
        eli.get_by_role("button", name="Send").click()
        thread_s = _wait_live(_message(dora, "Eli Chart", LATER), started)
    assert read.value.ok, read.value.status
    _same_page(dora)
    shot(dora, "dm-thread-live")
    # Dora's open thread marked it read: Eli sees "Seen by" (after a reload: the thread page
    # doesn't redraw it on "read" events yet), and Dora's inbox has no badge.
    eli.reload()
    expect(eli.locator("#dm-seen")).to_contain_text("Seen by Dora Tide")
    shot(eli, "dm-seen")
    dora.get_by_role("link", name="Back to messages").click()
    dora.wait_for_url("**/messages")
    expect(_row(dora, "Conversations").filter(has_text="Eli Chart")).to_contain_text(LATER)
    expect(dora.locator(".dm-unread")).to_have_count(0)
    shot(dora, "dm-inbox-read")
    print(f"live: inbox {inbox_s:.2f} s, thread {thread_s:.2f} s")
