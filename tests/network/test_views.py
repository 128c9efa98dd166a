"""The relationship form endpoints, through the web client: redirects, htmx partials, errors."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import Account
from network import actions
from network.models import Block, Connection, ConnectionRequest, Follow, FollowRequest, Mute
from network.queries import relationship
from notifications.models import Notification, NotificationKind
from tests.factories import make_account

pytestmark = pytest.mark.django_db

ACTION_NAMES = [
    "follow",
    "unfollow",
    "connect",
    "accept_connection",
    "decline_connection",
    "withdraw_connection",
    "remove_connection",
    "approve_follow",
    "reject_follow",
    "remove_follower",
    "block",
    "unblock",
    "mute",
    "unmute",
]


def post(
    client: Client, name: str, target: Account, data: dict | None = None, *, htmx: bool = False
):
    """POST to a relationship endpoint, as a plain form or as htmx does."""
    headers = {"HX-Request": "true"} if htmx else None
    return client.post(
        reverse(f"network:{name}", args=[target.username]), data or {}, headers=headers
    )


def messages_of(response) -> list[str]:
    """Messages waiting to be shown (unshown ones of earlier requests first)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def last_message(response) -> str:
    return messages_of(response)[-1]


@pytest.fixture
def alice(client: Client) -> Account:
    account = make_account("alice")
    client.force_login(account.user)
    return account


@pytest.mark.parametrize("name", ACTION_NAMES)
def test_get_on_an_action_endpoint_is_405(client, alice, name):
    bob = make_account("bob")
    assert client.get(reverse(f"network:{name}", args=[bob.username])).status_code == 405


