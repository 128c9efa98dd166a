"""A suspended account disappears for everyone else: people search on every surface, the
suggestions, and the direct messages it wrote (thread, inbox preview, APIs)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from messaging import actions as messaging
from messaging import queries as inbox
from moderation import actions
from network.actions import accept_connection, follow, request_connection
from search.parse import parse
from search.queries import search_people
from search.suggestions import people_you_may_know
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_suspended_people_are_not_found_anywhere(
    staff: Any, client: Any, api_for: Any, native_for: Any
) -> None:
    carol = make_account("carol")
    troll = make_account("trollface", display_name="Troll Face")
    client.force_login(carol.user)

    def found() -> dict[str, bool]:
        web = client.get("/search?q=trollface&type=people").content.decode()
        native = native_for(carol).get("/api/plaza/v1/search?q=trollface&type=people").json()
        masto = api_for(carol).get("/api/v2/search?q=trollface&type=accounts").json()
        return {
            "query": [a.pk for a in search_people(carol, parse("trollface")).accounts]
            == [troll.pk],
            "web": "@trollface" in web,
            "native": any(p["username"] == "trollface" for p in native["accounts"]),
            "mastodon": [a["username"] for a in masto["accounts"]] == ["trollface"],
        }

    assert found() == {"query": True, "web": True, "native": True, "mastodon": True}
    actions.suspend(staff, troll, "Spam")
    assert found() == {"query": False, "web": False, "native": False, "mastodon": False}
    actions.unsuspend(staff, troll, "Appeal granted")
    assert found()["query"]


def test_suspended_and_limited_people_are_not_suggested(staff: Any) -> None:
    carol, ana = make_account("carol"), make_account("ana")
    troll, loud = make_account("troll"), make_account("loud")
    follow(carol, ana)
    follow(ana, troll)
    follow(ana, loud)

    def suggested() -> set[str]:
        cache.clear()  # candidates are cached per viewer
        return {s.account.username for s in people_you_may_know(carol, limit=10)}

    assert {"troll", "loud"} <= suggested()
    actions.suspend(staff, troll, "Spam")
    actions.limit(staff, loud, "Too loud")
    assert not {"troll", "loud"} & suggested()


def test_a_suspended_senders_messages_disappear(staff: Any, client: Any, api_for: Any) -> None:
    carol, troll = make_account("carol"), make_account("troll")
    request_connection(troll, carol)
    accept_connection(carol, troll)
    conversation = messaging.start_conversation(troll, [carol], text="hello from troll")
    mine = messaging.send_message(carol, conversation, text="hi back")
    bad = messaging.send_message(troll, conversation, text="nasty last word")
    view = inbox.get_conversation_for(carol, conversation.pk)
    assert [i.message.text for i in inbox.thread(carol, view).items] == [
        "hello from troll",
        "hi back",
        "nasty last word",
    ]
    from messaging.models import Participant

    def unread() -> int:
        return Participant.objects.get(account=carol, conversation=conversation).unread_count

    assert unread() == 1 and inbox.unread_total(carol) == 1
    actions.suspend(staff, troll, "Harassment")
    assert unread() == 0 and inbox.unread_total(carol) == 0  # nothing left to read
    view = inbox.get_conversation_for(carol, conversation.pk)
    assert [i.message.text for i in inbox.thread(carol, view).items] == ["hi back"]
    (row,) = inbox.inbox(carol).rows
    assert row.last_message is None  # its preview was the suspended account's message
    client.force_login(carol.user)
    html = client.get(f"/messages/{conversation.pk}").content.decode()
    assert "nasty last word" not in html and "hello from troll" not in html and "hi back" in html
    assert "nasty last word" not in client.get("/messages").content.decode()
    api = api_for(carol)
    assert api.get(f"/api/v1/statuses/{bad.pk}").status_code == 404
    assert api.get(f"/api/v1/statuses/{mine.pk}").status_code == 200
    actions.unsuspend(staff, troll, "Appeal granted")
    assert unread() == 1  # its message is back, and unread again


def test_suspended_people_are_not_in_the_mention_autocomplete(staff: Any, api_for: Any) -> None:
    carol, troll = make_account("carol"), make_account("trollface")
    api = api_for(carol)
    assert [a["username"] for a in api.get("/api/v1/accounts/search?q=troll").json()] == [
        "trollface"
    ]
    actions.suspend(staff, troll, "Spam")
    assert api.get("/api/v1/accounts/search?q=troll").json() == []
