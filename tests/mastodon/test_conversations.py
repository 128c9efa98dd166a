"""Mastodon API conversations: Plaza's direct-message conversations as Conversation entities
(list, paging, read, remove, mute), checked against the Mastodon schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from messaging import actions, queries
from messaging.models import Conversation, Participant
from network import actions as network
from tests.factories import make_account
from tests.mastodon.conftest import Api
from tests.mastodon.schemas import assert_entity

pytestmark = pytest.mark.django_db
ApiFor = Callable[..., Api]


def connect(a: Account, b: Account) -> None:
    network.request_connection(a, b)
    network.accept_connection(b, a)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:500]
    return response.json()


@pytest.fixture
def people() -> tuple[Account, Account, Account]:
    ana, bo, cy = make_account("ana"), make_account("bo"), make_account("cy")
    connect(ana, bo)
    connect(ana, cy)
    connect(bo, cy)
    return ana, bo, cy


def test_lists_messaging_conversations_newest_first(api_for: ApiFor, people: Any) -> None:
    ana, bo, cy = people
    one = actions.start_conversation(ana, [bo], text="hello @bo")
    group = actions.start_conversation(cy, [ana, bo], text="all of us")
    reply_to = group.last_message
    actions.send_message(bo, group, text="**yes**", reply_to=reply_to)
    actions.add_reaction(ana, group.last_message, "❤")  # type: ignore[arg-type]

    data = ok(api_for(ana).get("/api/v1/conversations"))
    assert_entity(data, "Conversation", many=True)
    assert [c["id"] for c in data] == [str(group.pk), str(one.pk)]
    g = data[0]
    assert g["unread"] is True
    assert {a["username"] for a in g["accounts"]} == {"bo", "cy"}
    last = g["last_status"]
    assert last["visibility"] == "direct"
    assert last["account"]["username"] == "bo"
    assert last["in_reply_to_id"] == str(reply_to.pk)  # type: ignore[union-attr]
    assert last["in_reply_to_account_id"] == str(cy.pk)
    assert last["favourited"] is True and last["favourites_count"] == 1
    assert {m["username"] for m in last["mentions"]} == {"ana", "cy"}
    assert last["plaza"]["message"] is True
    assert last["plaza"]["conversation_id"] == str(group.pk)
    assert last["url"].endswith(f"/messages/{group.pk}#dm-message-{last['id']}")
    # ana wrote the one-to-one's last message: nothing unread there
    assert data[1]["unread"] is False
    assert [a["username"] for a in data[1]["accounts"]] == ["bo"]
    # bo sees the same conversations, with ana and cy as the others
    seen = ok(api_for(bo).get("/api/v1/conversations"))
    assert {a["username"] for a in seen[0]["accounts"]} == {"ana", "cy"}


def test_requests_stay_out_until_accepted(api_for: ApiFor, people: Any) -> None:
    _, bo, _ = people
    stranger = make_account("dee")
    conv = actions.start_conversation(stranger, [bo], text="buy my course")
    api = api_for(bo)
    assert ok(api.get("/api/v1/conversations")) == []
    # the sender sees it in their own list (it is accepted for them)
    assert [c["id"] for c in ok(api_for(stranger).get("/api/v1/conversations"))] == [str(conv.pk)]
    actions.accept_request(bo, conv)
    assert [c["id"] for c in ok(api.get("/api/v1/conversations"))] == [str(conv.pk)]


def test_empty_and_deleted_last_messages(api_for: ApiFor, people: Any) -> None:
    ana, bo, _ = people
    empty = actions.start_conversation(ana, [bo])
    data = ok(api_for(ana).get("/api/v1/conversations"))
    assert data[0]["id"] == str(empty.pk) and data[0]["last_status"] is None
    assert_entity(data, "Conversation", many=True)
    message = actions.send_message(ana, empty, text="oops")
    actions.delete_for_everyone(ana, message)
    last = ok(api_for(bo).get("/api/v1/conversations"))[0]["last_status"]
    assert last["plaza"]["deleted"] is True and "deleted" in last["content"]
    # a last message deleted for yourself leaves the conversation without a last status
    actions.send_message(ana, empty, text="again")
    actions.delete_for_me(bo, Conversation.objects.get(pk=empty.pk).last_message)  # type: ignore[arg-type]
    assert ok(api_for(bo).get("/api/v1/conversations"))[0]["last_status"] is None


def _next(response: Any) -> str:
    """The path (and query) of a response's ``rel="next"`` link."""
    url = response["Link"].split(";")[0].strip("<>")
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_paging_with_link_headers(api_for: ApiFor) -> None:
    me = make_account("me")
    convs = []
    for i in range(7):
        friend = make_account(f"friend{i}")
        connect(me, friend)
        convs.append(actions.start_conversation(friend, [me], text=f"hi {i}"))
    newest_first = [str(c.pk) for c in reversed(convs)]
    api = api_for(me)
    response = api.get("/api/v1/conversations?limit=3")
    assert [c["id"] for c in response.json()] == newest_first[:3]
    link = response["Link"]
    assert 'rel="next"' in link and 'rel="prev"' in link
    assert "limit=3" in _next(response) and "max_id=" in _next(response)
    page2 = api.get(_next(response))
    assert [c["id"] for c in page2.json()] == newest_first[3:6]
    page3 = api.get(_next(page2))
    assert [c["id"] for c in page3.json()] == newest_first[6:]
    assert 'rel="next"' not in page3.get("Link", "")
    # min_id: the page just above, newest first; since_id: everything newer, newest first
    key = Participant.objects.get(account=me, conversation=convs[2]).sort_key
    above = ok(api.get(f"/api/v1/conversations?min_id={key}&limit=2"))
    assert [c["id"] for c in above] == [str(convs[4].pk), str(convs[3].pk)]
    since = ok(api.get(f"/api/v1/conversations?since_id={key}&limit=2"))
    assert [c["id"] for c in since] == [str(convs[6].pk), str(convs[5].pk)]
    # bad paging input is a clear error
    assert api.get("/api/v1/conversations?max_id=nope").status_code == 422
    assert api.get("/api/v1/conversations?limit=x").status_code == 422
    assert len(ok(api.get("/api/v1/conversations?limit=500"))) == 7


