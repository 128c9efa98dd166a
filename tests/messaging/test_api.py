"""Direct messages through the native API (every answer checked against the OpenAPI schema)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Account
from messaging import actions
from messaging.models import Conversation, Message
from network import actions as network
from posts.models import MediaAttachment, MediaKind, MediaState
from tests.factories import make_account

pytestmark = pytest.mark.django_db
V1 = "/api/plaza/v1"


def test_start_send_list_and_read(api_for: Any, friends: Any) -> None:
    ana, bo = friends
    a, b = api_for(ana), api_for(bo)
    pic = MediaAttachment.objects.create(
        account=ana, kind=MediaKind.IMAGE, state=MediaState.READY, content_type="image/png"
    )
    created = a.post_json(
        f"{V1}/conversations", {"to": ["@bo"], "text": "hello", "media_ids": [str(pic.pk)]}
    )
    assert created.status_code == 201, created.content
    conv = created.json()
    assert conv["kind"] == "one_to_one"
    assert [p["username"] for p in conv["participants"]] == ["bo"]
    cid = conv["id"]
    listing = b.get(f"{V1}/conversations").json()
    assert listing["items"][0]["id"] == cid
    assert listing["items"][0]["unread_count"] == 1
    assert listing["unread_conversations"] == 1
    messages = b.get(f"{V1}/conversations/{cid}/messages").json()
    first = messages["items"][0]
    assert first["text"] == "hello" and first["media"][0]["id"] == str(pic.pk)
    sent = b.post_json(
        f"{V1}/conversations/{cid}/messages", {"text": "hi ana", "reply_to_id": first["id"]}
    )
    assert sent.status_code == 201
    assert sent.json()["reply_to_id"] == first["id"]
    newer = a.get(f"{V1}/conversations/{cid}/messages?after_id={first['id']}").json()
    assert [m["text"] for m in newer["items"]] == ["hi ana"]
    read = a.post_json(f"{V1}/conversations/{cid}/read", {})
    assert read.json()["unread_count"] == 0
    members = {m["account"]["username"]: m for m in read.json()["members"]}
    assert members["bo"]["last_read_message_id"] == sent.json()["id"]


def test_keyset_pages(api_for: Any, friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo])
    ids = [actions.send_message(ana, c, text=f"m{i}").pk for i in range(7)]
    a = api_for(ana)
    page = a.get(f"{V1}/conversations/{c.pk}/messages?limit=3").json()
    assert [m["text"] for m in page["items"]] == ["m4", "m5", "m6"]
    older = a.get(f"{V1}/conversations/{c.pk}/messages?limit=3&max_id={page['next_max_id']}")
    assert [m["text"] for m in older.json()["items"]] == ["m1", "m2", "m3"]
    assert older.json()["next_max_id"] == str(ids[1])
    for _ in range(3):
        actions.start_conversation(ana, [make_account()], title="g")
    first = a.get(f"{V1}/conversations?limit=2").json()
    rest = a.get(f"{V1}/conversations?limit=2&max_key={first['next_max_key']}").json()
    seen = [i["id"] for i in first["items"] + rest["items"]]
    assert len(seen) == len(set(seen)) == 4
    assert a.get(f"{V1}/conversations?max_key=abc").status_code == 422


def test_requests_accept_decline(api_for: Any, ana: Account, bo: Account) -> None:
    carl = make_account("carl")
    c1 = actions.start_conversation(ana, [bo], text="hello")
    c2 = actions.start_conversation(carl, [bo], text="spam")
    b = api_for(bo)
    assert b.get(f"{V1}/conversations").json()["items"] == []
    reqs = b.get(f"{V1}/conversations/requests").json()
    assert {i["id"] for i in reqs["items"]} == {str(c1.pk), str(c2.pk)}
    assert reqs["requests_count"] == 2 and all(i["request"] for i in reqs["items"])
    accepted = b.post(f"{V1}/conversations/{c1.pk}/accept")
    assert accepted.status_code == 200 and accepted.json()["request"] is False
    assert b.post(f"{V1}/conversations/{c2.pk}/decline").json() == {"ok": True}
    again = api_for(carl).post_json(f"{V1}/conversations/{c2.pk}/messages", {"text": "?"})
    assert again.status_code == 403
    fresh = api_for(carl).post_json(f"{V1}/conversations", {"to": ["bo"], "text": "new"})
    assert fresh.status_code == 403
    assert b.get(f"{V1}/conversations/{c2.pk}").status_code == 404


def test_edit_delete_react(api_for: Any, friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="helo")
    m = Message.objects.get()
    a, b = api_for(ana), api_for(bo)
    edited = a.patch_json(f"{V1}/messages/{m.pk}", {"text": "hello"})
    assert edited.status_code == 200 and edited.json()["edited_at"]
    assert b.patch_json(f"{V1}/messages/{m.pk}", {"text": "mine"}).status_code == 403
    reacted = b.post_json(f"{V1}/messages/{m.pk}/reactions", {"emoji": "❤️"})
    assert reacted.json()["reactions"] == [{"emoji": "❤️", "count": 1, "mine": True}]
    assert b.post_json(f"{V1}/messages/{m.pk}/reactions", {"emoji": "nope"}).status_code == 422
    gone = b.delete(f"{V1}/messages/{m.pk}/reactions?emoji=%E2%9D%A4%EF%B8%8F")
    assert gone.json()["reactions"] == []
    assert b.delete(f"{V1}/messages/{m.pk}?scope=me").status_code == 200
    assert b.get(f"{V1}/messages/{m.pk}").status_code == 404
    assert a.get(f"{V1}/messages/{m.pk}").status_code == 200
    assert b.delete(f"{V1}/messages/{m.pk}?scope=everyone").status_code == 404  # hidden for bo
    Message.objects.filter(pk=m.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    late = a.delete(f"{V1}/messages/{m.pk}?scope=everyone")
    assert late.status_code == 422 and "15 minutes" in late.json()["error"]
    m2 = actions.send_message(ana, c, text="oops")
    assert a.delete(f"{V1}/messages/{m2.pk}?scope=everyone").status_code == 200
    assert a.get(f"{V1}/messages/{m2.pk}").json()["deleted"] is True


def test_group_mute_leave_add(api_for: Any, friends: Any) -> None:
    ana, _bo = friends
    a = api_for(ana)
    carl, dee = make_account("carl"), make_account("dee")
    created = a.post_json(f"{V1}/conversations", {"to": ["bo", "carl"], "title": "Crew"})
    cid = created.json()["id"]
    assert created.json()["kind"] == "group"
    added = a.post_json(f"{V1}/conversations/{cid}/participants", {"to": ["dee"]})
    assert {m["account"]["username"] for m in added.json()["members"]} == {
        "ana",
        "bo",
        "carl",
        "dee",
    }
    renamed = a.patch_json(f"{V1}/conversations/{cid}", {"title": "Crew 2"})
    assert renamed.json()["title"] == "Crew 2"
    assert a.post_json(f"{V1}/conversations/{cid}/mute", {"muted": True}).json()["muted"]
    assert a.post(f"{V1}/conversations/{cid}/leave").json() == {"ok": True}
    assert a.get(f"{V1}/conversations/{cid}").status_code == 404
    assert api_for(dee).get(f"{V1}/conversations/{cid}").json()["request"] is True
    assert api_for(carl).get(f"{V1}/conversations/{cid}").status_code == 200


def test_bad_input(api_for: Any, friends: Any) -> None:
    ana, bo = friends
    a = api_for(ana)
    assert a.post_json(f"{V1}/conversations", {"to": []}).status_code == 422
    assert a.post_json(f"{V1}/conversations", {"to": ["ghost"]}).status_code == 422
    assert a.post_json(f"{V1}/conversations", {"to": ["bo"], "text": "x" * 5001}).status_code == 422
    many = [make_account().username for _ in range(50)]
    assert a.post_json(f"{V1}/conversations", {"to": many}).status_code == 422
    assert (
        a.post_json(f"{V1}/conversations", {"to": ["bo"], "media_ids": ["123"]}).status_code == 404
    )
    assert Conversation.objects.count() == 0
    network.block(bo, ana)
    assert a.post_json(f"{V1}/conversations", {"to": ["bo"], "text": "hi"}).status_code == 403


def test_outsiders_get_404_on_every_operation(api_for: Any, friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="private")
    m = Message.objects.get()
    eve = api_for(make_account("eve"))
    cases = [
        ("get", f"{V1}/conversations/{c.pk}", None),
        ("get", f"{V1}/conversations/{c.pk}/messages", None),
        ("post", f"{V1}/conversations/{c.pk}/messages", {"text": "x"}),
        ("post", f"{V1}/conversations/{c.pk}/accept", {}),
        ("post", f"{V1}/conversations/{c.pk}/decline", {}),
        ("post", f"{V1}/conversations/{c.pk}/read", {}),
        ("post", f"{V1}/conversations/{c.pk}/mute", {}),
        ("post", f"{V1}/conversations/{c.pk}/leave", {}),
        ("post", f"{V1}/conversations/{c.pk}/participants", {"to": ["eve"]}),
        ("patch", f"{V1}/conversations/{c.pk}", {"title": "x"}),
        ("get", f"{V1}/messages/{m.pk}", None),
        ("patch", f"{V1}/messages/{m.pk}", {"text": "x"}),
        ("delete", f"{V1}/messages/{m.pk}?scope=me", None),
        ("post", f"{V1}/messages/{m.pk}/reactions", {"emoji": "👍"}),
        ("delete", f"{V1}/messages/{m.pk}/reactions?emoji=x", None),
    ]
    for method, url, body in cases:
        if method == "get":
            response = eve.get(url)
        elif method == "post":
            response = eve.post_json(url, body)
        elif method == "patch":
            response = eve.patch_json(url, body)
        else:
            response = eve.delete(url)
        assert response.status_code == 404, (method, url, response.content)
    assert eve.get(f"{V1}/conversations").json()["items"] == []


def test_scopes(api_for: Any, friends: Any) -> None:
    ana, _ = friends
    read_only = api_for(ana, scopes="read")
    assert read_only.get(f"{V1}/conversations").status_code == 200
    assert read_only.post_json(f"{V1}/conversations", {"to": ["bo"]}).status_code == 403
    assert (
        api_for(ana, scopes="write:conversations")
        .post_json(f"{V1}/conversations", {"to": ["bo"]})
        .status_code
        == 201
    )
