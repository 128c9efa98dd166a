"""Notifications from moderated accounts: a suspended actor's disappear for everyone (list,
unread count, both APIs) and come back when the suspension is lifted; a limited (silenced)
actor's reach only people who follow or are connected to them (or accepted them: see
test_policy.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Account
from moderation import actions as moderation
from network import actions as network
from notifications.queries import notifications_for, unread_count
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _listed(client: Client) -> str:
    html = client.get("/notifications").content.decode()
    return html.split('id="main"', 1)[1].split("</main>", 1)[0]


def _badge(client: Client) -> int:
    return int(client.get("/notifications/unread-count").json()["unread"])


def test_suspended_actors_notifications_disappear_and_come_back(run_tasks, client, staff, api_for):
    me, troll, ana = make_account("me"), make_account("troll"), make_account("ana")
    with run_tasks():
        mine = posts.publish(me, text="my post")
        posts.like(troll, mine)
        posts.publish(troll, text="hey @me")
        network.follow(ana, me)
    client.force_login(me.user)
    assert "@troll" in _listed(client) or "Troll" in _listed(client)
    assert _badge(client) == 3
    moderation.suspend(staff, troll, "Spam")
    assert "Troll" not in _listed(client) and "Ana" in _listed(client)
    assert _badge(client) == 1 and unread_count(me) == 1
    assert set(notifications_for(me).values_list("actor_id", flat=True)) == {ana.pk}
    mastodon = api_for(me).get("/api/v1/notifications").json()
    assert [n["account"]["username"] for n in mastodon] == ["ana"]
    moderation.unsuspend(staff, troll, "Appeal granted")
    assert _badge(client) == 3 and "Troll" in _listed(client)


def test_limited_actors_reach_only_followers_and_connections(run_tasks, client, staff):
    loud = make_account("loud")
    stranger, follower, friend = make_account("stranger"), make_account("fan"), make_account("pal")
    with run_tasks():
        network.follow(follower, loud)
        network.request_connection(friend, loud)
        network.accept_connection(loud, friend)
    moderation.limit(staff, loud, "Borderline harassment")
    with run_tasks():
        for someone in (stranger, follower, friend):
            posts.like(loud, posts.publish(someone, text=f"post by {someone.username}"))
    # pal also has loud's "connection accepted" from before the limit.
    for someone, expected in ((stranger, 0), (follower, 1), (friend, 2)):
        client.force_login(someone.user)
        assert _badge(client) == expected, someone.username
        assert ("Loud" in _listed(client)) == bool(expected), someone.username
    # The stranger's like came while loud was limited: their notification policy (default:
    # filter limited accounts) put it aside as a request, where it stays after the limit is
    # lifted (as in Mastodon) until they accept it.
    moderation.unlimit(staff, loud, "Behaving now")
    client.force_login(stranger.user)
    assert _badge(client) == 0 and "Loud" not in _listed(client)
    assert "Loud" in client.get("/notifications/requests").content.decode()


def test_unread_count_stays_one_query(run_tasks, staff, django_assert_num_queries):
    me, troll = make_account("me"), make_account("troll")
    with run_tasks():
        posts.like(troll, posts.publish(me, text="x"))
    moderation.limit(staff, troll, "Spam")
    me = Account.objects.get(pk=me.pk)
    with django_assert_num_queries(1):
        assert unread_count(me) == 0
