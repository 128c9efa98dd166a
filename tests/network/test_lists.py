"""Followers / following / connections lists, "My network", blocks and mutes pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account
from network import actions
from tests.factories import make_account

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def usernames(response) -> list[str]:
    return [row.account.username for row in response.context["rows"]]


def followed_by(target: Account, n: int, prefix: str = "fan") -> list[Account]:
    fans = [make_account(f"{prefix}{i:02d}") for i in range(n)]
    for fan in fans:
        actions.follow(fan, target)
    return fans


def connected_to(account: Account, n: int, prefix: str = "friend") -> list[Account]:
    friends = [make_account(f"{prefix}{i:02d}") for i in range(n)]
    for friend in friends:
        actions.request_connection(friend, account)
        actions.accept_connection(account, friend)
    return friends


# --- content --------------------------------------------------------------------------------


def test_followers_following_and_connections_lists(client: Client):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    actions.follow(bob, alice)
    actions.follow(alice, carol)
    actions.request_connection(carol, alice)
    actions.accept_connection(alice, carol)
    client.force_login(bob.user)

    response = client.get(reverse("network:followers", args=["alice"]))
    assert response.status_code == 200
    assert usernames(response) == ["bob"]
    html = response.content.decode()
    assert "Followers" in html and "css/network.css" in html

    response = client.get(reverse("network:following", args=["alice"]))
    assert usernames(response) == ["carol"]
    assert 'action="/@carol/follow"' in response.content.decode()  # bob's own buttons

    response = client.get(reverse("network:connections_of", args=["alice"]))
    assert usernames(response) == ["carol"]


def test_lists_are_newest_first_and_show_the_viewers_relationship(client: Client):
    alice, viewer = make_account("alice"), make_account("viewer")
    old, new = make_account("old"), make_account("new")
    actions.follow(old, alice)
    actions.follow(new, alice)
    actions.follow(viewer, new)
    actions.follow(old, viewer)
    client.force_login(viewer.user)
    response = client.get(reverse("network:followers", args=["alice"]))
    assert usernames(response) == ["new", "old"]
    rels = {row.account.username: row.rel for row in response.context["rows"]}
    assert rels["new"].following and not rels["new"].followed_by
    assert rels["old"].followed_by and not rels["old"].following
    assert "Follows you" in response.content.decode()


def test_anonymous_visitors_see_public_lists_with_log_in_buttons(client: Client):
    alice = make_account("alice")
    followed_by(alice, 2)
    response = client.get(reverse("network:followers", args=["alice"]))
    assert response.status_code == 200
    assert len(usernames(response)) == 2
    assert reverse("accounts:login") + "?next=/%40fan00" in response.content.decode()


def test_empty_lists_have_an_empty_state(client: Client):
    make_account("alice")
    response = client.get(reverse("network:followers", args=["alice"]))
    assert "No followers yet" in response.content.decode()


def test_accounts_blocked_either_way_are_left_out_of_other_peoples_lists(client: Client):
    alice, viewer, blocked, blocker = (make_account(n) for n in ("alice", "v", "b1", "b2"))
    for fan in (blocked, blocker):
        actions.follow(fan, alice)
    actions.block(viewer, blocked)
    actions.block(blocker, viewer)
    client.force_login(viewer.user)
    assert usernames(client.get(reverse("network:followers", args=["alice"]))) == []


# --- privacy --------------------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["followers", "following", "connections_of"])
def test_locked_accounts_lists_are_for_itself_its_followers_and_connections(
    client: Client, tab: str
):
    lock = make_account("lock", locked=True)
    fan, friend, stranger = make_account("fan"), make_account("friend"), make_account("stranger")
    actions.follow(fan, lock)
    actions.approve_follow_request(lock, fan)
    actions.request_connection(friend, lock)
    actions.accept_connection(lock, friend)
    url = reverse(f"network:{tab}", args=["lock"])

    response = client.get(url)  # anonymous
    assert response.status_code == 403
    assert "This account's lists are private" in response.content.decode()
    assert "rows" not in response.context

    client.force_login(stranger.user)
    actions.follow(stranger, lock)  # a pending request is not enough
    assert client.get(url).status_code == 403

    for account in (lock, fan, friend):
        client.force_login(account.user)
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("tab", ["followers", "following", "connections_of"])
def test_lists_of_someone_blocked_either_way_are_404(client: Client, tab: str):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    actions.block(alice, bob)
    client.force_login(bob.user)
    assert client.get(reverse(f"network:{tab}", args=["alice"])).status_code == 404
    client.force_login(alice.user)
    assert client.get(reverse(f"network:{tab}", args=["bob"])).status_code == 404
    client.force_login(carol.user)
    assert client.get(reverse(f"network:{tab}", args=["alice"])).status_code == 200


def test_unknown_account_and_bad_page_key(client: Client):
    make_account("alice")
    assert client.get("/@ghost/followers").status_code == 404
    assert client.get("/@alice/followers?max_id=abc").status_code == 400


def test_own_lists_need_login(client: Client):
    for name in (
        "connections",
        "invitations",
        "follow_requests",
        "sent_requests",
        "blocks",
        "mutes",
    ):
        response = client.get(reverse(f"network:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- pagination -----------------------------------------------------------------------------


def walk(client: Client, url: str) -> tuple[list[str], int]:
    """Follow "next" pages to the end; the usernames in order and how many pages."""
    seen: list[str] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += usernames(response)
        url = response.context["next_url"]
        pages += 1
    return seen, pages


def test_pages_cover_every_follower_once_in_order(client: Client):
    alice = make_account("alice")
    fans = followed_by(alice, 45)
    seen, pages = walk(client, reverse("network:followers", args=["alice"]))
    assert pages == 3
    assert seen == [f.username for f in reversed(fans)]  # newest first, no gaps or repeats


def test_an_exact_page_has_no_empty_next_page(client: Client):
    alice = make_account("alice")
    followed_by(alice, 20)
    response = client.get(reverse("network:followers", args=["alice"]))
    assert len(usernames(response)) == 20
    assert response.context["next_url"] == ""


def test_htmx_load_more_returns_just_the_rows(client: Client):
    alice = make_account("alice")
    followed_by(alice, 25)
    first = client.get(reverse("network:followers", args=["alice"]))
    response = client.get(first.context["next_url"], headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html and html.count('class="net-row"') == 5
    assert 'class="load-more"' not in html  # last page


def test_my_network_connections_paginate(client: Client):
    alice = make_account("alice")
    friends = connected_to(alice, 25)
    client.force_login(alice.user)
    response = client.get(reverse("network:connections"))
    page1 = [r.account.username for r in response.context["hub"].connections.rows]
    response = client.get(response.context["next_url"])
    page2 = [r.account.username for r in response.context["hub"].connections.rows]
    assert page1 + page2 == [f.username for f in reversed(friends)]
    assert "More connections" in response.content.decode()


# --- constant queries -----------------------------------------------------------------------


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_profile_lists_cost_the_same_for_5_or_30_rows(
    client: Client, django_assert_max_num_queries
):
    small, big = make_account("small"), make_account("big")
    viewer = make_account("viewer")
    followed_by(small, 5, "s")
    fans = followed_by(big, 30, "b")
    for fan in fans[::3]:
        actions.follow(viewer, fan)  # relationships vary across rows
    small_following = make_account("sf")
    for fan in fans[:5]:
        actions.follow(small_following, fan)
    connected_to(small, 5, "sc")
    connected_to(big, 30, "bc")
    client.force_login(viewer.user)
    for tab, small_name in (
        ("followers", "small"),
        ("following", "sf"),
        ("connections_of", "small"),
    ):
        budget = count_queries(client, reverse(f"network:{tab}", args=[small_name]))
        big_name = "big" if tab != "following" else "b00"
        if tab == "following":
            for fan in fans[1:]:
                actions.follow(fans[0], fan)
        with django_assert_max_num_queries(budget):
            response = client.get(reverse(f"network:{tab}", args=[big_name]))
        assert len(response.context["rows"]) == 20


def test_my_network_and_own_lists_cost_the_same_for_5_or_30_rows(
    client: Client, django_assert_max_num_queries
):
    small, big = make_account("small", locked=True), make_account("big", locked=True)
    for account, n in ((small, 5), (big, 30)):
        prefix = account.username
        connected_to(account, n, f"{prefix}c")
        for other in [make_account(f"{prefix}i{i:02d}") for i in range(n)]:
            actions.request_connection(other, account, note="hi")
            actions.follow(other, account)
        for i in range(n):
            other = make_account(f"{prefix}o{i:02d}")
            actions.request_connection(account, other)
            actions.block(account, make_account(f"{prefix}b{i:02d}"))
            actions.mute(account, other)
    for name in (
        "connections",
        "invitations",
        "follow_requests",
        "sent_requests",
        "blocks",
        "mutes",
    ):
        client.force_login(small.user)
        budget = count_queries(client, reverse(f"network:{name}"))
        client.force_login(big.user)
        with django_assert_max_num_queries(budget):
            response = client.get(reverse(f"network:{name}"))
        assert response.status_code == 200


# --- own pages ------------------------------------------------------------------------------


def test_my_network_hub_shows_requests_both_ways_then_connections(client: Client):
    alice = make_account("alice", locked=True)
    asker, fan, wanted, lockd = (make_account(n) for n in ("asker", "fan", "wanted", "lockd"))
    lockd.locked = True
    lockd.save()
    actions.request_connection(asker, alice, note="Loved your talk on graphs")
    actions.follow(fan, alice)
    actions.request_connection(alice, wanted)
    actions.follow(alice, lockd)
    connected_to(alice, 1, "friend_")
    client.force_login(alice.user)
    response = client.get(reverse("network:connections"))
    assert response.status_code == 200
    hub = response.context["hub"]
    assert [r.account.username for r in hub.invitations.rows] == ["asker"]
    assert [r.account.username for r in hub.follow_requests.rows] == ["fan"]
    assert [r.account.username for r in hub.sent_connection_requests.rows] == ["wanted"]
    assert [r.account.username for r in hub.sent_follow_requests.rows] == ["lockd"]
    assert [r.account.username for r in hub.connections.rows] == ["friend_00"]
    html = response.content.decode()
    for text in (
        "Invitations",
        "Loved your talk on graphs",
        "Accept",
        "Decline",
        "Approve",
        "Reject",
        "Withdraw",
        "Sent requests",
        "Connections",
    ):
        assert text in html, text
    assert 'action="/@asker/connection/accept"' in html
    assert 'action="/@fan/follow-request/approve"' in html
    assert 'action="/@wanted/connection/withdraw"' in html


def test_empty_my_network_has_an_empty_state(client: Client):
    alice = make_account("alice")
    client.force_login(alice.user)
    assert "No connections yet" in client.get(reverse("network:connections")).content.decode()


def test_accepting_from_my_network_comes_back_to_it(client: Client):
    alice, asker = make_account("alice"), make_account("asker")
    actions.request_connection(asker, alice)
    client.force_login(alice.user)
    html = client.get(reverse("network:connections")).content.decode()
    assert 'name="next" value="/network"' in html
    response = client.post("/@asker/connection/accept", {"next": "/network"}, follow=True)
    assert response.redirect_chain[-1][0] == "/network"
    assert [r.account.username for r in response.context["hub"].connections.rows] == ["asker"]
    assert "You are now connected with @asker." in response.content.decode()


def test_blocks_and_mutes_pages(client: Client):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    actions.block(alice, bob)
    actions.mute(alice, carol)
    client.force_login(alice.user)
    response = client.get(reverse("network:blocks"))
    assert usernames(response) == ["bob"]
    assert "Unblock" in response.content.decode()
    response = client.get(reverse("network:mutes"))
    assert usernames(response) == ["carol"]
    assert "Unmute @carol" in response.content.decode()
    client.force_login(carol.user)
    assert (
        "You haven&#x27;t blocked anyone" in client.get(reverse("network:blocks")).content.decode()
    )


def test_sent_and_received_request_pages(client: Client):
    alice, bob, lockd = make_account("alice"), make_account("bob"), make_account("l", locked=True)
    actions.request_connection(alice, bob, note="hello there")
    actions.follow(alice, lockd)
    client.force_login(alice.user)
    assert usernames(client.get(reverse("network:sent_requests"))) == ["bob"]
    assert usernames(client.get(reverse("network:sent_follow_requests"))) == ["l"]
    client.force_login(bob.user)
    response = client.get(reverse("network:invitations"))
    assert usernames(response) == ["alice"]
    assert "hello there" in response.content.decode()
    client.force_login(lockd.user)
    assert usernames(client.get(reverse("network:follow_requests"))) == ["alice"]
