"""Mastodon API: follow, block, mute, endorse; relationships; followers/following, follow
requests, blocks, mutes and endorsements lists with Link paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Account
from network import actions as network_actions
from network import queries as network_queries
from network.models import Block, Follow, FollowRequest, Mute
from notifications.models import Notification
from tests.factories import make_account
from tests.mastodon.conftest import Api
from tests.mastodon.test_accounts import links

pytestmark = pytest.mark.django_db
ApiFor = Callable[..., Api]


def usernames(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [a["username"] for a in response.json()]


def walk(api: Api, url: str) -> list[str]:
    """Every username of a list, following rel="next" links page by page."""
    seen: list[str] = []
    next_url: str | None = url
    pages = 0
    while next_url:
        response = api.get(next_url)
        seen += usernames(response)
        next_url = links(response).get("next")
        pages += 1
        assert pages < 50
    return seen


# --- follow / unfollow ----------------------------------------------------------------------


def test_follow_and_unfollow(api_for: ApiFor) -> None:
    me, ada = make_account("me"), make_account("ada")
    api = api_for(me)
    rel = api.post(f"/api/v1/accounts/{ada.pk}/follow").json()
    assert rel["id"] == str(ada.pk)
    assert rel["following"] is True and rel["showing_reblogs"] is True
    assert rel["notifying"] is False and rel["requested"] is False
    assert rel["plaza"] == {
        "connected": False,
        "connection_requested": False,
        "connection_requested_by": False,
    }
    assert network_queries.is_following(me, ada)
    # Options update an existing follow; options left out keep their value.
    rel = api.post_json(f"/api/v1/accounts/{ada.pk}/follow", {"reblogs": False}).json()
    assert rel["showing_reblogs"] is False and rel["following"] is True
    rel = api.post(f"/api/v1/accounts/{ada.pk}/follow", {"notify": "true"}).json()
    assert rel["showing_reblogs"] is False and rel["notifying"] is True
    assert Follow.objects.filter(follower=me, target=ada).count() == 1
    rel = api.post(f"/api/v1/accounts/{ada.pk}/unfollow").json()
    assert rel["following"] is False and rel["showing_reblogs"] is False
    assert not network_queries.is_following(me, ada)
    # Idempotent.
    assert api.post(f"/api/v1/accounts/{ada.pk}/unfollow").status_code == 200


def test_follow_a_locked_account_is_a_request(api_for: ApiFor) -> None:
    me, lock = make_account("me"), make_account("lock", locked=True)
    rel = api_for(me).post(f"/api/v1/accounts/{lock.pk}/follow", {"reblogs": "false"}).json()
    assert rel["requested"] is True and rel["following"] is False
    assert FollowRequest.objects.filter(requester=me, target=lock, show_reshares=False).exists()
    # The owner sees it and the requester's side of the relationship.
    owner = api_for(lock)
    assert usernames(owner.get("/api/v1/follow_requests")) == ["me"]
    rels = owner.get("/api/v1/accounts/relationships", {"id[]": [me.pk]}).json()
    assert rels[0]["requested_by"] is True
    assert (
        owner.get("/api/v1/accounts/verify_credentials").json()["source"]["follow_requests_count"]
        == 1
    )


def test_following_someone_who_blocked_you_is_refused_and_writes_nothing(
    api_for: ApiFor,
) -> None:
    me, ada = make_account("me"), make_account("ada")
    network_actions.block(ada, me)
    before = Notification.objects.count()
    response = api_for(me).post(f"/api/v1/accounts/{ada.pk}/follow")
    assert response.status_code == 403
    assert "error" in response.json()
    assert not Follow.objects.filter(follower=me).exists()
    assert not FollowRequest.objects.filter(requester=me).exists()
    assert Notification.objects.count() == before
    me.refresh_from_db()
    assert me.following_count == 0


@pytest.mark.parametrize("bad", ["4242", "nope", "1e3", "99999999999999999999999"])
@pytest.mark.parametrize(
    "action", ["follow", "unfollow", "block", "unblock", "mute", "unmute", "pin", "unpin"]
)
def test_actions_on_unknown_ids_are_404(api_for: ApiFor, bad: str, action: str) -> None:
    me = make_account("me")
    response = api_for(me).post(f"/api/v1/accounts/{bad}/{action}")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_acting_on_yourself_is_422(api_for: ApiFor) -> None:
    me = make_account("me")
    api = api_for(me)
    for action in ("follow", "block", "mute", "pin"):
        response = api.post(f"/api/v1/accounts/{me.pk}/{action}")
        assert response.status_code == 422, action
        assert "error" in response.json()


def test_bad_option_types_are_422_and_write_nothing(api_for: ApiFor) -> None:
    me, ada = make_account("me"), make_account("ada")
    api = api_for(me)
    assert api.post(f"/api/v1/accounts/{ada.pk}/follow", {"reblogs": "sure"}).status_code == 422
    assert api.post(f"/api/v1/accounts/{ada.pk}/mute", {"duration": "forever"}).status_code == 422
    assert api.post_json(f"/api/v1/accounts/{ada.pk}/mute", {"notifications": "x"}).status_code == (
        422
    )
    assert not Follow.objects.exists() and not Mute.objects.exists()


def test_scopes(api_for: ApiFor) -> None:
    me, ada = make_account("me"), make_account("ada")
    read_only = api_for(me, "read")
    for action in ("follow", "unfollow", "block", "mute", "pin", "remove_from_followers"):
        response = read_only.post(f"/api/v1/accounts/{ada.pk}/{action}")
        assert response.status_code == 403, action
        assert response.json() == {"error": "This action is outside the authorized scopes"}
    assert not Follow.objects.exists() and not Block.objects.exists()
    assert api_for(me, "write:follows").post(f"/api/v1/accounts/{ada.pk}/follow").status_code == 200
    # The legacy "follow" scope covers follows, blocks and mutes.
    assert api_for(me, "follow").post(f"/api/v1/accounts/{ada.pk}/mute").status_code == 200
    assert api_for(me, "write:blocks").post(f"/api/v1/accounts/{ada.pk}/follow").status_code == 403
    assert api_for(me, "write:follows").post(f"/api/v1/accounts/{ada.pk}/block").status_code == 403
    assert api_for(False).post(f"/api/v1/accounts/{ada.pk}/follow").status_code == 401
    assert api_for(None).post(f"/api/v1/accounts/{ada.pk}/follow").status_code == 422
    for url, scope in (
        ("/api/v1/follow_requests", "read:follows"),
        ("/api/v1/blocks", "read:blocks"),
        ("/api/v1/mutes", "read:mutes"),
        ("/api/v1/endorsements", "read:accounts"),
        (f"/api/v1/accounts/relationships?id[]={ada.pk}", "read:follows"),
        (f"/api/v1/accounts/familiar_followers?id[]={ada.pk}", "read:follows"),
    ):
        assert api_for(me, scope).get(url).status_code == 200, url
        assert api_for(me, "read:statuses").get(url).status_code == 403, url
        assert api_for(me, "write").get(url).status_code == 403, url


# --- block / mute / remove follower ---------------------------------------------------------


def test_block_and_unblock(api_for: ApiFor) -> None:
    me, ada = make_account("me"), make_account("ada")
    network_actions.follow(me, ada)
    network_actions.follow(ada, me)
    api = api_for(me)
    rel = api.post(f"/api/v1/accounts/{ada.pk}/block").json()
    assert rel["blocking"] is True and rel["following"] is False and rel["followed_by"] is False
    their_view = api_for(ada).get("/api/v1/accounts/relationships", {"id[]": me.pk}).json()
    assert their_view[0]["blocked_by"] is True
    assert usernames(api.get("/api/v1/blocks")) == ["ada"]
    rel = api.post(f"/api/v1/accounts/{ada.pk}/unblock").json()
    assert rel["blocking"] is False
    assert usernames(api.get("/api/v1/blocks")) == []


def test_mute_with_and_without_notifications(api_for: ApiFor) -> None:
    me, ada = make_account("me"), make_account("ada")
    api = api_for(me)
    rel = api.post(f"/api/v1/accounts/{ada.pk}/mute", {"duration": "3600"}).json()
    assert rel["muting"] is True and rel["muting_notifications"] is True
    rel = api.post_json(f"/api/v1/accounts/{ada.pk}/mute", {"notifications": False}).json()
    assert rel["muting"] is True and rel["muting_notifications"] is False
    assert usernames(api.get("/api/v1/mutes")) == ["ada"]
    rel = api.post(f"/api/v1/accounts/{ada.pk}/unmute").json()
    assert rel["muting"] is False
    assert usernames(api.get("/api/v1/mutes")) == []


def test_remove_from_followers(api_for: ApiFor) -> None:
    me, fan = make_account("me"), make_account("fan")
    network_actions.follow(fan, me)
    rel = api_for(me).post(f"/api/v1/accounts/{fan.pk}/remove_from_followers").json()
    assert rel["followed_by"] is False
    assert not network_queries.is_following(fan, me)


# --- endorsements ---------------------------------------------------------------------------


def test_pin_unpin_and_endorsements(api_for: ApiFor) -> None:
    me, ada, bob = make_account("me"), make_account("ada"), make_account("bob")
    api = api_for(me)
    refused = api.post(f"/api/v1/accounts/{ada.pk}/pin")
    assert refused.status_code == 422 and "following" in refused.json()["error"]
    network_actions.follow(me, ada)
    network_actions.follow(me, bob)
    assert api.post(f"/api/v1/accounts/{ada.pk}/pin").json()["endorsed"] is True
    assert api.post(f"/api/v1/accounts/{ada.pk}/pin").json()["endorsed"] is True  # idempotent
    api.post(f"/api/v1/accounts/{bob.pk}/pin")
    assert usernames(api.get("/api/v1/endorsements")) == ["bob", "ada"]
    rels = api.get("/api/v1/accounts/relationships", {"id[]": [ada.pk, bob.pk]}).json()
    assert [r["endorsed"] for r in rels] == [True, True]
    assert api.post(f"/api/v1/accounts/{bob.pk}/unpin").json()["endorsed"] is False
    # Unfollowing (or a block, which cuts the follow) ends the feature.
    network_actions.unfollow(me, ada)
    assert usernames(api.get("/api/v1/endorsements")) == []
    assert api_for(me, "read").post(f"/api/v1/accounts/{ada.pk}/pin").status_code == 403


# --- relationships / familiar followers ---------------------------------------------------------


def test_relationships(api_for: ApiFor) -> None:
    me, ada, bob = make_account("me"), make_account("ada"), make_account("bob")
    network_actions.follow(me, ada)
    network_actions.request_connection(bob, me)
    api = api_for(me)
    body = api.get(
        "/api/v1/accounts/relationships",
        {
            "id[]": [str(bob.pk), str(ada.pk), "424242", "junk", str(ada.pk)],
            "with_suspended": "true",
        },
    ).json()
    assert [r["id"] for r in body] == [str(bob.pk), str(ada.pk)]
    assert body[1]["following"] is True
    assert body[0]["plaza"]["connection_requested_by"] is True
    single = api.get(f"/api/v1/accounts/relationships?id={ada.pk}").json()
    assert [r["id"] for r in single] == [str(ada.pk)]
    assert api.get("/api/v1/accounts/relationships").json() == []
    assert api_for(False).get("/api/v1/accounts/relationships").status_code == 401


def test_familiar_followers(api_for: ApiFor) -> None:
    me, target, other = make_account("me"), make_account("target"), make_account("other")
    friend, stranger, hidden = make_account("friend"), make_account("stranger"), make_account("x")
    for follower in (friend, stranger, hidden):
        network_actions.follow(follower, target)
    network_actions.follow(me, friend)
    network_actions.follow(me, hidden)
    network_actions.block(hidden, me)  # cuts my follow, and hides them anyway
    body = (
        api_for(me)
        .get(
            "/api/v1/accounts/familiar_followers", {"id[]": [str(target.pk), str(other.pk), "bad"]}
        )
        .json()
    )
    assert body == [
        {"id": str(target.pk), "accounts": [body[0]["accounts"][0]]},
        {"id": str(other.pk), "accounts": []},
    ]
    assert body[0]["accounts"][0]["username"] == "friend"


# --- followers / following lists ------------------------------------------------------------


def followed_by(target: Account, n: int, prefix: str = "fan") -> list[Account]:
    fans = [make_account(f"{prefix}{i:02d}") for i in range(n)]
    for fan in fans:
        network_actions.follow(fan, target)
    return fans


def test_followers_and_following_paging_without_gaps(api_for: ApiFor) -> None:
    star = make_account("star")
    fans = followed_by(star, 7)
    expected = [f.username for f in reversed(fans)]
    api = api_for(False)
    assert walk(api, f"/api/v1/accounts/{star.pk}/followers?limit=3") == expected
    assert walk(api, f"/api/v1/accounts/{star.pk}/followers") == expected
    first = api.get(f"/api/v1/accounts/{star.pk}/followers?limit=3")
    assert 'rel="prev"' in first["Link"] and 'rel="next"' in first["Link"]
    second = api.get(links(first)["next"])
    assert usernames(api.get(links(second)["prev"])) == expected[:3]
    fan = fans[0]
    for target in fans[1:4]:
        network_actions.follow(fan, target)
    following = walk(api, f"/api/v1/accounts/{fan.pk}/following?limit=2")
    assert following == ["fan03", "fan02", "fan01", "star"]
    assert api.get(f"/api/v1/accounts/{star.pk}/followers?limit=x").status_code == 422
    assert api.get(f"/api/v1/accounts/{star.pk}/followers?max_id=x").status_code == 422


def test_lists_of_a_locked_account_and_blocks(api_for: ApiFor) -> None:
    lock = make_account("lock", locked=True)
    fan, stranger = make_account("fan"), make_account("stranger")
    network_actions.follow(fan, lock)
    network_actions.approve_follow_request(lock, fan)
    url = f"/api/v1/accounts/{lock.pk}/followers"
    assert usernames(api_for(stranger).get(url)) == []
    assert usernames(api_for(False).get(url)) == []
    assert usernames(api_for(fan).get(url)) == ["fan"]
    assert usernames(api_for(lock).get(url)) == ["fan"]
    open_acc = make_account("open")
    followed_by(open_acc, 2, "friend")
    network_actions.block(open_acc, stranger)
    assert usernames(api_for(stranger).get(f"/api/v1/accounts/{open_acc.pk}/followers")) == []
    # A follower the viewer blocked is left out of everyone's list for the viewer.
    friend = Account.objects.get(username="friend00")
    viewer = make_account("viewer")
    network_actions.block(viewer, friend)
    listed = usernames(api_for(viewer).get(f"/api/v1/accounts/{open_acc.pk}/followers"))
    assert listed == ["friend01"]


@pytest.mark.parametrize(
    ("url", "setup"),
    [
        ("/api/v1/accounts/{star}/followers", "followers"),
        ("/api/v1/accounts/{me}/following", "following"),
        ("/api/v1/follow_requests", "requests"),
        ("/api/v1/blocks", "blocks"),
        ("/api/v1/mutes", "mutes"),
        ("/api/v1/endorsements", "endorse"),
    ],
)
def test_list_query_counts_are_constant(
    api_for: ApiFor, django_assert_max_num_queries: Any, url: str, setup: str
) -> None:
    me = make_account("me", locked=True)
    star = make_account("star")
    api = api_for(me)
    made = 0

    def grow(n: int) -> None:
        nonlocal made
        for i in range(made, n):
            other = make_account(f"acc{i:02d}")
            if setup == "followers":
                network_actions.follow(other, star)
            elif setup == "following":
                network_actions.follow(me, other)
            elif setup == "requests":
                network_actions.follow(other, me)
            elif setup == "blocks":
                network_actions.block(me, other)
            elif setup == "mutes":
                network_actions.mute(me, other)
            else:
                network_actions.follow(me, other)
                network_actions.endorse(me, other)
        made = n

    target = url.format(star=star.pk, me=me.pk) + "?limit=40"
    grow(5)
    with django_assert_max_num_queries(30) as few:
        assert len(api.get(target).json()) == 5
    grow(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(target).json()) == 30


# --- follow requests ------------------------------------------------------------------------


def test_follow_requests_authorize_reject_and_paging(api_for: ApiFor) -> None:
    lock = make_account("lock", locked=True)
    fans = [make_account(f"fan{i}") for i in range(5)]
    for fan in fans:
        network_actions.follow(fan, lock)
    api = api_for(lock)
    expected = [f.username for f in reversed(fans)]
    assert walk(api, "/api/v1/follow_requests?limit=2") == expected
    rel = api.post(f"/api/v1/follow_requests/{fans[0].pk}/authorize").json()
    assert rel["followed_by"] is True and rel["requested_by"] is False
    assert network_queries.is_following(fans[0], lock)
    rel = api.post(f"/api/v1/follow_requests/{fans[1].pk}/reject").json()
    assert rel["followed_by"] is False and rel["requested_by"] is False
    assert not FollowRequest.objects.filter(requester=fans[1]).exists()
    # No such request: 404, nothing changes.
    again = api.post(f"/api/v1/follow_requests/{fans[1].pk}/authorize")
    assert again.status_code == 404 and "error" in again.json()
    assert not network_queries.is_following(fans[1], lock)
    assert api.post("/api/v1/follow_requests/abc/authorize").status_code == 404
    assert api.post("/api/v1/follow_requests/123/reject").status_code == 404
    # Someone else can't approve requests made to lock.
    other = api_for(fans[2]).post(f"/api/v1/follow_requests/{fans[3].pk}/authorize")
    assert other.status_code == 404
    assert not network_queries.is_following(fans[3], lock)
    assert (
        api_for(lock, "read").post(f"/api/v1/follow_requests/{fans[3].pk}/authorize").status_code
        == 403
    )


def test_blocks_and_mutes_paging(api_for: ApiFor) -> None:
    me = make_account("me")
    others = [make_account(f"o{i}") for i in range(5)]
    for other in others:
        network_actions.block(me, other)
        network_actions.mute(me, other)
    api = api_for(me)
    expected = [o.username for o in reversed(others)]
    assert walk(api, "/api/v1/blocks?limit=2") == expected
    assert walk(api, "/api/v1/mutes?limit=2") == expected
    # since_id / min_id bound the newer side: from the last page's prev link, nothing is lost.
    last = api.get("/api/v1/blocks?limit=2")
    middle = api.get(links(last)["next"])
    assert usernames(api.get(links(middle)["prev"])) == expected[:2]
