"""Trends, people you may know, followed hashtags; web pages and native API of discovery."""

from __future__ import annotations

import datetime as dt

import pytest

from feeds.queries import PageRange, home_feed, trending_hashtags, trending_posts
from network.actions import accept_connection, block, follow, request_connection
from plaza.errors import ActionError
from posts.actions import like, publish, reshare
from search import actions
from search.models import DismissedSuggestion, FollowedHashtag
from search.suggestions import people_you_may_know
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def connect(a, b) -> None:
    request_connection(a, b)
    accept_connection(b, a)


# --- trends ---------------------------------------------------------------------------------


def test_one_account_spamming_a_tag_does_not_trend_it(run_tasks):
    spammer = make_account("spammer")
    people = [make_account(f"p{i}") for i in range(3)]
    with run_tasks():
        for i in range(25):
            publish(spammer, text=f"buy now #spamtag {i}")
        for p in people:
            publish(p, text="lovely day #realtag")
        publish(people[0], text="#private secret", visibility="followers")
    tags = trending_hashtags()
    names = [t.name for t in tags]
    assert names[0] == "realtag"
    assert names.index("realtag") < names.index("spamtag")
    assert "private" not in names
    assert {t.name: t.posts for t in tags}["spamtag"] == 25  # counted, but weighed once


def test_trending_posts_cap_per_author_and_respect_blocks(run_tasks):
    star, other = make_account("star"), make_account("other")
    fans = [make_account(f"fan{i}") for i in range(4)]
    viewer = make_account("viewer")
    with run_tasks():
        star_posts = [publish(star, text=f"star post {i}") for i in range(4)]
        modest = publish(other, text="modest post")
        for fan in fans:
            for p in star_posts:
                like(fan, p)
        like(fans[0], modest)
    found = trending_posts(None, limit=10)
    assert sum(1 for p in found if p.author_id == star.pk) == 2
    assert modest in found
    with run_tasks():
        block(viewer, other)
    assert modest not in trending_posts(viewer, limit=10)


# --- people you may know --------------------------------------------------------------------


def test_pymk_reasons_and_dismiss(run_tasks):
    me, c1, c2, fof, popular, peer = (
        make_account(n) for n in ("me", "c1", "c2", "fof", "popular", "peer")
    )
    me.interests = ["marketing"]
    me.save()
    with run_tasks():
        connect(me, c1)
        connect(me, c2)
        connect(c1, fof)
        connect(c2, fof)
        follow(me, c1)
        follow(c1, popular)
        publish(peer, text="growth tips #marketing")
    found = {s.account.username: s.reason for s in people_you_may_know(me, limit=10)}
    assert found["fof"] == "2 mutual connections"
    assert found["popular"] == "Followed by @c1 you follow"
    assert found["peer"] == "Shares your interest in #marketing"
    assert "c1" not in found and "me" not in found
    actions.dismiss_suggestion(me, "account", fof.pk)
    assert "fof" not in {s.account.username for s in people_you_may_know(me, limit=10)}
    with run_tasks():
        follow(me, popular)  # following someone removes them at once, even from the cache
    assert "popular" not in {s.account.username for s in people_you_may_know(me, limit=10)}


def test_pymk_never_suggests_blocked_or_hidden_people(run_tasks):
    me, c1, fof, shy = make_account("me"), make_account("c1"), make_account("fof"), None
    shy = make_account("shy")
    shy.discoverable = False
    shy.save()
    with run_tasks():
        connect(me, c1)
        connect(c1, fof)
        connect(c1, shy)
        block(fof, me)
    assert people_you_may_know(me, limit=10) == []


