"""The side panels' "People you may know" is worked out off the request path."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from network.actions import accept_connection, request_connection
from search import suggestions
from search.suggestions import people_you_may_know
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _network():
    me, friend, fof = make_account("me"), make_account("friend"), make_account("fof")
    for a, b in ((me, friend), (friend, fof)):
        request_connection(a, b)
        accept_connection(b, a)
    return me


def test_a_cold_panel_asks_a_task_and_waits_for_nothing(monkeypatch) -> None:
    me = _network()
    cache.clear()
    queued: list[int] = []
    monkeypatch.setattr(  # a consumer that has not got to it yet
        "search.tasks.refresh_people_suggestions", lambda viewer_id: queued.append(viewer_id)
    )
    assert people_you_may_know(me, wait=False) == []
    assert people_you_may_know(me, wait=False) == []  # still pending: no second task
    assert queued == [me.pk]
    suggestions.refresh_people(me.pk)  # what the task does
    assert [s.account.username for s in people_you_may_know(me, wait=False)] == ["fof"]
    # The full page (wait=True) never depends on the task.
    cache.clear()
    assert [s.account.username for s in people_you_may_know(me)] == ["fof"]


def test_the_search_page_panel_fills_in_once_the_task_ran(client) -> None:
    me = _network()
    cache.clear()
    client.force_login(me.user)
    page = client.get("/search?q=anything").content.decode()  # tasks run inline in tests
    assert "People you may know" in page and "@fof" in page
