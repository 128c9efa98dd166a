"""Mastodon API search v2, tags, trends."""

from __future__ import annotations

import pytest

from mastodon.api import absolute_url
from network.actions import block, follow
from posts.actions import like, publish, reshare
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def usernames(body: dict) -> list[str]:
    return [a["username"] for a in body["accounts"]]


def test_accounts_by_prefix_display_name_and_exact_username(api_for):
    alice = make_account("alice")
    make_account("alfred", display_name="Alfred Smith", discoverable=True)
    make_account("zed", display_name="Captain Alpha", discoverable=True)
    make_account("alhidden", discoverable=False)
    api = api_for(alice)
    found = api.get("/api/v2/search?q=al&type=accounts").json()
    assert set(usernames(found)) == {"alfred", "zed"} | ({"alice"} if alice.discoverable else set())
    assert "alhidden" not in usernames(found)
    exact = api.get("/api/v2/search?q=@alhidden&type=accounts").json()
    assert usernames(exact) == ["alhidden"]
    assert usernames(api.get("/api/v2/search?q=nobody@elsewhere.example").json()) == []
    assert api.get("/api/v2/search?q=alfred").json()["accounts"][0]["username"] == "alfred"


def test_accounts_following_and_blocks(api_for, run_tasks):
    alice = make_account("alice")
    bob = make_account("bobby", discoverable=True)
    make_account("bobcat", discoverable=True)
    mallory = make_account("bobmal", discoverable=True)
    with run_tasks():
        follow(alice, bob)
        block(mallory, alice)
    api = api_for(alice)
    assert usernames(api.get("/api/v2/search?q=bob&type=accounts&following=true").json()) == [
        "bobby"
    ]
    assert "bobmal" not in usernames(api.get("/api/v2/search?q=bob&type=accounts").json())
    assert "bobmal" in usernames(api_for(False).get("/api/v2/search?q=bob").json())


def test_statuses_search_never_leaks_invisible_posts(api_for, run_tasks):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    with run_tasks():
        follow(alice, bob)
        public = publish(bob, text="the secret garden is open")
        followers = publish(bob, text="secret for followers", visibility="followers")
        publish(carol, text="secret carol followers", visibility="followers")
        publish(carol, text="secret direct to bob @bob", visibility="direct")
        publish(carol, text="secret unlisted", visibility="unlisted")
        mine = publish(alice, text="my secret unlisted", visibility="unlisted")
    found = api_for(alice).get("/api/v2/search?q=SECRET&type=statuses").json()["statuses"]
    assert [s["id"] for s in found] == [str(mine.pk), str(followers.pk), str(public.pk)]
    anonymous = api_for(False).get("/api/v2/search?q=secret&type=statuses").json()["statuses"]
    assert [s["id"] for s in anonymous] == [str(public.pk)]
    bobs = api_for(bob).get("/api/v2/search?q=direct&type=statuses").json()["statuses"]
    assert len(bobs) == 1
    only_bob = api_for(alice).get(f"/api/v2/search?q=secret&type=statuses&account_id={bob.pk}")
    assert len(only_bob.json()["statuses"]) == 2


def test_statuses_paging_by_offset_and_ids(api_for, run_tasks):
    bob = make_account("bob")
    with run_tasks():
        posts = [publish(bob, text=f"needle {i}") for i in range(6)]
    api = api_for(bob)

    def ids(query: str) -> list[str]:
        return [
            s["id"]
            for s in api.get(f"/api/v2/search?q=needle&type=statuses&{query}").json()["statuses"]
        ]

    newest = [str(p.pk) for p in reversed(posts)]
    assert ids("limit=2") == newest[:2]
    assert ids("limit=2&offset=2") == newest[2:4]
    assert ids(f"max_id={posts[3].pk}") == newest[3:]
    assert ids(f"min_id={posts[3].pk}") == newest[:2]


def test_local_post_url_finds_the_post_only_when_visible(api_for, run_tasks):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        shown = publish(bob, text="shown")
        hidden = publish(bob, text="hidden", visibility="followers")
    api = api_for(alice)
    url = absolute_url(f"/@bob/{shown.pk}")
    assert [s["id"] for s in api.get("/api/v2/search", {"q": url}).json()["statuses"]] == [
        str(shown.pk)
    ]
    assert (
        api.get("/api/v2/search", {"q": absolute_url(f"/@bob/{hidden.pk}")}).json()["statuses"]
        == []
    )
    assert usernames(api.get("/api/v2/search", {"q": absolute_url("/@bob")}).json()) == ["bob"]


