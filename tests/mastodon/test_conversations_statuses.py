"""Direct statuses are messages: sending one (``POST /api/v1/statuses`` with
``visibility=direct``, through :func:`mastodon.views.conversations.direct_status` mounted
here as the statuses endpoint's hook calls it), and reading, replying to, editing,
favouriting and deleting messages as statuses."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import include, path
from django.utils import timezone

import mastodon.views.statuses
from accounts.models import Account
from mastodon.api import ApiError, ApiRequest, endpoint
from mastodon.views import conversations as views
from messaging import actions, queries
from messaging.models import Conversation, ConversationKind, Message, Participant, RequestState
from network import actions as network
from plaza.errors import NotAllowed
from posts import actions as posts
from posts.models import MediaAttachment, MediaKind, MediaState
from tests.factories import make_account
from tests.mastodon.conftest import Api
from tests.mastodon.schemas import assert_entity


@endpoint("POST", scope="write:statuses")
def _direct(request: ApiRequest) -> Any:
    assert request.account is not None
    if not views.is_direct(request.data):
        raise ApiError("not direct", 400)
    return views.direct_status(request, request.account)


urlpatterns = [path("test/direct", _direct), path("", include("plaza.urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
ApiFor = Callable[..., Api]


def connect(a: Account, b: Account) -> None:
    network.request_connection(a, b)
    network.accept_connection(b, a)


@pytest.fixture
def people() -> tuple[Account, Account, Account]:
    ana, bo, cy = make_account("ana"), make_account("bo"), make_account("cy")
    connect(ana, bo)
    connect(ana, cy)
    connect(bo, cy)
    return ana, bo, cy


def send(api: Api, body: dict[str, Any], status: int = 200, **extra: Any) -> Any:
    response = api.post_json("/test/direct", {"visibility": "direct", **body}, **extra)
    assert response.status_code == status, response.content[:500]
    return response.json()


def test_one_mention_is_the_one_to_one_conversation(api_for: ApiFor, people: Any) -> None:
    ana, bo, _ = people
    existing = actions.start_conversation(bo, [ana], text="earlier")
    status = send(api_for(ana), {"status": "@bo hello there"})
    assert_entity(status, "Status")
    assert status["visibility"] == "direct"
    assert status["plaza"]["conversation_id"] == str(existing.pk)
    assert [m["username"] for m in status["mentions"]] == ["bo"]
    message = Message.objects.get(pk=int(status["id"]))
    assert message.conversation_id == existing.pk and message.sender == ana
    assert Participant.objects.get(account=bo, conversation=existing).unread_count == 1
    assert not Message.objects.filter(text__contains="hello there").exclude(pk=message.pk).exists()


def test_several_mentions_make_one_group_reused(api_for: ApiFor, people: Any) -> None:
    ana, _bo, _cy = people
    api = api_for(ana)
    first = send(api, {"status": "@bo @cy lunch?"})
    group = Conversation.objects.get(pk=int(first["plaza"]["conversation_id"]))
    assert group.kind == ConversationKind.GROUP
    assert {m["username"] for m in first["mentions"]} == {"bo", "cy"}
    again = send(api, {"status": "@cy @BO still on?"})
    assert again["plaza"]["conversation_id"] == first["plaza"]["conversation_id"]
    # a named group, or a different set of people, is another conversation
    actions.rename(ana, group, "Lunch club")
    third = send(api, {"status": "@bo @cy new thread"})
    assert third["plaza"]["conversation_id"] != first["plaza"]["conversation_id"]
    # only bo and ana: the one-to-one, never the group
    solo = send(api, {"status": "@bo just you"})
    assert Conversation.objects.get(pk=int(solo["plaza"]["conversation_id"])).kind == "one_to_one"


def test_reply_to_a_message_continues_its_conversation(api_for: ApiFor, people: Any) -> None:
    ana, bo, cy = people
    group = actions.start_conversation(bo, [ana, cy], title="Team", text="standup?")
    question = group.last_message
    assert question is not None
    # no mention needed (clients prefill them; extra mentions add nobody)
    status = send(api_for(ana), {"status": "yes", "in_reply_to_id": str(question.pk)})
    assert status["in_reply_to_id"] == str(question.pk)
    assert status["in_reply_to_account_id"] == str(bo.pk)
    assert status["plaza"]["conversation_id"] == str(group.pk)
    # replying to a message you cannot read is replying to nothing
    outsider = make_account("eve")
    connect(outsider, ana)
    error = send(api_for(outsider), {"status": "@ana hi", "in_reply_to_id": str(question.pk)}, 404)
    assert error == {"error": views.REPLY_NOT_FOUND}
    send(api_for(ana), {"status": "@bo x", "in_reply_to_id": "123"}, 404)
    send(api_for(ana), {"status": "@bo x", "in_reply_to_id": "abc"}, 422)


def test_reply_to_a_post_messages_its_mentions(api_for: ApiFor, people: Any) -> None:
    ana, bo, _ = people
    post = posts.publish(bo, text="public thoughts", visibility="public")
    status = send(api_for(ana), {"status": "@bo privately: nice", "in_reply_to_id": str(post.pk)})
    conversation = Conversation.objects.get(pk=int(status["plaza"]["conversation_id"]))
    assert conversation.pair_key == actions.pair_key(ana, bo)
    assert status["in_reply_to_id"] is None


def test_bad_input_writes_nothing(api_for: ApiFor, people: Any) -> None:
    ana, bo, _ = people
    api = api_for(ana)
    assert "mention someone" in send(api, {"status": "no one addressed"}, 422)["error"]
    send(api, {"status": "@nobody_here hi"}, 422)
    send(api, {"status": "@ana talking to myself"}, 422)
    send(api, {"status": "@bo " + "x" * 6000}, 422)
    send(api, {"status": "@bo", "media_ids": ["999"]}, 422)
    send(api, {"status": "@bo hi", "poll": {"options": ["a", "b"], "expires_in": 600}}, 422)
    send(api, {"status": "@bo hi", "sensitive": "maybe"}, 422)
    assert not Message.objects.exists()
    assert not Conversation.objects.exists()
    theirs = MediaAttachment.objects.create(
        account=bo, kind=MediaKind.IMAGE, state=MediaState.READY, content_type="image/png"
    )
    send(api, {"status": "@bo look", "media_ids": [str(theirs.pk)]}, 422)
    assert not Message.objects.exists()
    assert api_for(ana, scopes="read").post_json("/test/direct", {}).status_code == 403


def test_messaging_rules_apply(api_for: ApiFor, people: Any) -> None:
    ana, bo, cy = people
    stranger = make_account("dee")
    # a stranger's message is a request for its recipient, not in their list
    status = send(api_for(stranger), {"status": "@bo hi, we haven't met"})
    conversation_id = int(status["plaza"]["conversation_id"])
    me = Participant.objects.get(account=bo, conversation_id=conversation_id)
    assert me.request_state == RequestState.PENDING
    assert api_for(bo).get("/api/v1/conversations").json() == []
    # declined: refused from then on
    actions.decline_request(bo, Conversation.objects.get(pk=conversation_id))
    assert send(api_for(stranger), {"status": "@bo hello??"}, 403)["error"]
    # blocks, either way
    network.block(cy, ana)
    send(api_for(ana), {"status": "@cy hi"}, 403)
    send(api_for(cy), {"status": "@ana hi"}, 403)
    with pytest.raises(NotAllowed):
        views.create_direct_status(ana, "@cy hi", [], None)


def test_media_spoiler_and_idempotency(api_for: ApiFor, people: Any) -> None:
    ana, _bo, _ = people
    pic = MediaAttachment.objects.create(
        account=ana, kind=MediaKind.IMAGE, state=MediaState.READY, content_type="image/png"
    )
    api = api_for(ana)
    body = {"status": "@bo look", "media_ids": [str(pic.pk)], "spoiler_text": "cute cat"}
    first = send(api, body, HTTP_IDEMPOTENCY_KEY="k1")
    assert [m["id"] for m in first["media_attachments"]] == [str(pic.pk)]
    assert "cute cat" in first["content"] and first["spoiler_text"] == ""
    again = send(api, body, HTTP_IDEMPOTENCY_KEY="k1")
    assert again["id"] == first["id"]
    assert Message.objects.count() == 1
    # the message gone, the key sends again
    Message.objects.all().delete()
    assert send(api, {"status": "@bo new"}, HTTP_IDEMPOTENCY_KEY="k1")["id"] != first["id"]


def test_message_as_status_for_participants_only(api_for: ApiFor, people: Any) -> None:
    ana, bo, cy = people
    conv = actions.start_conversation(ana, [bo], text="secret")
    message = conv.last_message
    assert message is not None
    data = views.message_status_for(bo, str(message.pk))
    assert_entity(data, "Status")
    assert data["account"]["username"] == "ana" and data["favourited"] is False
    for viewer in (cy, None):
        with pytest.raises(ApiError) as err:
            views.message_status_for(viewer, str(message.pk))
        assert err.value.status == 404
    with pytest.raises(ApiError):
        views.message_status_for(bo, "nope")
    # deleted for yourself: gone for you
    actions.delete_for_me(bo, message)
    with pytest.raises(ApiError):
        views.message_status_for(bo, str(message.pk))
    assert views.message_status_for(ana, str(message.pk))["id"] == str(message.pk)


def test_context_is_the_conversation(people: Any) -> None:
    ana, bo, _ = people
    conv = actions.start_conversation(ana, [bo], text="one")
    sent = [conv.last_message] + [
        actions.send_message(bo if i % 2 else ana, conv, text=f"m{i}") for i in range(4)
    ]
    middle = sent[2]
    assert middle is not None
    context = views.message_context(bo, str(middle.pk))
    assert_entity(context, "Context")
    assert [s["id"] for s in context["ancestors"]] == [str(m.pk) for m in sent[:2] if m]
    assert [s["id"] for s in context["descendants"]] == [str(m.pk) for m in sent[3:] if m]
    with pytest.raises(ApiError):
        views.message_context(make_account(), str(middle.pk))


def test_delete_edit_and_favourite(people: Any) -> None:
    ana, bo, _ = people
    conv = actions.start_conversation(ana, [bo], text="typo")
    message = conv.last_message
    assert message is not None
    edited = views.edit_message_status(ana, str(message.pk), "fixed")
    assert "fixed" in edited["content"] and edited["edited_at"] is not None
    with pytest.raises(NotAllowed):
        views.edit_message_status(bo, str(message.pk), "not mine")
    faved = views.favourite_message(bo, str(message.pk))
    assert faved["favourited"] is True and faved["favourites_count"] == 1
    assert faved["plaza"]["reactions"] == [{"name": "❤", "count": 1, "me": True}]
    assert views.favourite_message(ana, str(message.pk))["favourited"] is True
    unfaved = views.favourite_message(bo, str(message.pk), undo=True)
    assert unfaved["favourited"] is False and unfaved["favourites_count"] == 1
    with pytest.raises(NotAllowed):
        views.delete_message_status(bo, str(message.pk))
    deleted = views.delete_message_status(ana, str(message.pk))
    assert deleted["text"] == "fixed"
    assert Message.objects.get(pk=message.pk).is_deleted
    # outside the window: a clear error
    late = actions.send_message(ana, conv, text="late")
    Message.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(Exception) as err:
        views.delete_message_status(ana, str(late.pk))
    assert "within 15 minutes" in str(err.value)


def test_conversation_events_render_per_viewer(people: Any) -> None:
    ana, bo, cy = people
    conv = actions.start_conversation(ana, [bo], text="hi")
    payload = {"conversation": str(conv.pk)}
    data = views.conversation_event(bo, payload)
    assert data is not None and data["unread"] is True
    assert json.loads(json.dumps(data))["last_status"]["id"] == str(conv.last_message_id)
    assert views.conversation_event(cy, payload) is None  # not in it
    assert views.conversation_event(bo, {"conversation": "x"}) is None
    actions.hide(bo, conv)
    assert views.conversation_event(bo, payload) is None  # removed from the list
    stranger = make_account("dee")
    request = actions.start_conversation(stranger, [bo], text="hello")
    assert views.conversation_event(bo, {"conversation": str(request.pk)}) is None
    assert queries.inbox_row(bo, request.pk).me.is_pending


STATUSES_HOOKED = "direct_status" in inspect.getsource(mastodon.views.statuses)


@pytest.mark.skipif(not STATUSES_HOOKED, reason="statuses.py does not send direct messages yet")
def test_through_the_statuses_endpoints(api_for: ApiFor, people: Any) -> None:
    ana, bo, cy = people
    a, b = api_for(ana), api_for(bo)
    sent = a.post_json("/api/v1/statuses", {"status": "@bo psst", "visibility": "direct"})
    assert sent.status_code == 200, sent.content
    status = sent.json()
    assert_entity(status, "Status")
    assert status["plaza"]["message"] is True
    sid = status["id"]
    # the recipient reads it, its context, favourites it; the outsider sees nothing
    assert b.get(f"/api/v1/statuses/{sid}").json()["id"] == sid
    assert api_for(cy).get(f"/api/v1/statuses/{sid}").status_code == 404
    assert api_for(False).get(f"/api/v1/statuses/{sid}").status_code == 404
    assert b.get(f"/api/v1/statuses/{sid}/context").json() == {"ancestors": [], "descendants": []}
    assert b.post(f"/api/v1/statuses/{sid}/favourite").json()["favourited"] is True
    assert b.post(f"/api/v1/statuses/{sid}/unfavourite").json()["favourited"] is False
    reply = b.post_json(
        "/api/v1/statuses", {"status": "@ana ok", "visibility": "direct", "in_reply_to_id": sid}
    ).json()
    assert reply["in_reply_to_id"] == sid
    assert a.get(f"/api/v1/statuses/{sid}/context").json()["descendants"][0]["id"] == reply["id"]
    assert a.put_json(f"/api/v1/statuses/{sid}", {"status": "@bo edited"}).json()["edited_at"]
    assert b.delete(f"/api/v1/statuses/{sid}").status_code == 403  # not b's
    assert a.delete(f"/api/v1/statuses/{sid}").json()["text"] == "@bo edited"
    conversations = b.get("/api/v1/conversations").json()
    assert conversations[0]["last_status"]["id"] == reply["id"]
