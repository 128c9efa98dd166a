"""Follows, connections, blocks and mutes through the native API."""

from __future__ import annotations

from typing import Any

from network import actions
from network.queries import is_connected, is_following
from tests.factories import make_account

V1 = "/api/plaza/v1"


def test_connection_request_with_note_then_accept(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    as_ana, as_bob = api_for(ana), api_for(bob)

    response = as_ana.post_json(
        f"{V1}/connections/requests", {"account_id": str(bob.pk), "note": "We met at PyCon"}
    )
    assert response.status_code == 200
    assert response.json()["result"] == "requested"
    assert response.json()["relationship"]["connection_requested"] is True

    sent = as_ana.get(f"{V1}/connections/requests/sent").json()
    assert [row["account"]["username"] for row in sent["items"]] == ["bob"]
    received = as_bob.get(f"{V1}/connections/requests/received").json()
    assert received["items"][0]["account"]["username"] == "ana"
    assert received["items"][0]["note"] == "We met at PyCon"
    assert received["items"][0]["relationship"]["connection_requested_by"] is True

    response = as_bob.post(f"{V1}/connections/requests/{ana.pk}/accept")
    assert response.status_code == 200
    assert response.json()["connected"] is True
    assert is_connected(ana, bob)

    mine = as_ana.get(f"{V1}/connections").json()
    assert [row["account"]["id"] for row in mine["items"]] == [str(bob.pk)]
    assert mine["next_max_id"] is None
    theirs = api_for(False).get(f"{V1}/accounts/{bob.pk}/connections").json()
    assert [row["account"]["username"] for row in theirs["items"]] == ["ana"]

    response = as_ana.delete(f"{V1}/connections/{bob.pk}")
    assert response.status_code == 200
    assert response.json()["connected"] is False
    assert not is_connected(ana, bob)


def test_requesting_back_connects_at_once(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    actions.request_connection(bob, ana)
    response = api_for(ana).post_json(f"{V1}/connections/requests", {"account_id": str(bob.pk)})
    assert response.json()["result"] == "connected"


def test_decline_and_withdraw(api_for: Any) -> None:
    ana, bob, cy = make_account("ana"), make_account("bob"), make_account("cy")
    actions.request_connection(ana, bob)
    actions.request_connection(ana, cy)
    response = api_for(bob).post(f"{V1}/connections/requests/{ana.pk}/decline")
    assert response.status_code == 200
    assert response.json()["connection_requested_by"] is False
    # Declining twice: there is no such request any more.
    again = api_for(bob).post(f"{V1}/connections/requests/{ana.pk}/decline")
    assert again.status_code == 404
    response = api_for(ana).delete(f"{V1}/connections/requests/{cy.pk}")
    assert response.status_code == 200
    assert response.json()["connection_requested"] is False
    assert api_for(cy).get(f"{V1}/connections/requests/received").json()["items"] == []


def test_accepting_a_request_nobody_sent_is_404(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    response = api_for(ana).post(f"{V1}/connections/requests/{bob.pk}/accept")
    assert response.status_code == 404
    assert not is_connected(ana, bob)


def test_bad_connection_requests(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    client = api_for(ana)
    assert client.post_json(f"{V1}/connections/requests", {}).status_code == 422
    assert client.post_json(f"{V1}/connections/requests", {"account_id": "nope"}).status_code == 404
    too_long = client.post_json(
        f"{V1}/connections/requests", {"account_id": str(bob.pk), "note": "x" * 301}
    )
    assert too_long.status_code == 422
    assert "300" in too_long.json()["error"]
    myself = client.post_json(f"{V1}/connections/requests", {"account_id": str(ana.pk)})
    assert myself.status_code == 422
    assert api_for(bob).get(f"{V1}/connections/requests/received").json()["items"] == []


def test_locked_account_lists_are_private(api_for: Any) -> None:
    owner = make_account("owner", locked=True)
    friend, stranger = make_account("friend"), make_account("stranger")
    actions.request_connection(friend, owner)
    actions.accept_connection(owner, friend)
    for who, status in ((None, 403), (stranger, 403), (friend, 200), (owner, 200)):
        client = api_for(who) if who else api_for(False)
        response = client.get(f"{V1}/accounts/{owner.pk}/connections")
        assert response.status_code == status, who
        if status == 403:
            assert "error" in response.json()


def test_follow_unfollow_and_follow_requests(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob", locked=True)
    as_ana, as_bob = api_for(ana), api_for(bob)
    response = as_ana.post_json(f"{V1}/accounts/{bob.pk}/follow", {"notify": True})
    assert response.json()["result"] == "requested"
    assert as_ana.get(f"{V1}/follow-requests/sent").json()["items"][0]["account"]["id"] == str(
        bob.pk
    )
    pending = as_bob.get(f"{V1}/follow-requests/received").json()["items"]
    assert [row["account"]["username"] for row in pending] == ["ana"]
    assert as_bob.post(f"{V1}/follow-requests/{ana.pk}/approve").json()["followed_by"] is True
    assert is_following(ana, bob)
    followers = as_ana.get(f"{V1}/accounts/{bob.pk}/followers").json()["items"]
    assert [row["account"]["username"] for row in followers] == ["ana"]
    assert as_ana.delete(f"{V1}/accounts/{bob.pk}/follow").json()["following"] is False
    assert not is_following(ana, bob)


def test_reject_follow_request_and_remove_follower(api_for: Any) -> None:
    ana, bob, cy = make_account("ana"), make_account("bob", locked=True), make_account("cy")
    actions.follow(ana, bob)
    assert api_for(bob).post(f"{V1}/follow-requests/{ana.pk}/reject").status_code == 200
    assert api_for(bob).post(f"{V1}/follow-requests/{ana.pk}/reject").status_code == 404
    actions.follow(bob, cy)
    assert api_for(cy).delete(f"{V1}/accounts/{bob.pk}/follower").status_code == 200
    assert not is_following(bob, cy)


def test_block_hides_the_account_and_cuts_ties(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    actions.follow(ana, bob)
    as_ana, as_bob = api_for(ana), api_for(bob)
    response = as_bob.post(f"{V1}/accounts/{ana.pk}/block")
    assert response.json()["blocking"] is True
    assert not is_following(ana, bob)
    # The blocked account no longer finds the blocker, and can't follow or connect.
    assert as_ana.get(f"{V1}/accounts/{bob.pk}").status_code == 404
    assert as_ana.get(f"{V1}/accounts/by-username/bob").status_code == 404
    assert as_ana.get(f"{V1}/accounts/{bob.pk}/posts").status_code == 404
    assert as_ana.post_json(f"{V1}/accounts/{bob.pk}/follow").status_code == 403
    connect = as_ana.post_json(f"{V1}/connections/requests", {"account_id": str(bob.pk)})
    assert connect.status_code == 403
    assert [r["account"]["username"] for r in as_bob.get(f"{V1}/blocks").json()["items"]] == ["ana"]
    assert as_bob.delete(f"{V1}/accounts/{ana.pk}/block").json()["blocking"] is False
    assert as_bob.get(f"{V1}/blocks").json()["items"] == []


def test_mute_and_unmute(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    client = api_for(ana)
    assert client.post_json(f"{V1}/accounts/{bob.pk}/mute", {"notifications": False}).json()[
        "muting"
    ]
    assert [r["account"]["username"] for r in client.get(f"{V1}/mutes").json()["items"]] == ["bob"]
    assert client.delete(f"{V1}/accounts/{bob.pk}/mute").json()["muting"] is False
    assert client.post_json(f"{V1}/accounts/{ana.pk}/mute").status_code == 422


def test_relationships(api_for: Any) -> None:
    ana, bob, cy = make_account("ana"), make_account("bob"), make_account("cy")
    actions.follow(ana, bob)
    response = api_for(ana).get(f"{V1}/relationships?id={bob.pk}&id={cy.pk}&id=zzz")
    rels = {r["id"]: r for r in response.json()}
    assert rels[str(bob.pk)]["following"] is True
    assert rels[str(cy.pk)]["following"] is False
    assert api_for(ana).get(f"{V1}/relationships").status_code == 422


def test_lists_page_by_max_id_in_constant_queries(
    api_for: Any, django_assert_max_num_queries: Any
) -> None:
    me = make_account("me")
    for i in range(7):
        actions.follow(make_account(f"fan{i}"), me)
    client = api_for(me)
    first = client.get(f"{V1}/accounts/{me.pk}/followers?limit=4").json()
    assert len(first["items"]) == 4 and first["next_max_id"]
    rest = client.get(f"{V1}/accounts/{me.pk}/followers?limit=4&max_id={first['next_max_id']}")
    names = [r["account"]["username"] for r in first["items"] + rest.json()["items"]]
    assert sorted(names) == sorted(f"fan{i}" for i in range(7))
    assert rest.json()["next_max_id"] is None
    with django_assert_max_num_queries(20) as small:
        client.get(f"{V1}/accounts/{me.pk}/followers?limit=2")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(f"{V1}/accounts/{me.pk}/followers?limit=7")
