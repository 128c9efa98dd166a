"""Direct messages: the web pages and their forms, as people use them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account
from messaging import actions
from messaging.models import Conversation, Message, Participant, RequestState
from network import actions as network
from tests.factories import make_account
from tests.messaging.conftest import connect

pytestmark = pytest.mark.django_db


def login(client: Client, account: Account) -> Client:
    client.force_login(account.user)
    return client


def test_inbox_requests_and_empty_states(client: Client, ana: Account, bo: Account) -> None:
    login(client, bo)
    page = client.get("/messages")
    assert page.status_code == 200
    assert "No conversations yet" in page.content.decode()
    actions.start_conversation(ana, [bo], text="hello from a stranger")
    inbox = client.get("/messages").content.decode()
    assert "hello from a stranger" not in inbox
    assert 'dm-requests-count">1<' in inbox
    requests = client.get("/messages/requests").content.decode()
    assert "hello from a stranger" in requests
    assert "Ana" in requests


def test_anonymous_is_sent_to_log_in(client: Client) -> None:
    for url in ("/messages", "/messages/requests", "/messages/new", "/messages/1"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_start_one_to_one_from_the_form_and_reply(client: Client, friends: Any) -> None:
    ana, bo = friends
    login(client, ana)
    assert client.get("/messages/new?to=bo").status_code == 200
    response = client.post("/messages/new", {"to": "@bo", "text": "Lunch?"})
    c = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/messages/{c.pk}"
    # The Message button goes straight to the existing conversation.
    assert client.get("/messages/new?to=bo")["Location"] == f"/messages/{c.pk}"
    login(client, bo)
    thread = client.get(f"/messages/{c.pk}")
    html = thread.content.decode()
    assert "Lunch?" in html and 'id="dm-composer"' in html
    assert Participant.objects.get(account=bo).unread_count == 0  # opening it read it
    first = Message.objects.get()
    client.post(f"/messages/{c.pk}/send", {"text": "Sure!", "reply_to": str(first.pk)})
    reply = Message.objects.latest("id")
    assert reply.reply_to == first and reply.sender == bo


def test_new_conversation_errors_keep_what_was_typed(client: Client, ana: Account) -> None:
    login(client, ana)
    response = client.post("/messages/new", {"to": "nobody_here", "text": "kept text"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nobody here is called @nobody_here" in html and "kept text" in html
    response = client.post("/messages/new", {"to": "<script>", "text": "x"})
    assert response.status_code == 422
    assert "<script>" not in response.content.decode().split("<main", 1)[1].split("dm-to")[0]
    blocker = make_account("blocker")
    network.block(blocker, ana)
    response = client.post("/messages/new", {"to": "blocker", "text": "hi"})
    assert response.status_code == 422
    assert "can&#x27;t message @blocker" in response.content.decode()
    too_many = " ".join(make_account().username for _ in range(50))
    assert client.post("/messages/new", {"to": too_many}).status_code == 422
    assert Conversation.objects.count() == 0


def test_group_from_the_form(client: Client, ana: Account, bo: Account) -> None:
    carl = make_account("carl")
    login(client, ana)
    client.post("/messages/new", {"to": "bo, carl", "title": "Book club", "text": "Chapter 3"})
    c = Conversation.objects.get()
    assert c.kind == "group" and c.title == "Book club"
    html = client.get(f"/messages/{c.pk}").content.decode()
    assert "Book club" in html and "Leave conversation" in html
    login(client, carl)
    assert "Book club" in client.get("/messages/requests").content.decode()
    assert "Accept" in client.get(f"/messages/{c.pk}").content.decode()


def test_request_accept_and_decline_flow(client: Client, ana: Account, bo: Account) -> None:
    c = actions.start_conversation(ana, [bo], text="hi, we haven't met")
    login(client, bo)
    assert client.post(f"/messages/{c.pk}/accept").status_code == 302
    assert Participant.objects.get(account=bo).request_state == RequestState.ACCEPTED
    stranger = make_account("stranger")
    spam = actions.start_conversation(stranger, [bo], text="spam")
    response = client.post(f"/messages/{spam.pk}/decline")
    assert response["Location"] == "/messages/requests"
    assert client.get(f"/messages/{spam.pk}").status_code == 404
    login(client, stranger)
    response = client.post(f"/messages/{spam.pk}/send", {"text": "more spam"})
    # The thread again with the refusal, and what was typed kept in the composer.
    assert response.status_code == 422
    html = response.content.decode()
    assert "isn&#x27;t accepting messages" in html and ">more spam</textarea>" in html
    assert Message.objects.filter(conversation=spam).count() == 1
    # The script path gets the refusal as JSON.
    live = client.post(f"/messages/{spam.pk}/send", {"text": "x"}, headers={"HX-Request": "true"})
    assert live.status_code == 403 and "accepting" in live.json()["error"]


def test_edit_delete_react_mute_leave(client: Client, friends: Any) -> None:
    ana, bo = friends
    carl = make_account("carl")
    connect(ana, carl)
    c = actions.start_conversation(ana, [bo, carl], text="typo")
    m = Message.objects.get()
    login(client, ana)
    base = f"/messages/{c.pk}/m/{m.pk}"
    client.post(f"{base}/edit", {"text": "fixed"})
    m.refresh_from_db()
    assert m.text == "fixed"
    client.post(f"{base}/react", {"emoji": "🎉"})
    partial = client.get(base, headers={"HX-Request": "true"}).content.decode()
    assert "🎉 1" in partial and "edited" in partial
    client.post(f"{base}/react", {"emoji": "🎉"})  # toggles off
    assert "🎉 1" not in client.get(base).content.decode()
    client.post(f"/messages/{c.pk}/mute", {"muted": "1"})
    assert Participant.objects.get(account=ana).muted
    login(client, bo)
    assert client.post(f"{base}/edit", {"text": "hijack"}).status_code == 302
    m.refresh_from_db()
    assert m.text == "fixed"
    client.post(f"{base}/delete", {"scope": "me"})
    assert "fixed" not in client.get(f"/messages/{c.pk}").content.decode()
    login(client, ana)
    assert "fixed" in client.get(f"/messages/{c.pk}").content.decode()
    client.post(f"{base}/delete", {"scope": "everyone"})
    assert "This message was deleted" in client.get(f"/messages/{c.pk}").content.decode()
    response = client.post(f"/messages/{c.pk}/leave")
    assert response["Location"] == "/messages"
    assert client.get(f"/messages/{c.pk}").status_code == 404


def test_live_updates_endpoint_returns_new_messages(client: Client, friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="one")
    first = Message.objects.get()
    actions.send_message(ana, c, text="two")
    login(client, bo)
    html = client.get(f"/messages/{c.pk}/updates?after={first.pk}").content.decode()
    assert "two" in html and ">one<" not in html


def test_non_participants_get_404_everywhere(client: Client, friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="private")
    m = Message.objects.get()
    eve = make_account("eve")
    login(client, eve)
    gets = [
        f"/messages/{c.pk}",
        f"/messages/{c.pk}/updates?after=0",
        f"/messages/{c.pk}/m/{m.pk}",
        f"/messages/live?conversation={c.pk}",
        "/messages/99999999999999999999",
        "/messages/abc",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for action in ("send", "accept", "decline", "read", "mute", "leave", "add", "rename"):
        response = client.post(f"/messages/{c.pk}/{action}", {"text": "x", "to": "eve"})
        assert response.status_code == 404, action
    for action in ("edit", "delete", "react"):
        response = client.post(
            f"/messages/{c.pk}/m/{m.pk}/{action}", {"text": "x", "emoji": "👍", "scope": "me"}
        )
        assert response.status_code == 404, action
    # A message of another conversation, through one the viewer is in.
    mine = actions.start_conversation(eve, [make_account()], title="mine")
    assert client.get(f"/messages/{mine.pk}/m/{m.pk}").status_code == 404
    assert client.post(f"/messages/{mine.pk}/m/{m.pk}/delete", {"scope": "me"}).status_code == 404
    assert (
        client.post(f"/messages/{mine.pk}/send", {"text": "x", "reply_to": m.pk}).status_code == 404
    )
    assert "private" not in client.get("/messages").content.decode()
    m.refresh_from_db()
    assert m.text == "private"


def test_query_counts_are_constant(
    client: Client, ana: Account, django_assert_max_num_queries: Any
) -> None:
    def fill(n: int) -> None:
        for i in range(n):
            other = make_account()
            connect(ana, other)
            c = actions.start_conversation(other, [ana], text=f"hello {i}")
            for j in range(3):
                m = actions.send_message(other, c, text=f"message {j}")
                actions.add_reaction(ana, m, "👍")
            actions.send_message(ana, c, text="reply", reply_to=m)
        group = actions.start_conversation(ana, [make_account(), make_account()], title="g")
        actions.send_message(ana, group, text="group hello")

    login(client, ana)
    fill(2)
    with django_assert_max_num_queries(30) as small:
        assert client.get("/messages").status_code == 200
    c = Conversation.objects.filter(kind="one_to_one").first()
    assert c is not None
    with django_assert_max_num_queries(30) as thread_small:
        assert client.get(f"/messages/{c.pk}").status_code == 200
    fill(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/messages").status_code == 200
    for i in range(20):
        m = actions.send_message(
            ana, c, text=f"more {i}", reply_to=Message.objects.filter(conversation=c).first()
        )
        actions.add_reaction(ana, m, "🎉")
    with django_assert_max_num_queries(len(thread_small.captured_queries)):
        assert client.get(f"/messages/{c.pk}").status_code == 200


def test_message_button_partial(ana: Account, bo: Account) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("messaging/_message_button.html", {"viewer": ana, "target": bo})
    assert f"{reverse('messaging:new')}?to=bo" in html
    assert (
        render_to_string("messaging/_message_button.html", {"viewer": ana, "target": ana}).strip()
        == ""
    )
    assert (
        render_to_string("messaging/_message_button.html", {"viewer": None, "target": bo}).strip()
        == ""
    )


def test_sending_messages_is_rate_limited_and_writes_nothing_over_the_limit(client, monkeypatch):
    import dataclasses

    from plaza import ratelimit
    from tests.factories import make_account

    monkeypatch.setitem(
        ratelimit.RULES, "message", dataclasses.replace(ratelimit.RULES["message"], limit=1)
    )
    ana = make_account("ana_rl")
    make_account("ben_rl")
    client.force_login(ana.user)
    client.post("/messages/new", {"to": "ben_rl", "text": "first"})
    before = Message.objects.count()
    assert before == 1
    response = client.post("/messages/new", {"to": "ben_rl", "text": "second"})
    assert response.status_code == 422
    assert "message" in response.content.decode().lower()
    assert Message.objects.count() == before


def test_images_sent_from_the_thread_form_reach_the_other_person(
    client: Client, friends: Any
) -> None:
    from tests.posts.helpers import jpeg_upload

    ana, bo = friends
    login(client, ana)
    client.post("/messages/new", {"to": "@bo", "text": "Lunch?"})
    c = Conversation.objects.get()
    response = client.post(
        f"/messages/{c.pk}/send",
        {"text": "this place", "media": [jpeg_upload(name="a.jpg"), jpeg_upload(name="b.jpg")]},
    )
    assert response.status_code == 302
    sent = Message.objects.latest("id")
    media = [link.media for link in sent.media_links.order_by("position")]
    assert [m.account_id for m in media] == [ana.pk, ana.pk] and all(m.file for m in media)
    login(client, bo)
    html = client.get(f"/messages/{c.pk}").content.decode()
    assert "this place" in html and all(m.file.url in html or m.preview.url in html for m in media)
    # Five images are refused with the text kept, and nothing is sent.
    login(client, ana)
    too_many = [jpeg_upload(name=f"{n}.jpg") for n in range(5)]
    response = client.post(f"/messages/{c.pk}/send", {"text": "kept words", "media": too_many})
    html = response.content.decode()
    assert response.status_code == 422 and "at most 4 images" in html
    assert ">kept words</textarea>" in html
    assert Message.objects.count() == 2
