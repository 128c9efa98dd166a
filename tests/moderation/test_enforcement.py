"""Suspended accounts can't log in and vanish for everyone; limited accounts reach only
their followers. Checked through the doors people use: pages, both APIs."""

from __future__ import annotations

import pytest
from django.test import Client

from moderation import actions
from network.actions import follow
from posts.actions import publish
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(staff, run_tasks):
    ana, troll = make_account("ana"), make_account("troll")
    with run_tasks():
        follow(ana, troll)
        post = publish(troll, text="trollpost #cats")
        reply = publish(make_account("bystander"), text="a reply", in_reply_to=post)
        reshare_by = make_account("sharer")
        follow(ana, reshare_by)
    return {"ana": ana, "troll": troll, "post": post, "reply": reply, "staff": staff}


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_suspended_account_cannot_log_in_and_sessions_end(world, client):
    troll = world["troll"]
    logged_in = Client()
    logged_in.force_login(troll.user)
    actions.suspend(world["staff"], troll, "Harassment")
    response = client.post("/login", {"username": "troll", "password": PASSWORD})
    assert response.status_code == 200
    assert "suspended" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A wrong password says nothing about the suspension.
    response = client.post("/login", {"username": "troll", "password": "wrong"})
    assert "suspended" not in response.content.decode()
    # The existing session is over.
    assert logged_in.get("/").status_code == 302


def test_suspended_accounts_tokens_stop_working(world, api_for, native_for):
    troll = world["troll"]
    mastodon, native = api_for(troll), native_for(troll)
    assert mastodon.get("/api/v1/accounts/verify_credentials").status_code == 200
    actions.suspend(world["staff"], troll, "Spam")
    response = mastodon.get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 403 and "error" in response.json()
    assert native.get("/api/plaza/v1/feeds/home").status_code == 403


def test_suspended_posts_disappear_everywhere(world, client, api_for, native_for):
    ana, troll, post = world["ana"], world["troll"], world["post"]
    actions.suspend(world["staff"], troll, "Spam")
    client.force_login(ana.user)
    for url in ("/", "/public", "/tags/cats", "/@troll"):
        assert "trollpost" not in _page(client, url), url
    assert client.get(f"/@troll/{post.pk}").status_code == 404
    # The reply of someone else stays, without the suspended post above it.
    thread = _page(client, f"/@bystander/{world['reply'].pk}")
    assert "a reply" in thread and "trollpost" not in thread
    anonymous = Client()
    assert "trollpost" not in _page(anonymous, "/public")
    assert anonymous.get(f"/@troll/{post.pk}").status_code == 404
    api = api_for(ana)
    assert api.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    for url in ("/api/v1/timelines/home", "/api/v1/timelines/public", "/api/v1/timelines/tag/cats"):
        assert all(s["id"] != str(post.pk) for s in api.get(url).json()), url
    assert api.get(f"/api/v1/accounts/{troll.pk}/statuses").json() == []
    native = native_for(ana)
    assert native.get(f"/api/plaza/v1/posts/{post.pk}").status_code == 404
    home = native.get("/api/plaza/v1/feeds/home").json()
    assert all(p["id"] != str(post.pk) for p in home["items"])
    # Gone from people lists too.
    assert "@troll" not in _page(client, "/@ana/following")


def test_unsuspend_brings_everything_back(world, client):
    troll = world["troll"]
    actions.suspend(world["staff"], troll, "Spam")
    actions.unsuspend(world["staff"], troll, "Appeal")
    client.force_login(world["ana"].user)
    assert "trollpost" in _page(client, "/")
    assert Client().post("/login", {"username": "troll", "password": PASSWORD}).status_code == 302


def test_reshares_of_suspended_posts_disappear(world, client, run_tasks):
    with run_tasks():
        from accounts.models import Account
        from posts.actions import reshare

        reshare(Account.objects.get(username="sharer"), world["post"])
    actions.suspend(world["staff"], world["troll"], "Spam")
    viewer = make_account("viewer")
    with run_tasks():
        follow(viewer, Account.objects.get(username="sharer"))
    client.force_login(viewer.user)
    assert "trollpost" not in _page(client, "/")


def test_limited_account_reaches_only_followers(world, client, api_for):
    ana, troll, post = world["ana"], world["troll"], world["post"]
    stranger = make_account("stranger")
    actions.limit(world["staff"], troll, "Borderline spam")
    # Followers still see the posts, at home and on the post page...
    client.force_login(ana.user)
    assert "trollpost" in _page(client, "/")
    assert client.get(f"/@troll/{post.pk}").status_code == 200
    # ...but never in the public or hashtag feeds, even followers.
    for url in ("/public", "/tags/cats"):
        assert "trollpost" not in _page(client, url), url
    # Strangers and logged-out people don't see them at all.
    client.force_login(stranger.user)
    assert client.get(f"/@troll/{post.pk}").status_code == 404
    assert "trollpost" not in _page(client, "/@troll")
    assert Client().get(f"/@troll/{post.pk}").status_code == 404
    api = api_for(stranger)
    assert api.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert api.get("/api/v1/timelines/public").json() == [] or all(
        s["account"]["username"] != "troll" for s in api.get("/api/v1/timelines/public").json()
    )


def test_limited_account_mentions_dont_reach_strangers_home(world, client, run_tasks):
    stranger = make_account("stranger")
    actions.limit(world["staff"], world["troll"], "Harassment")
    with run_tasks():
        publish(world["troll"], text="hey @stranger you there")
    client.force_login(stranger.user)
    assert "you there" not in _page(client, "/")
