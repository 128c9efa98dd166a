"""Mastodon API: lists, their accounts, the accounts' lists and the list timeline."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lists.actions import MAX_LISTS
from lists.models import List, ListMember
from network.actions import block, follow, mute, unfollow
from posts.actions import publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def links(response: Any) -> dict[str, str]:
    found = re.findall(r'<([^>]+)>; rel="(\w+)"', response.get("Link", ""))
    return {rel: url.split("/", 3)[3] for url, rel in found}


@pytest.fixture
def alice_bob_carol(run_tasks):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    with run_tasks():
        follow(alice, bob)
        follow(alice, carol)
    return alice, bob, carol


def test_create_read_update_delete(api_for):
    alice = make_account("alice")
    api = api_for(alice)
    response = api.post("/api/v1/lists", {"title": "ham burglars"})
    assert response.status_code == 200
    created = response.json()
    assert created == {
        "id": created["id"],
        "title": "ham burglars",
        "replies_policy": "list",
        "exclusive": False,
    }
    assert api.get("/api/v1/lists").json() == [created]
    assert api.get(f"/api/v1/lists/{created['id']}").json() == created
    changed = api.put_json(
        f"/api/v1/lists/{created['id']}",
        {"title": "fry kids", "replies_policy": "none", "exclusive": True},
    ).json()
    assert changed == {**created, "title": "fry kids", "replies_policy": "none", "exclusive": True}
    # a form PUT, only the title: the options stay
    changed = api.put(
        f"/api/v1/lists/{created['id']}",
        "title=Fry",
        content_type="application/x-www-form-urlencoded",
    ).json()
    assert changed["title"] == "Fry" and changed["exclusive"] is True
    assert api.delete(f"/api/v1/lists/{created['id']}").json() == {}
    assert api.get("/api/v1/lists").json() == []
    assert api.get(f"/api/v1/lists/{created['id']}").status_code == 404


def test_bad_input_and_other_peoples_lists(api_for):
    alice, mallory = make_account("alice"), make_account("mallory")
    api = api_for(alice)
    for body in (
        {},
        {"title": "  "},
        {"title": "x", "replies_policy": "everyone"},
        {"title": ["x", "y"], "exclusive": "maybe"},
    ):
        response = api.post_json("/api/v1/lists", body)
        assert response.status_code == 422, body
        assert "error" in response.json()
    assert api.post_json("/api/v1/lists", {"title": "x" * 101}).status_code == 422
    assert List.objects.count() == 0
    lst = api.post_json("/api/v1/lists", {"title": "mine"}).json()
    other = api_for(mallory)
    for method in ("get", "delete"):
        response = getattr(other, method)(f"/api/v1/lists/{lst['id']}")
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found"}
    assert other.put_json(f"/api/v1/lists/{lst['id']}", {"title": "pwned"}).status_code == 404
    assert other.get(f"/api/v1/lists/{lst['id']}/accounts").status_code == 404
    assert other.get(f"/api/v1/timelines/list/{lst['id']}").status_code == 404
    assert api.get("/api/v1/lists/notanumber").status_code == 404
    assert api.get("/api/v1/lists/99999999999999999999999").status_code == 404
    assert api.put_json(f"/api/v1/lists/{lst['id']}", {"title": ""}).status_code == 422
    assert List.objects.get().title == "mine"


def test_scopes(api_for):
    alice = make_account("alice")
    assert api_for(alice, scopes="read:lists").get("/api/v1/lists").status_code == 200
    assert api_for(alice, scopes="read:statuses").get("/api/v1/lists").status_code == 403
    assert api_for(alice, scopes="read").post("/api/v1/lists", {"title": "x"}).status_code == 403
    assert (
        api_for(alice, scopes="write:lists").post("/api/v1/lists", {"title": "x"}).status_code
        == 200
    )
    assert api_for(False).get("/api/v1/lists").status_code == 401


def test_at_most_fifty_lists(api_for):
    alice = make_account("alice")
    List.objects.bulk_create([List(owner=alice, title=f"l{i}") for i in range(MAX_LISTS)])
    response = api_for(alice).post("/api/v1/lists", {"title": "one more"})
    assert response.status_code == 422


def test_members_only_followed_and_unfollow_removes(api_for, alice_bob_carol, run_tasks):
    alice, bob, carol = alice_bob_carol
    stranger = make_account("dave")
    api = api_for(alice)
    lst = api.post("/api/v1/lists", {"title": "friends"}).json()
    url = f"/api/v1/lists/{lst['id']}/accounts"
    assert api.post(url, {"account_ids[]": [str(bob.pk)]}).json() == {}
    # again: no error, no duplicate
    assert api.post_json(url, {"account_ids": [str(bob.pk)]}).status_code == 200
    assert [a["id"] for a in api.get(url).json()] == [str(bob.pk)]
    # all or nothing: a stranger in the batch adds no one
    response = api.post(url, {"account_ids[]": [str(carol.pk), str(stranger.pk)]})
    assert response.status_code == 422
    assert "follow" in response.json()["error"]
    assert api.post(url, {"account_ids[]": ["424242"]}).status_code == 404
    assert api.post(url, {"account_ids[]": ["abc"]}).status_code == 404
    assert api.post(url, {}).status_code == 422
    assert [a["id"] for a in api.get(url).json()] == [str(bob.pk)]
    assert api.get(f"/api/v1/accounts/{bob.pk}/lists").json() == [lst]
    assert api.get(f"/api/v1/accounts/{carol.pk}/lists").json() == []
    assert api.get("/api/v1/accounts/424242/lists").status_code == 404
    with run_tasks():
        unfollow(alice, bob)
    assert api.get(url).json() == []
    with run_tasks():
        follow(alice, bob)
    api.post(url, {"account_ids[]": [str(bob.pk), str(carol.pk)]})
    with run_tasks():
        block(carol, alice)  # a block cuts the follow, so the membership
    assert [a["id"] for a in api.get(url).json()] == [str(bob.pk)]
    response = api.delete(
        url, f"account_ids[]={bob.pk}", content_type="application/x-www-form-urlencoded"
    )
    assert response.json() == {}
    assert api.get(url).json() == []


def test_member_pages_and_limit_zero(api_for, run_tasks):
    alice = make_account("alice")
    people = [make_account(f"p{i}") for i in range(7)]
    with run_tasks():
        for p in people:
            follow(alice, p)
    api = api_for(alice)
    lst = api.post("/api/v1/lists", {"title": "many"}).json()
    url = f"/api/v1/lists/{lst['id']}/accounts"
    api.post_json(url, {"account_ids": [str(p.pk) for p in people]})
    assert len(api.get(f"{url}?limit=0").json()) == 7
    seen: list[str] = []
    page = f"{url}?limit=3"
    while page:
        response = api.get("/" + page.lstrip("/"))
        seen += [a["id"] for a in response.json()]
        page = links(response).get("next", "")
    assert sorted(seen) == sorted(str(p.pk) for p in people)
    assert len(seen) == 7


def test_list_timeline(api_for, alice_bob_carol, run_tasks):
    alice, bob, carol = alice_bob_carol
    dave = make_account("dave")
    api = api_for(alice)
    lst = api.post("/api/v1/lists", {"title": "bob"}).json()
    api.post(f"/api/v1/lists/{lst['id']}/accounts", {"account_ids[]": [str(bob.pk)]})
    with run_tasks():
        p1 = publish(bob, text="public")
        p2 = publish(bob, text="followers", visibility="followers")
        publish(carol, text="not in the list")
        publish(bob, text="dm", visibility="direct")
        to_carol = publish(bob, text="reply to carol", in_reply_to=publish(carol, text="c"))
        to_dave = publish(bob, text="reply to dave", in_reply_to=publish(dave, text="d"))
        thread = publish(bob, text="thread", in_reply_to=p1)
    url = f"/api/v1/timelines/list/{lst['id']}"
    ids = [s["id"] for s in api.get(url).json()]
    assert ids == [str(thread.pk), str(p2.pk), str(p1.pk)]  # policy "list": no replies to others
    api.put_json(f"/api/v1/lists/{lst['id']}", {"replies_policy": "followed"})
    ids = [s["id"] for s in api.get(url).json()]
    assert ids == [str(thread.pk), str(to_carol.pk), str(p2.pk), str(p1.pk)]
    assert str(to_dave.pk) not in ids
    api.put_json(f"/api/v1/lists/{lst['id']}", {"replies_policy": "none"})
    assert [s["id"] for s in api.get(url).json()] == [str(thread.pk), str(p2.pk), str(p1.pk)]
    # paging
    response = api.get(f"{url}?limit=2")
    assert len(response.json()) == 2
    nxt = links(response)["next"]
    assert [s["id"] for s in api.get("/" + nxt).json()] == [str(p1.pk)]
    assert [s["id"] for s in api.get(f"{url}?min_id={p1.pk}&limit=1").json()] == [str(p2.pk)]
    assert [s["id"] for s in api.get(f"{url}?since_id={p2.pk}").json()] == [str(thread.pk)]
    # muted members vanish, as in the home feed
    with run_tasks():
        mute(alice, bob)
    assert api.get(url).json() == []


def test_list_timeline_queries_constant(api_for, run_tasks, django_assert_max_num_queries):
    alice = make_account("alice")
    people = [make_account(f"p{i}") for i in range(6)]
    with run_tasks():
        for p in people:
            follow(alice, p)
    api = api_for(alice)
    lst = api.post("/api/v1/lists", {"title": "many"}).json()
    api.post_json(
        f"/api/v1/lists/{lst['id']}/accounts", {"account_ids": [str(p.pk) for p in people]}
    )
    url = f"/api/v1/timelines/list/{lst['id']}?limit=40"
    with run_tasks():
        for p in people[:2]:
            publish(p, text="a")
    with django_assert_max_num_queries(30) as few:
        assert len(api.get(url).json()) == 2
    with run_tasks():
        for p in people:
            for i in range(5):
                publish(p, text=f"#tag {i} @p1")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(url).json()) == 32
    assert ListMember.objects.count() == 6
