"""Removing a conversation from one's list (the Mastodon API's "remove conversation") and the
Messages badge's context processor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from messaging import actions, queries
from messaging.context_processors import unread_messages
from messaging.models import Participant
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_hide_until_a_new_message(friends: Any, client: Any) -> None:
    ana, bo = friends
    conv = actions.start_conversation(ana, [bo], text="hello")
    assert queries.unread_total(bo) == 1
    actions.hide(bo, conv)
    actions.hide(bo, conv)  # twice is fine
    me = Participant.objects.get(account=bo, conversation=conv)
    assert me.hidden and me.unread_count == 1 and me.is_active  # not read, not left
    assert queries.inbox(bo).rows == []
    assert queries.unread_total(bo) == 0
    assert [r.conversation.pk for r in queries.inbox(ana).rows] == [conv.pk]  # only for bo
    client.force_login(bo.user)
    assert client.get(f"/messages/{conv.pk}").status_code == 200  # still readable (and read)
    actions.send_message(ana, conv, text="still there?")
    assert [r.conversation.pk for r in queries.inbox(bo).rows] == [conv.pk]
    assert queries.unread_total(bo) == 1
    assert Participant.objects.get(account=bo, conversation=conv).unread_count == 1


def test_hidden_requests_and_outsiders(bo: Any) -> None:
    stranger = make_account("dee")
    request = actions.start_conversation(stranger, [bo], text="hi")
    assert queries.requests_count(bo) == 1
    actions.hide(bo, request)
    assert queries.requests_count(bo) == 0
    assert queries.inbox(bo, requests=True).rows == []
    with pytest.raises(Exception, match="No such conversation"):
        actions.hide(make_account(), request)


def test_unread_messages_context_processor(friends: Any) -> None:
    ana, bo = friends
    actions.start_conversation(ana, [bo], text="hello")
    request = RequestFactory().get("/")
    request.user = bo.user
    badge = unread_messages(request)["unread_messages"]
    assert callable(badge) and badge() == 1
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert unread_messages(request) == {"unread_messages": 0}
