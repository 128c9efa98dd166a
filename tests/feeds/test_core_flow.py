"""The core write → fan-out → read path, end to end through actions and queries."""

from __future__ import annotations

import pytest

from feeds.queries import PageRange, home_feed
from network import actions as network
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_followers_see_posts_in_home_feed(run_tasks):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    with run_tasks():
        network.follow(bob, alice)
        post = posts.publish(alice, text="Hello #plaza")
    assert [p.pk for p in home_feed(bob).posts] == [post.pk]
    assert [p.pk for p in home_feed(alice).posts] == [post.pk]
    assert home_feed(carol).posts == []


def test_followers_only_post_reaches_followers_and_connections_not_others(run_tasks):
    alice, fan, friend, stranger = (make_account(n) for n in ("alice", "fan", "friend", "stranger"))
    with run_tasks():
        network.follow(fan, alice)
        network.request_connection(friend, alice)
        network.accept_connection(alice, friend)
        f_post = posts.publish(alice, text="followers", visibility="followers")
        c_post = posts.publish(alice, text="connections", visibility="connections")
    assert [p.pk for p in home_feed(fan).posts] == [f_post.pk]
    assert [p.pk for p in home_feed(friend).posts] == [c_post.pk, f_post.pk]
    assert home_feed(stranger).posts == []


def test_unfollow_and_block_remove_posts(run_tasks):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        network.follow(bob, alice)
        posts.publish(alice, text="one")
    assert len(home_feed(bob).posts) == 1
    with run_tasks():
        network.unfollow(bob, alice)
    assert home_feed(bob).posts == []
    with run_tasks():
        network.follow(bob, alice)
    assert len(home_feed(bob).posts) == 1  # backfilled
    with run_tasks():
        network.block(alice, bob)
    assert home_feed(bob).posts == []


def test_keyset_pages_cover_everything_once(run_tasks):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        network.follow(bob, alice)
        made = [posts.publish(alice, text=f"post {i}").pk for i in range(7)]
    seen: list[int] = []
    page = home_feed(bob, PageRange(limit=3))
    seen += [p.pk for p in page.posts]
    while page.next_max_id:
        page = home_feed(bob, PageRange(max_id=page.next_max_id, limit=3))
        seen += [p.pk for p in page.posts]
    assert seen == sorted(made, reverse=True)
