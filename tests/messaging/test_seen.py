"""The thread's "Seen by …" line: the partial the live page fetches on ``read`` events
(``GET /messages/<id>/seen``), and the event itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import Account
from messaging import actions, live, queries
from plaza import events
from tests.factories import make_account
from tests.messaging.conftest import connect

pytestmark = pytest.mark.django_db


def _seen(client: Client, account: Account, conversation_id: int) -> tuple[int, str]:
    client.force_login(account.user)
    response = client.get(f"/messages/{conversation_id}/seen", HTTP_HX_REQUEST="true")
    return response.status_code, response.content.decode().strip()


def test_seen_line_follows_read_markers(client: Client, friends: Any) -> None:
    ana, bo = friends
    cy = make_account("cy", display_name="Cy Reader")
    connect(ana, cy)
    connect(bo, cy)
    group = actions.start_conversation(ana, [bo, cy], title="Trio", text="Who's in?")
    assert _seen(client, ana, group.pk) == (200, "")  # nobody read it yet
    actions.mark_read(bo, group)
    status, line = _seen(client, ana, group.pk)
    assert status == 200 and line.startswith("Seen by") and "Bo" in line and "Cy" not in line
    actions.mark_read(cy, group)
    assert "Cy Reader" in _seen(client, ana, group.pk)[1]
    # Only the sender's last word has a "seen" line: not for the readers...
    assert _seen(client, bo, group.pk) == (200, "")
    # ... and it goes when the newest message is someone else's, or a new one of hers.
    actions.send_message(ana, group, text="Great, see you")
    assert _seen(client, ana, group.pk) == (200, "")
    actions.send_message(bo, group, text="See you!")
    assert _seen(client, ana, group.pk) == (200, "")


def test_seen_line_is_only_for_participants(client: Client, friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="Hi")
    actions.mark_read(bo, c)
    outsider = make_account("eve")
    assert _seen(client, outsider, c.pk)[0] == 404
    assert _seen(client, ana, 12345)[0] == 404
    assert _seen(client, ana, c.pk)[1].startswith("Seen by")
    client.logout()
    assert client.get(f"/messages/{c.pk}/seen").status_code == 302  # to log in


def test_thread_page_renders_the_line_and_its_url(client: Client, friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="Hi")
    actions.mark_read(bo, c)
    client.force_login(ana.user)
    html = client.get(f"/messages/{c.pk}").content.decode()
    assert f'data-dm-seen="/messages/{c.pk}/seen"' in html
    assert 'id="dm-seen" aria-live="polite">Seen by Bo' in html


def test_seen_query_costs_one_query(friends: Any, django_assert_num_queries: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="Hi")
    actions.mark_read(bo, c)
    view = queries.get_conversation_for(ana, c.pk)
    with django_assert_num_queries(1):
        assert [a.pk for a in queries.seen_by(ana, view)] == [bo.pk]


class Recording(events.MemoryBackend):
    """The in-process bus, also keeping a list of what was published."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[tuple[list[str], str, dict[str, Any]]] = []

    def publish(self, streams: Any, event: str, payload: Any) -> None:
        self.published.append((list(streams), event, dict(payload)))
        super().publish(streams, event, payload)


def test_mark_read_announces_a_read_event_to_everyone_in_it(friends: Any, run_tasks: Any) -> None:
    """The sender's open thread hears ``read`` (and then fetches the line)."""
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="Hi")
    bus = Recording()
    old = events.use_backend(bus)
    try:
        with run_tasks():
            actions.mark_read(bo, c)
    finally:
        events.use_backend(old)
    reads = [(set(s), p) for s, e, p in bus.published if e == live.EVENT]
    assert reads == [
        (
            {live.stream(ana.pk), live.stream(bo.pk)},
            {"conversation": str(c.pk), "message": str(c.last_message_id), "action": "read"},
        )
    ]