@pytest.mark.parametrize("name", ACTION_NAMES)
def test_anonymous_posts_go_to_login_and_write_nothing(client, name):
    bob = make_account("bob")
    response = post(client, name, bob, {"next": "/network"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/network" in response["Location"]
    assert not Follow.objects.exists() and not Block.objects.exists()


def test_anonymous_htmx_post_asks_htmx_to_go_to_login(client):
    bob = make_account("bob")
    response = post(client, "follow", bob, htmx=True)
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_unknown_account_is_404(client, alice):
    response = client.post("/@nobody/follow")
    assert response.status_code == 404


def test_follow_redirects_to_the_profile_or_a_local_next(client, alice):
    bob = make_account("bob")
    response = post(client, "follow", bob)
    assert response.status_code == 302 and response["Location"] == "/@bob"
    assert messages_of(response) == ["You now follow @bob."]
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.following_count, bob.followers_count) == (1, 1)

    response = post(client, "unfollow", bob, {"next": "/network?x=1"})
    assert response["Location"] == "/network?x=1"
    bob.refresh_from_db()
    assert bob.followers_count == 0


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_next_must_be_local(client, alice, evil):
    bob = make_account("bob")
    response = post(client, "follow", bob, {"next": evil})
    assert response["Location"] == "/@bob"


def test_htmx_follow_returns_the_rerendered_partial(client, alice):
    bob = make_account("bob")
    response = post(client, "follow", bob, {"next": "/network"}, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="rel-actions"' in html and "<html" not in html
    assert "Following" in html and 'action="/@bob/unfollow"' in html
    assert 'name="next" value="/network"' in html  # the page to come back to is kept
    assert messages_of(response) == []  # htmx swaps in place: no leftover toast


def test_locked_account_flow_through_the_views(client, alice):
    lock = make_account("lock", locked=True)
    response = post(client, "follow", lock)
    assert "Follow request sent" in messages_of(response)[0]
    assert FollowRequest.objects.filter(requester=alice, target=lock).exists()
    html = post(client, "follow", lock, htmx=True).content.decode()
    assert "Requested" in html

    client.force_login(lock.user)
    response = post(client, "approve_follow", alice, {"next": "/network"})
    assert response["Location"] == "/network"
    assert relationship(alice, lock).following
    lock.refresh_from_db()
    assert lock.followers_count == 1

    response = post(client, "approve_follow", alice)  # nothing left to approve
    assert response.status_code == 404


def test_reject_and_remove_follower(client, alice):
    lock = make_account("lock", locked=True)
    actions.follow(alice, lock)
    client.force_login(lock.user)
    post(client, "reject_follow", alice)
    assert not FollowRequest.objects.exists()
    assert post(client, "reject_follow", alice, htmx=True).status_code == 404

    actions.follow(lock, alice)
    client.force_login(alice.user)
    response = post(client, "remove_follower", lock)
    assert last_message(response) == "@lock no longer follows you."
    assert not Follow.objects.exists()


def test_approving_a_request_that_does_not_exist_is_404_and_writes_nothing(client, alice):
    bob = make_account("bob")
    assert post(client, "approve_follow", bob).status_code == 404
    response = post(client, "accept_connection", bob, htmx=True)
    assert response.status_code == 404
    assert "There is no such connection request." in response.content.decode()
    assert not Follow.objects.exists() and not Connection.objects.exists()


def test_connection_flow_through_the_views(client, alice):
    bob = make_account("bob")
    response = post(client, "connect", bob, {"note": "Hi Bob, we met at the meetup."})
    assert messages_of(response) == ["Connection request sent to @bob."]
    assert ConnectionRequest.objects.get().note == "Hi Bob, we met at the meetup."
    assert list(Notification.objects.values_list("kind", flat=True)) == [
        NotificationKind.CONNECTION_REQUEST
    ]

    response = post(client, "withdraw_connection", bob)
    assert not ConnectionRequest.objects.exists()
    assert not Notification.objects.exists()

    post(client, "connect", bob)
    client.force_login(bob.user)
    response = post(client, "decline_connection", alice)
    assert not ConnectionRequest.objects.exists()

    client.force_login(alice.user)
    post(client, "connect", bob)
    client.force_login(bob.user)
    html = post(client, "accept_connection", alice, htmx=True).content.decode()
    assert "Connected" in html
    bob.refresh_from_db()
    assert bob.connections_count == 1
    assert Notification.objects.filter(
        recipient=alice, kind=NotificationKind.CONNECTION_ACCEPTED
    ).exists()

    response = post(client, "remove_connection", alice)
    assert not Connection.objects.exists()
    alice.refresh_from_db()
    assert alice.connections_count == 0


def test_cross_requests_through_the_views_connect(client, alice):
    bob = make_account("bob")
    post(client, "connect", bob)
    client.force_login(bob.user)
    response = post(client, "connect", alice)
    assert last_message(response) == "You are now connected with @alice."
    assert relationship(alice, bob).connected


def test_connect_note_too_long_shows_an_error_and_writes_nothing(client, alice):
    bob = make_account("bob")
    response = post(client, "connect", bob, {"note": "x" * 301, "next": "/network"})
    assert response.status_code == 302 and response["Location"] == "/network"
    assert "300" in messages_of(response)[0]
    assert not ConnectionRequest.objects.exists()
    response = post(client, "connect", bob, {"note": "x" * 301}, htmx=True)
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()


def test_following_someone_who_blocked_you_shows_an_error_and_writes_nothing(client, alice):
    bob = make_account("bob")
    actions.block(bob, alice)
    response = post(client, "follow", bob, {"next": "/network"})
    assert response.status_code == 302 and response["Location"] == "/network"
    assert messages_of(response) == ["You can't follow this account."]
    response = post(client, "connect", bob, htmx=True)
    assert response.status_code == 403
    assert "You can&#x27;t connect with this account." in response.content.decode()
    assert not Follow.objects.exists()
    assert not ConnectionRequest.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("name", ["follow", "connect", "block", "mute", "remove_follower"])
def test_acting_on_yourself_is_an_error_message_not_a_500(client, alice, name):
    response = post(client, name, alice, {"next": "/network"})
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("You can't")
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_block_confirm_page_and_block(client, alice):
    bob = make_account("bob")
    actions.follow(alice, bob)
    actions.follow(bob, alice)
    response = client.get(reverse("network:block_confirm", args=["bob"]) + "?next=/network")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/@bob/block"' in html and 'value="/network"' in html
    assert client.get(reverse("network:block_confirm", args=["alice"])).status_code == 404

    response = post(client, "block", bob, {"next": "/network"})
    assert response["Location"] == "/network"
    assert Block.objects.filter(account=alice, target=bob).exists()
    assert not Follow.objects.exists()
    alice.refresh_from_db()
    assert (alice.followers_count, alice.following_count) == (0, 0)

    html = post(client, "block", bob, htmx=True).content.decode()  # again: fine
    assert "Unblock" in html and "Blocked" in html
    post(client, "unblock", bob)
    assert not Block.objects.exists()


def test_mute_and_unmute(client, alice):
    bob = make_account("bob")
    html = post(client, "mute", bob, htmx=True).content.decode()
    assert "Unmute @bob" in html and "Muted" in html
    assert Mute.objects.filter(account=alice, target=bob).exists()
    post(client, "unmute", bob)
    assert not Mute.objects.exists()


def test_partial_for_someone_who_asked_to_connect_and_follow(client, alice):
    bob = make_account("bob")
    alice.locked = True
    alice.save()
    actions.follow(bob, alice)
    actions.request_connection(bob, alice, note="hello")
    html = post(client, "mute", bob, htmx=True).content.decode()
    for text in ("Accept", "Decline", "Approve", "Reject", "Wants to follow you"):
        assert text in html