def test_explore_people_page_and_dismiss_form(client, run_tasks):
    me, c1, fof = make_account("me"), make_account("c1"), make_account("fof")
    with run_tasks():
        connect(me, c1)
        connect(c1, fof)
    client.force_login(me.user)
    page = client.get("/explore/people")
    assert page.status_code == 200
    assert "1 mutual connection" in page.content.decode()
    assert "@fof" in page.content.decode()
    r = client.post(
        "/explore/dismiss", {"kind": "account", "id": fof.pk, "next": "/explore/people"}
    )
    assert r.status_code == 302 and r["Location"] == "/explore/people"
    assert DismissedSuggestion.objects.filter(account=me, target_id=fof.pk).exists()
    assert "@fof" not in client.get("/explore/people").content.decode()
    assert client.post("/explore/dismiss", {"id": "nope"}).status_code == 302
    htmx = client.post("/explore/dismiss", {"id": "123", "kind": "bogus"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 422
    client.logout()
    assert client.get("/explore/people").status_code == 302


# --- followed hashtags ----------------------------------------------------------------------


def test_followed_hashtag_posts_reach_the_home_feed(run_tasks):
    me, stranger, blocked = make_account("me"), make_account("stranger"), make_account("blk")
    actions.follow_hashtag(me, "#Gardening")
    actions.follow_hashtag(me, "gardening")  # idempotent
    assert FollowedHashtag.objects.filter(account=me).count() == 1
    with run_tasks():
        block(me, blocked)
        tagged = publish(stranger, text="my roses #gardening")
        publish(stranger, text="private roses #gardening", visibility="followers")
        publish(stranger, text="unlisted roses #gardening", visibility="unlisted")
        publish(stranger, text="untagged roses")
        publish(blocked, text="blocked roses #gardening")
        share = reshare(make_account("resharer"), tagged)
    feed = [p.pk for p in home_feed(me, PageRange()).posts]
    assert feed == [tagged.pk]
    assert share.pk not in feed
    actions.unfollow_hashtag(me, "gardening")
    with run_tasks():
        publish(stranger, text="more roses #gardening")
    assert [p.pk for p in home_feed(me, PageRange()).posts] == [tagged.pk]


def test_bad_tag_names_are_refused():
    me = make_account("me")
    for bad in ("", "#", "no spaces", "x" * 101, "semi;colon"):
        with pytest.raises(ActionError) as err:
            actions.follow_hashtag(me, bad)
        assert "hashtag" in str(err.value.message).lower()
    assert FollowedHashtag.objects.count() == 0


def test_tag_page_follow_button(client, run_tasks):
    me = make_account("me")
    with run_tasks():
        publish(me, text="#plaza")
    client.force_login(me.user)
    page = client.get("/tags/plaza").content.decode()
    assert 'action="/tags/plaza/follow"' in page
    r = client.post("/tags/plaza/follow", {"next": "/tags/plaza"})
    assert r.status_code == 302 and r["Location"] == "/tags/plaza"
    page = client.get("/tags/plaza").content.decode()
    assert 'action="/tags/plaza/unfollow"' in page and "Following" in page
    htmx = client.post("/tags/plaza/unfollow", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "/tags/plaza/follow" in htmx.content.decode()
    assert not FollowedHashtag.objects.exists()
    assert client.post("/tags/bad!name/follow").status_code == 302
    assert not FollowedHashtag.objects.exists()
    assert client.get("/tags/plaza/follow").status_code == 405
    client.logout()
    assert client.post("/tags/plaza/follow").status_code == 302
    assert not FollowedHashtag.objects.exists()


# --- the search page ------------------------------------------------------------------------


def test_search_page_tabs_and_results(client, run_tasks):
    me, bob = make_account("me"), make_account("bob", display_name="Bob Builder")
    with run_tasks():
        public = publish(bob, text="building a shed #builder")
        hidden = publish(bob, text="builder secret", visibility="followers")
    page = client.get("/search", {"q": "builder"}).content.decode()
    assert "@bob" in page and "#builder" in page
    assert f"/@bob/{public.pk}" in page and f"/@bob/{hidden.pk}" not in page
    client.force_login(me.user)
    for tab in ("people", "posts", "hashtags", "groups"):
        assert client.get("/search", {"q": "builder", "type": tab}).status_code == 200
    posts = client.get("/search", {"q": "builder", "type": "posts", "order": "recent"})
    assert f"/@bob/{public.pk}" in posts.content.decode()
    bad = client.get("/search", {"q": "before:someday"})
    assert bad.status_code == 200 and "needs a date" in bad.content.decode()
    assert client.get("/search").status_code == 200
    assert "No results" in client.get("/search", {"q": "zzzznothing"}).content.decode()
    assert client.get("/search", {"q": "x", "type": "nonsense", "max_id": "abc"}).status_code == 200


def test_filtered_search_lists_posts_only(client, run_tasks):
    """from:, in:, has:media and dates narrow posts: the "all" tab then shows no people,
    hashtags or groups matching the words alone (they would ignore the filter)."""
    me, builder = make_account("me"), make_account("builder")
    with run_tasks():
        post = publish(builder, text="builder notes #builder")
    client.force_login(me.user)
    plain = client.get("/search", {"q": "builder"}).content.decode()
    assert 'id="people-h"' in plain and 'id="tags-h"' in plain and f"/{post.pk}" in plain
    for q in ("from:builder builder", f"builder before:{dt.date.today() + dt.timedelta(days=2)}"):
        page = client.get("/search", {"q": q}).content.decode()
        assert f"/@builder/{post.pk}" in page, q
        assert 'id="people-h"' not in page and 'id="tags-h"' not in page, q
    people_tab = client.get("/search", {"q": "from:builder builder", "type": "people"})
    assert 'id="people-h"' in people_tab.content.decode()  # a tab asked for is still shown


def test_search_page_query_count_is_bounded(client, run_tasks, django_assert_max_num_queries):
    me = make_account("me")
    authors = [make_account(f"writer{i}") for i in range(5)]
    with run_tasks():
        for i in range(25):
            publish(authors[i % 5], text=f"writer notes {i} #writer")
    client.force_login(me.user)
    with django_assert_max_num_queries(30):
        r = client.get("/search", {"q": "writer"})
    assert r.status_code == 200
    with django_assert_max_num_queries(20):
        client.get("/search", {"q": "writer", "type": "posts"})


# --- native API -----------------------------------------------------------------------------


@pytest.fixture
def token_for():
    from mastodon.actions import issue_token, register_app

    app, _secret = register_app(
        name="t", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write follow"
    )

    def make(account, scopes="read write follow"):
        return issue_token(account.user, app, scopes=scopes)[1]

    return make


def test_native_api(client, run_tasks, token_for):
    me, bob = make_account("me"), make_account("bob")
    with run_tasks():
        publish(bob, text="native api #apis")
        publish(bob, text="native secret", visibility="followers")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(me)}"}
    body = client.get("/api/plaza/v1/search", {"q": "native"}, **auth).json()
    assert [p["text"] for p in body["posts"]] == ["native api #apis"]
    assert client.get("/api/plaza/v1/search", {"q": "bob", "type": "people"}).json()["accounts"]
    bad = client.get("/api/plaza/v1/search", {"q": "has:cats"}, **auth)
    assert bad.status_code == 422 and "has:media" in bad.json()["error"]
    assert client.get("/api/plaza/v1/search", {"q": "x", "type": "video"}).status_code == 422
    r = client.post("/api/plaza/v1/hashtags/apis/follow", **auth)
    assert r.status_code == 200 and r.json()["following"] is True
    assert [t["name"] for t in client.get("/api/plaza/v1/hashtags/followed", **auth).json()] == [
        "apis"
    ]
    assert client.post("/api/plaza/v1/hashtags/bad!/follow", **auth).status_code == 422
    assert client.post("/api/plaza/v1/hashtags/apis/unfollow", **auth).json()["following"] is False
    assert client.get("/api/plaza/v1/suggestions/people", **auth).status_code == 200
    dismiss = client.post(
        "/api/plaza/v1/suggestions/dismiss",
        {"kind": "account", "id": str(bob.pk)},
        content_type="application/json",
        **auth,
    )
    assert dismiss.status_code == 204
    missing = client.post(
        "/api/plaza/v1/suggestions/dismiss",
        {"kind": "account", "id": "12345"},
        content_type="application/json",
        **auth,
    )
    assert missing.status_code == 422
    assert client.get("/api/plaza/v1/suggestions/people").status_code == 401
    read_only = {"HTTP_AUTHORIZATION": f"Bearer {token_for(me, 'read')}"}
    assert client.post("/api/plaza/v1/hashtags/apis/follow", **read_only).status_code == 403
    assert client.get("/api/plaza/v1/trends/hashtags").json()[0]["name"] == "apis"
    assert client.get("/api/plaza/v1/trends/posts").status_code == 200


def test_search_aside_is_cached_but_per_request_and_fresh(client, run_tasks):
    me, c1, fof = make_account("me"), make_account("c1"), make_account("fof")
    with run_tasks():
        connect(me, c1)
        connect(c1, fof)
    client.force_login(me.user)
    first = client.get("/search", {"q": "anything"}).content.decode()
    assert "People you may know" in first and "@fof" in first
    second = client.get("/search", {"q": "other & more"}).content.decode()  # from the cache
    token = client.cookies["csrftoken"].value
    assert "plazaasidecsrfmark" not in second and "plaza-aside-path-mark" not in second
    assert 'name="next" value="/search?q=other+%26+more"' in second
    assert 'name="csrfmiddlewaretoken" value="' in second and token
    actions.dismiss_suggestion(me, "account", fof.pk)
    assert "@fof" not in client.get("/search", {"q": "other & more"}).content.decode()