def _count_page(api: Api) -> int:
    with CaptureQueriesContext(connection) as ctx:
        ok(api.get("/api/v1/conversations?limit=40"))
    return len(ctx.captured_queries)


def test_constant_queries_per_page(api_for: ApiFor) -> None:
    me = make_account("me")
    api = api_for(me)

    def add(n: int) -> None:
        for _ in range(n):
            friend = make_account()
            connect(me, friend)
            group_friend = make_account()
            conv = actions.start_conversation(friend, [me, group_friend], text="hey")
            message = actions.send_message(me, conv, text="reply", reply_to=conv.last_message)
            actions.add_reaction(friend, message, "👍")

    add(3)
    few = _count_page(api)
    add(17)
    assert _count_page(api) == few
    assert few <= 12


def test_read(api_for: ApiFor, people: Any) -> None:
    ana, bo, cy = people
    conv = actions.start_conversation(bo, [ana], text="one")
    actions.send_message(bo, conv, text="two")
    api = api_for(ana)
    data = ok(api.post(f"/api/v1/conversations/{conv.pk}/read"))
    assert_entity(data, "Conversation")
    assert data["unread"] is False
    assert Participant.objects.get(account=ana, conversation=conv).unread_count == 0
    # not in it, unknown, malformed: all simply not found
    assert api_for(cy).post(f"/api/v1/conversations/{conv.pk}/read").status_code == 404
    assert api.post("/api/v1/conversations/123/read").status_code == 404
    assert api.post("/api/v1/conversations/nope/read").json() == {"error": "Record not found"}
    assert api.post(f"/api/v1/conversations/{'9' * 30}/read").status_code == 404
    # scopes: reading is read:statuses, changing is write:conversations
    read_only = api_for(ana, scopes="read")
    assert read_only.get("/api/v1/conversations").status_code == 200
    assert read_only.post(f"/api/v1/conversations/{conv.pk}/read").status_code == 403
    assert (
        api_for(ana, scopes="write:conversations").get("/api/v1/conversations").status_code == 403
    )
    assert api_for(False).get("/api/v1/conversations").status_code == 401
    assert api_for(None).get("/api/v1/conversations").status_code == 422
    assert api.get(f"/api/v1/conversations/{conv.pk}/read").status_code == 405


def test_remove_hides_until_a_new_message(api_for: ApiFor, people: Any) -> None:
    ana, bo, cy = people
    one = actions.start_conversation(bo, [ana], text="hi")
    group = actions.start_conversation(bo, [ana, cy], text="group")
    api = api_for(ana)
    assert ok(api.delete(f"/api/v1/conversations/{group.pk}")) == {}
    assert ok(api.delete(f"/api/v1/conversations/{one.pk}")) == {}
    assert ok(api.delete(f"/api/v1/conversations/{one.pk}")) == {}  # again: still fine
    assert ok(api.get("/api/v1/conversations")) == []
    assert queries.unread_total(ana) == 0  # removed conversations do not light the badge
    # still a member of the group (removing is not leaving), and others see nothing
    assert queries.can_access(ana.pk, group.pk)
    assert len(ok(api_for(bo).get("/api/v1/conversations"))) == 2
    actions.send_message(cy, group, text="back")
    assert [c["id"] for c in ok(api.get("/api/v1/conversations"))] == [str(group.pk)]
    actions.send_message(ana, one, text="me again")
    assert [c["id"] for c in ok(api.get("/api/v1/conversations"))] == [str(one.pk), str(group.pk)]
    assert api_for(make_account()).delete(f"/api/v1/conversations/{one.pk}").status_code == 404
    assert api.delete("/api/v1/conversations/nope").status_code == 404
    assert api_for(ana, scopes="read").delete(f"/api/v1/conversations/{one.pk}").status_code == 403


def test_mute_and_unmute(api_for: ApiFor, people: Any) -> None:
    ana, bo, _ = people
    conv = actions.start_conversation(bo, [ana], text="hi")
    api = api_for(ana)
    data = ok(api.post(f"/api/v1/conversations/{conv.pk}/mute"))
    assert data["plaza"]["muted"] is True and data["last_status"]["muted"] is True
    assert queries.unread_total(ana) == 0
    data = ok(api.post(f"/api/v1/conversations/{conv.pk}/unmute"))
    assert data["plaza"]["muted"] is False
    assert queries.unread_total(ana) == 1
    assert api_for(make_account()).post(f"/api/v1/conversations/{conv.pk}/mute").status_code == 404
