"""Feeds through the native API: home, public, hashtag, profile; keyset paging."""

from __future__ import annotations

from typing import Any

from network import actions as network
from posts import actions
from tests.factories import make_account

V1 = "/api/plaza/v1"


def test_home_feed_pages_by_max_id(api_for: Any, run_tasks: Any) -> None:
    me, bob = make_account("me"), make_account("bob")
    with run_tasks():
        network.follow(me, bob)
        posts = [actions.publish(bob, text=f"post {i}", visibility="public") for i in range(5)]
    client = api_for(me)
    first = client.get(f"{V1}/feeds/home?limit=3").json()
    assert [p["text"] for p in first["items"]] == ["post 4", "post 3", "post 2"]
    assert first["next_max_id"] == str(posts[2].pk)
    rest = client.get(f"{V1}/feeds/home?limit=3&max_id={first['next_max_id']}").json()
    assert [p["text"] for p in rest["items"]] == ["post 1", "post 0"]
    assert rest["next_max_id"] is None
    newer = client.get(f"{V1}/feeds/home?min_id={posts[3].pk}").json()
    assert [p["text"] for p in newer["items"]] == ["post 4"]


def test_home_feed_needs_a_user(api_for: Any) -> None:
    assert api_for(False).get(f"{V1}/feeds/home").status_code == 401


def test_public_and_hashtag_feeds(api_for: Any) -> None:
    ana = make_account("ana")
    actions.publish(ana, text="About #Django", visibility="public")
    actions.publish(ana, text="Quiet #django", visibility="unlisted")
    actions.publish(ana, text="Secret #django", visibility="followers")
    anonymous = api_for(False)
    public = anonymous.get(f"{V1}/feeds/public").json()["items"]
    assert [p["text"] for p in public] == ["About #Django"]
    tagged = anonymous.get(f"{V1}/feeds/hashtag/django").json()["items"]
    assert [p["text"] for p in tagged] == ["About #Django"]
    assert anonymous.get(f"{V1}/feeds/hashtag/not-a-tag!").status_code == 404


def test_profile_feed_respects_visibility_and_tabs(api_for: Any) -> None:
    ana, fan, other = make_account("ana"), make_account("fan"), make_account("other")
    network.follow(fan, ana)
    actions.publish(ana, text="Everyone", visibility="public")
    actions.publish(ana, text="Fans", visibility="followers")
    root = actions.publish(other, text="Root", visibility="public")
    actions.publish(ana, text="A reply", visibility="public", in_reply_to=root)
    path = f"{V1}/accounts/{ana.pk}/posts"
    assert [p["text"] for p in api_for(False).get(path).json()["items"]] == ["Everyone"]
    assert [p["text"] for p in api_for(fan).get(path).json()["items"]] == ["Fans", "Everyone"]
    with_replies = api_for(fan).get(path + "?with_replies=true").json()["items"]
    assert [p["text"] for p in with_replies] == ["A reply", "Fans", "Everyone"]


def test_reshares_show_who_reshared(api_for: Any, run_tasks: Any) -> None:
    me, bob, ana = make_account("me"), make_account("bob"), make_account("ana")
    original = actions.publish(ana, text="Original", visibility="public")
    with run_tasks():
        network.follow(me, bob)
        actions.reshare(bob, original)
    item = api_for(me).get(f"{V1}/feeds/home").json()["items"][0]
    assert item["author"]["username"] == "bob"
    assert item["reshare_of"]["text"] == "Original"
    assert item["reshare_of"]["author"]["username"] == "ana"


def test_feed_queries_are_constant(
    api_for: Any, run_tasks: Any, django_assert_max_num_queries: Any
) -> None:
    me, bob = make_account("me"), make_account("bob")
    with run_tasks():
        network.follow(me, bob)
        for i in range(12):
            actions.publish(bob, text=f"post {i}", visibility="public")
    client = api_for(me)
    with django_assert_max_num_queries(40) as few:
        client.get(f"{V1}/feeds/home?limit=2")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"{V1}/feeds/home?limit=12")
