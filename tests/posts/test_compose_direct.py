"""The web composer's "direct" audience sends a private message (as direct statuses do
through the Mastodon API), routed by :func:`messaging.actions.send_direct`; refusals come
back to the composer with what was typed kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from accounts.models import Account
from messaging import actions as messaging
from messaging.models import Conversation, Message, MessageMedia, Participant, RequestState
from network import actions as network
from notifications.models import Notification, NotificationKind
from posts import actions
from posts.models import MediaAttachment, Post
from tests.factories import make_account
from tests.posts.helpers import jpeg_upload

pytestmark = pytest.mark.django_db


def connect(a: Account, b: Account) -> None:
    network.request_connection(a, b)
    network.accept_connection(b, a)


@pytest.fixture
def alice(client: Client) -> Account:
    account = make_account("alice")
    client.force_login(account.user)
    return account


@pytest.fixture
def bob(alice: Account) -> Account:
    account = make_account("bob", display_name="Bob Builder")
    connect(alice, account)
    return account


def compose(client: Client, text: str, **extra: Any) -> Any:
    return client.post(
        "/compose", {"text": text, "visibility": "direct", "intent": "post", **extra}
    )


def notices(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_direct_sends_a_message_and_goes_to_the_conversation(
    client: Client, alice: Account, bob: Account
) -> None:
    response = compose(client, "@bob lunch on Friday?", next="/home")
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{message.conversation_id}"
    assert notices(response) == ["Sent as a private message to Bob Builder."]
    assert not Post.objects.exists()  # no post: a message
    assert (message.sender_id, message.text) == (alice.pk, "@bob lunch on Friday?")
    assert message.conversation.kind == "one_to_one"
    assert Participant.objects.get(account=bob).request_state == RequestState.ACCEPTED
    # the same people again: the same conversation
    compose(client, "@bob or Saturday")
    assert Message.objects.filter(conversation=message.conversation).count() == 2
    assert Conversation.objects.count() == 1
    # bob reads it in Messages
    client.force_login(bob.user)
    assert "or Saturday" in client.get(f"/messages/{message.conversation_id}").content.decode()


def test_several_mentions_make_a_group_and_strangers_get_a_request(
    client: Client, alice: Account, bob: Account
) -> None:
    cleo = make_account("cleo")  # knows nobody
    response = compose(client, "@bob @cleo planning the trip")
    message = Message.objects.get()
    assert message.conversation.kind == "group"
    assert {
        p.account_id for p in Participant.objects.filter(conversation=message.conversation)
    } == {
        alice.pk,
        bob.pk,
        cleo.pk,
    }
    assert notices(response)[0].endswith("It waits in their message requests until they accept.")
    assert Notification.objects.filter(
        recipient=cleo, actor=alice, kind=NotificationKind.MESSAGE_REQUEST
    ).exists()
    compose(client, "@cleo @bob dates?")  # exactly the same people: the same group
    assert Conversation.objects.count() == 1


def test_no_mention_comes_back_with_the_text_kept(client: Client, alice: Account) -> None:
    response = compose(client, "note to self <3", content_warning="private")
    assert response.status_code == 422
    html = response.content.decode()
    assert "mention someone" in html
    assert "note to self &lt;3</textarea>" in html
    assert 'value="private"' in html
    assert not Message.objects.exists() and not Post.objects.exists()


def test_blocked_and_declined_come_back_to_the_composer(
    client: Client, alice: Account, bob: Account
) -> None:
    network.block(bob, alice)
    response = compose(client, "@bob hello?")
    assert response.status_code == 422
    html = response.content.decode()
    assert "You can&#x27;t message @bob." in html and "@bob hello?</textarea>" in html
    dan = make_account("dan")
    request = messaging.start_conversation(alice, [dan], text="Hi Dan")
    messaging.decline_request(dan, request)
    response = compose(client, "@dan please?")
    assert response.status_code == 422
    assert "@dan isn&#x27;t accepting messages from you." in response.content.decode()
    assert Message.objects.count() == 1  # only the first, declined one
    assert not Post.objects.exists()


def test_content_warning_and_media_travel_with_the_message(
    client: Client, alice: Account, bob: Account
) -> None:
    response = compose(
        client, "@bob the photo", content_warning="spoilers", media=[jpeg_upload((300, 200))]
    )
    assert response.status_code == 302, response.content.decode()[:500]
    message = Message.objects.get()
    assert message.text == "spoilers\n\n@bob the photo"
    media = MediaAttachment.objects.get(account=alice)
    assert MessageMedia.objects.filter(message=message, media=media).exists()
    assert media.post_id is None


def test_a_failed_send_keeps_the_uploads(client: Client, alice: Account) -> None:
    response = compose(client, "nobody mentioned", media=[jpeg_upload((300, 200))])
    assert response.status_code == 422
    media = MediaAttachment.objects.get(account=alice)
    assert f'name="media_id" value="{media.pk}"' in response.content.decode()
    assert not MessageMedia.objects.exists()


def test_direct_replies_and_quotes(client: Client, alice: Account, bob: Account) -> None:
    post = actions.publish(bob, text="Who's coming?", visibility="public")
    # A direct reply to a post writes privately to the people it mentions (as Mastodon).
    response = compose(client, "@bob me, privately", in_reply_to=str(post.pk))
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.reply_to is None and Post.objects.count() == 1
    # A message can't quote a post.
    response = compose(client, "@bob look", quote_of=str(post.pk))
    assert response.status_code == 422
    assert "can&#x27;t quote a post" in response.content.decode()
    assert Message.objects.count() == 1


def test_other_audiences_still_publish_posts(client: Client, alice: Account, bob: Account) -> None:
    response = client.post(
        "/compose", {"text": "@bob hi all", "visibility": "connections", "intent": "post"}
    )
    assert response.status_code == 302
    assert Post.objects.get().visibility == "connections"
    assert not Message.objects.exists()
    # publish() itself still makes direct posts (other code relies on it)
    assert actions.publish(alice, text="@bob old style", visibility="direct").visibility == "direct"


def test_the_composer_says_what_direct_means(client: Client, alice: Account) -> None:
    html = client.get("/compose").content.decode()
    assert 'value="direct" title="A private message to the people you mention (in Messages)"' in (
        html
    )
