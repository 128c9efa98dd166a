"""Notifications through the native API."""

from __future__ import annotations

from typing import Any

from network import actions as network
from posts import actions
from tests.factories import make_account

V1 = "/api/plaza/v1"


def test_list_count_and_mark_read(api_for: Any) -> None:
    me, bob = make_account("me"), make_account("bob")
    network.request_connection(bob, me, note="hi")
    post = actions.publish(me, text="Mine", visibility="public")
    actions.like(bob, post)
    client = api_for(me)
    page = client.get(f"{V1}/notifications").json()
    assert [n["kind"] for n in page["items"]] == ["like", "connection_request"]
    assert page["items"][0]["post_id"] == str(post.pk)
    assert page["items"][0]["actor"]["username"] == "bob"
    assert client.get(f"{V1}/notifications/unread-count").json() == {"count": 2}
    oldest = page["items"][1]["id"]
    marked = client.post_json(f"{V1}/notifications/read", {"up_to_id": oldest}).json()
    assert marked == {"marked": 1, "unread": 1}
    assert client.post_json(f"{V1}/notifications/read").json() == {"marked": 1, "unread": 0}
    assert all(n["read"] for n in client.get(f"{V1}/notifications").json()["items"])


def test_mentions_only_and_paging(api_for: Any) -> None:
    me = make_account("me")
    for i in range(3):
        actions.publish(make_account(f"p{i}"), text=f"hey @me {i}", visibility="public")
    network.follow(make_account("fan"), me)
    client = api_for(me)
    mentions = client.get(f"{V1}/notifications?mentions_only=true").json()["items"]
    assert {n["kind"] for n in mentions} == {"mention"} and len(mentions) == 3
    first = client.get(f"{V1}/notifications?limit=2").json()
    assert len(first["items"]) == 2 and first["next_max_id"]
    rest = client.get(f"{V1}/notifications?limit=2&max_id={first['next_max_id']}").json()
    assert len(rest["items"]) == 2


def test_notifications_are_private(api_for: Any) -> None:
    me, bob = make_account("me"), make_account("bob")
    network.follow(bob, me)
    assert api_for(bob).get(f"{V1}/notifications").json()["items"] == []
    assert api_for(False).get(f"{V1}/notifications").status_code == 401
    assert api_for(bob, scopes="read:statuses").get(f"{V1}/notifications").status_code == 403
    bad = api_for(me).post_json(f"{V1}/notifications/read", {"up_to_id": "x"})
    assert bad.status_code == 422
