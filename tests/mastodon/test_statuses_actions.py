"""Mastodon API: favourites, reblogs, bookmarks, pins, threads and the lists they make."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Account, Visibility
from network import actions as network
from posts import actions
from posts.models import Bookmark, Like, Pin, Post
from tests.factories import make_account
from tests.mastodon.conftest import Api

pytestmark = pytest.mark.django_db

ApiFor = Callable[..., Api]


@pytest.fixture
def alice() -> Account:
    return make_account("alice")


@pytest.fixture
def bob() -> Account:
    return make_account("bob")


def next_link(response: Any) -> str | None:
    match = re.search(r'<([^>]+)>; rel="next"', response.get("Link", ""))
    if not match:
        return None
    return match.group(1).replace("http://localhost:8000", "")


def test_favourite_and_unfavourite(api_for: ApiFor, alice: Account, bob: Account) -> None:
    post = actions.publish(bob, text="like me", visibility=Visibility.PUBLIC)
    api = api_for(alice)
    r = api.post(f"/api/v1/statuses/{post.pk}/favourite")
    assert r.status_code == 200
    assert r.json()["favourited"] is True and r.json()["favourites_count"] == 1
    assert api.post(f"/api/v1/statuses/{post.pk}/favourite").json()["favourites_count"] == 1
    r = api.post(f"/api/v1/statuses/{post.pk}/unfavourite")
    assert r.json()["favourited"] is False and r.json()["favourites_count"] == 0
    assert api.post("/api/v1/statuses/123/favourite").status_code == 404
    assert api.post("/api/v1/statuses/abc/favourite").status_code == 404
    assert api.get(f"/api/v1/statuses/{post.pk}/favourite").status_code == 405
    no_scope = api_for(alice, scopes="read write:statuses")
    assert no_scope.post(f"/api/v1/statuses/{post.pk}/favourite").status_code == 403
    assert not Like.objects.exists()


def test_bookmark_and_bookmarks_list(
    api_for: ApiFor, alice: Account, bob: Account, django_assert_max_num_queries: Any
) -> None:
    api = api_for(alice)
    posts = [actions.publish(bob, text=f"p{i}", visibility=Visibility.PUBLIC) for i in range(5)]
    for p in posts:
        r = api.post(f"/api/v1/statuses/{p.pk}/bookmark")
        assert r.status_code == 200 and r.json()["bookmarked"] is True
    r = api.get("/api/v1/bookmarks?limit=3")
    assert [s["id"] for s in r.json()] == [str(p.pk) for p in posts[::-1][:3]]
    link = next_link(r)
    assert link is not None
    r = api.get(link)
    assert [s["id"] for s in r.json()] == [str(p.pk) for p in posts[::-1][3:]]
    assert next_link(r) is None
    r = api.post(f"/api/v1/statuses/{posts[0].pk}/unbookmark")
    assert r.json()["bookmarked"] is False
    assert len(api.get("/api/v1/bookmarks").json()) == 4
    # Bookmarks are private: bob sees only his own (none).
    assert api_for(bob).get("/api/v1/bookmarks").json() == []
    assert api_for(alice, scopes="read:statuses").get("/api/v1/bookmarks").status_code == 403
    with django_assert_max_num_queries(20) as few:
        api.get("/api/v1/bookmarks?limit=2")
    for i in range(25):
        p = actions.publish(bob, text=f"more {i}", visibility=Visibility.PUBLIC)
        actions.bookmark(alice, p)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/v1/bookmarks?limit=29").json()) == 29


def test_bookmark_of_a_post_no_longer_visible_disappears(
    api_for: ApiFor, alice: Account, bob: Account
) -> None:
    post = actions.publish(bob, text="p", visibility=Visibility.PUBLIC)
    actions.bookmark(alice, post)
    network.block(bob, alice)
    assert api_for(alice).get("/api/v1/bookmarks").json() == []
    assert Bookmark.objects.count() == 1


def test_favourites_list(
    api_for: ApiFor, alice: Account, bob: Account, django_assert_max_num_queries: Any
) -> None:
    api = api_for(alice)
    posts = [actions.publish(bob, text=f"p{i}", visibility=Visibility.PUBLIC) for i in range(4)]
    for p in posts:
        actions.like(alice, p)
    r = api.get("/api/v1/favourites?limit=2")
    assert [s["id"] for s in r.json()] == [str(posts[3].pk), str(posts[2].pk)]
    assert all(s["favourited"] for s in r.json())
    r = api.get(next_link(r) or "")
    assert [s["id"] for s in r.json()] == [str(posts[1].pk), str(posts[0].pk)]
    assert api_for(bob).get("/api/v1/favourites").json() == []
    assert api_for(False).get("/api/v1/favourites").status_code == 401
    with django_assert_max_num_queries(20) as few:
        api.get("/api/v1/favourites?limit=5")
    for i in range(30):
        actions.like(alice, actions.publish(bob, text=f"m{i}", visibility=Visibility.PUBLIC))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/v1/favourites?limit=30").json()) == 30


def test_favourited_by_and_reblogged_by(api_for: ApiFor, alice: Account, bob: Account) -> None:
    post = actions.publish(alice, text="popular", visibility=Visibility.PUBLIC)
    fans = [make_account(f"fan{i}") for i in range(5)]
    for fan in fans:
        actions.like(fan, post)
        actions.reshare(fan, post)
    api = api_for(bob)
    for path in ("favourited_by", "reblogged_by"):
        r = api.get(f"/api/v1/statuses/{post.pk}/{path}?limit=3")
        assert r.status_code == 200
        assert [a["id"] for a in r.json()] == [str(f.pk) for f in fans[::-1][:3]]
        r = api.get(next_link(r) or "")
        assert [a["id"] for a in r.json()] == [str(f.pk) for f in fans[::-1][3:]]
    # A blocked fan is left out for the blocker.
    network.block(bob, fans[0])
    ids = [a["id"] for a in api.get(f"/api/v1/statuses/{post.pk}/favourited_by").json()]
    assert str(fans[0].pk) not in ids
    assert api_for(False).get(f"/api/v1/statuses/{post.pk}/favourited_by").status_code == 200


def test_pin_and_unpin(api_for: ApiFor, alice: Account, bob: Account) -> None:
    mine = actions.publish(alice, text="mine", visibility=Visibility.PUBLIC)
    theirs = actions.publish(bob, text="theirs", visibility=Visibility.PUBLIC)
    api = api_for(alice)
    r = api.post(f"/api/v1/statuses/{mine.pk}/pin")
    assert r.status_code == 200 and r.json()["pinned"] is True
    assert api.post(f"/api/v1/statuses/{theirs.pk}/pin").status_code == 403
    extra = [actions.publish(alice, text=f"{i}", visibility=Visibility.PUBLIC) for i in range(5)]
    for p in extra[:4]:
        api.post(f"/api/v1/statuses/{p.pk}/pin")
    r = api.post(f"/api/v1/statuses/{extra[4].pk}/pin")
    assert r.status_code == 422
    r = api.post(f"/api/v1/statuses/{mine.pk}/unpin")
    assert r.json()["pinned"] is False
    assert Pin.objects.count() == 4


def test_reblog_of_private_post_refused(api_for: ApiFor, alice: Account, bob: Account) -> None:
    network.follow(alice, bob)
    post = actions.publish(bob, text="followers", visibility=Visibility.FOLLOWERS)
    r = api_for(alice).post(f"/api/v1/statuses/{post.pk}/reblog")
    assert r.status_code == 403
    assert not Post.objects.filter(reshare_of=post).exists()


def test_context_is_visibility_filtered(api_for: ApiFor, alice: Account, bob: Account) -> None:
    root = actions.publish(alice, text="root", visibility=Visibility.PUBLIC)
    reply = actions.publish(bob, text="reply", in_reply_to=root, visibility=Visibility.PUBLIC)
    secret = actions.publish(
        alice, text="@bob secret", in_reply_to=reply, visibility=Visibility.DIRECT
    )
    deeper = actions.publish(bob, text="deeper", in_reply_to=reply, visibility=Visibility.PUBLIC)
    carol = make_account("carol")
    r = api_for(carol).get(f"/api/v1/statuses/{reply.pk}/context")
    assert r.status_code == 200
    assert [s["id"] for s in r.json()["ancestors"]] == [str(root.pk)]
    assert [s["id"] for s in r.json()["descendants"]] == [str(deeper.pk)]
    r = api_for(bob).get(f"/api/v1/statuses/{reply.pk}/context")
    assert {s["id"] for s in r.json()["descendants"]} == {str(secret.pk), str(deeper.pk)}
    r = api_for(False).get(f"/api/v1/statuses/{root.pk}/context")
    assert [s["id"] for s in r.json()["descendants"]] == [str(reply.pk), str(deeper.pk)]


def test_quotes_list(api_for: ApiFor, alice: Account, bob: Account) -> None:
    post = actions.publish(alice, text="quote me", visibility=Visibility.PUBLIC)
    quotes = [
        actions.publish(bob, text=f"q{i}", quote_of=post, visibility=Visibility.PUBLIC)
        for i in range(3)
    ]
    actions.publish(bob, text="@alice dm quote", quote_of=post, visibility=Visibility.DIRECT)
    carol = make_account("carol")
    r = api_for(carol).get(f"/api/v1/statuses/{post.pk}/quotes?limit=2")
    assert [s["id"] for s in r.json()] == [str(quotes[2].pk), str(quotes[1].pk)]
    r = api_for(carol).get(next_link(r) or "")
    assert [s["id"] for s in r.json()] == [str(quotes[0].pk)]


def test_direct_posts_private_through_every_endpoint(
    api_for: ApiFor, alice: Account, bob: Account
) -> None:
    dm = actions.publish(alice, text="@bob only for bob", visibility=Visibility.DIRECT)
    carol = make_account("carol")
    api = api_for(carol)
    for path in ("", "/context", "/history", "/source", "/favourited_by", "/reblogged_by"):
        assert api.get(f"/api/v1/statuses/{dm.pk}{path}").status_code == 404
    for action in ("favourite", "reblog", "bookmark", "unfavourite", "unbookmark", "pin"):
        assert api.post(f"/api/v1/statuses/{dm.pk}/{action}").status_code == 404
    assert api.delete(f"/api/v1/statuses/{dm.pk}").status_code == 404
    assert api.put_json(f"/api/v1/statuses/{dm.pk}", {"status": "x"}).status_code == 404
    r = api.post_json("/api/v1/statuses", {"status": "x", "in_reply_to_id": str(dm.pk)})
    assert r.status_code == 404
    assert api_for(bob).get(f"/api/v1/statuses/{dm.pk}/source").status_code == 200