def test_hashtags_by_prefix_with_history(api_for, run_tasks):
    bob = make_account("bob")
    with run_tasks():
        publish(bob, text="#catsofplaza #cats #dogs")
        publish(bob, text="#cats")
    body = api_for(False).get("/api/v2/search?q=%23cat&type=hashtags").json()
    names = [t["name"] for t in body["hashtags"]]
    assert names == ["cats", "catsofplaza"]
    cats = body["hashtags"][0]
    assert cats["url"].endswith("/tags/cats")
    assert len(cats["history"]) == 7
    assert cats["history"][0]["uses"] == "2" and cats["history"][0]["accounts"] == "1"
    assert "following" not in cats
    exact = api_for(bob).get("/api/v2/search?q=cats&type=hashtags").json()["hashtags"]
    assert exact[0]["name"] == "cats" and exact[0]["following"] is False


def test_search_bad_input(api_for):
    alice = make_account("alice")
    api = api_for(alice)
    assert api.get("/api/v2/search").status_code == 400
    assert api.get("/api/v2/search?q=%20").status_code == 400
    assert api.get("/api/v2/search?q=x&type=people").status_code == 422
    assert api.get("/api/v2/search?q=x&limit=nope").status_code == 422
    assert api.get("/api/v2/search?q=" + "x" * 500).status_code == 422
    assert api_for(False).get("/api/v2/search?q=x&offset=5").status_code == 401
    assert api_for(False).get("/api/v2/search?q=x&resolve=true").status_code == 401
    assert api.get("/api/v2/search?q=x&offset=5&resolve=true").status_code == 200
    assert api_for(alice, scopes="read:statuses").get("/api/v2/search?q=x").status_code == 403
    assert api.get("/api/v1/search?q=x").status_code == 404


def test_tags(api_for, run_tasks):
    alice = make_account("alice")
    with run_tasks():
        publish(alice, text="#plaza")
    api = api_for(alice)
    tag = api.get("/api/v1/tags/Plaza")
    assert tag.status_code == 200
    assert tag.json()["name"] == "plaza" and tag.json()["following"] is False
    assert api.get("/api/v1/tags/unknown").status_code == 404
    assert api.get("/api/v1/tags/bad!name").status_code == 404
    follow_tag = api.post("/api/v1/tags/Plaza/follow")
    assert follow_tag.status_code == 200 and follow_tag.json()["following"] is True
    assert api.post("/api/v1/tags/plaza/follow").json()["following"] is True  # idempotent
    assert api.get("/api/v1/tags/plaza").json()["following"] is True
    assert api.post("/api/v1/tags/brandnew/follow").json()["name"] == "brandnew"
    followed = api.get("/api/v1/followed_tags?limit=1")
    assert [t["name"] for t in followed.json()] == ["brandnew"]
    assert 'rel="next"' in followed["Link"]
    assert [t["name"] for t in api.get("/api/v1/followed_tags").json()] == ["brandnew", "plaza"]
    assert api.post("/api/v1/tags/plaza/unfollow").json()["following"] is False
    assert [t["name"] for t in api.get("/api/v1/followed_tags").json()] == ["brandnew"]
    assert api.post("/api/v1/tags/bad!name/follow").status_code == 404
    assert api_for(alice, scopes="read").post("/api/v1/tags/plaza/follow").status_code == 403
    assert api_for(False).get("/api/v1/followed_tags").status_code == 401


def test_trends(api_for, run_tasks):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    with run_tasks():
        hot = publish(bob, text="#hot take")
        warm = publish(bob, text="#hot warm")
        publish(bob, text="cold")
        secret = publish(bob, text="liked secret", visibility="followers")
        follow(carol, bob)
        for fan in (alice, carol):
            like(fan, hot)
        reshare(alice, hot)
        like(alice, warm)
        like(carol, secret)
    tags = api_for(False).get("/api/v1/trends/tags").json()
    assert [t["name"] for t in tags] == ["hot"]
    assert tags[0]["history"][0]["uses"] == "2"
    trending = api_for(False).get("/api/v1/trends/statuses").json()
    assert [s["id"] for s in trending] == [str(hot.pk), str(warm.pk)]
    assert [s["id"] for s in api_for(alice).get("/api/v1/trends/statuses?offset=1").json()] == [
        str(warm.pk)
    ]
    assert api_for(False).get("/api/v1/trends/links").json() == []
    assert api_for(False).get("/api/v1/trends/statuses?limit=x").status_code == 422
