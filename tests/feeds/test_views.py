"""The feed pages as people use them: home, public, hashtag, profile (tabs, pinned posts)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import AccountKind
from network import actions as network
from posts import actions as posts
from posts.models import MediaAttachment
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Trending tags and the top-accounts pool are cached instance-wide.
    cache.clear()
    yield
    cache.clear()


def test_home_requires_login_and_sends_visitors_to_the_public_timeline(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/public"
    html = client.get("/public").content.decode()
    assert "Create account" in html and "/signup" in html and "/login" in html


def test_home_shows_composer_feed_and_right_panel(run_tasks, client):
    alice, bob = make_account("alice"), make_account("bob")
    popular = make_account("popular", display_name="Popular Person")
    with run_tasks():
        network.follow(bob, alice)
        network.follow(alice, popular)
        post = posts.publish(alice, text="Hello #plaza")
    client.force_login(bob.user)
    html = client.get("/").content.decode()
    assert f'id="post-{post.pk}"' in html
    assert "Who to follow" in html and "Popular Person" in html
    assert "Trending tags" in html and "#plaza" in html
    assert 'href="/tags/plaza"' in html


def test_new_user_gets_an_empty_state_and_suggestions_without_self_or_followed(run_tasks, client):
    newbie = make_account("newbie")
    followed, blocked = make_account("followed"), make_account("blocked")
    popular = make_account("popular", display_name="Popular Person")
    hidden = make_account("hidden", discoverable=False)
    with run_tasks():
        for fan in (followed, blocked, hidden):
            network.follow(fan, popular)
        network.follow(newbie, followed)
        network.block(newbie, blocked)
    client.force_login(newbie.user)
    html = client.get("/").content.decode()
    assert "Follow people to fill your feed" in html
    aside = html.split("Who to follow", 1)[1].split("Trending tags", 1)[0]
    assert "@popular" in aside
    for name in ("newbie", "followed", "blocked", "hidden"):
        assert f"@{name}<" not in aside


def test_public_and_hashtag_pages(run_tasks, client):
    alice = make_account("alice")
    with run_tasks():
        tagged = posts.publish(alice, text="Sun #Summer")
        posts.publish(alice, text="Rain #summer again")
        other = posts.publish(alice, text="untagged")
    html = client.get("/public").content.decode()
    assert f'id="post-{tagged.pk}"' in html and f'id="post-{other.pk}"' in html
    assert 'href="/explore/trending"' in html  # the explore tabs
    html = client.get("/tags/Summer").content.decode()
    assert "#summer" in html and "2 public posts" in html
    assert f'id="post-{tagged.pk}"' in html and f'id="post-{other.pk}"' not in html
    html = client.get("/tags/nothing").content.decode()
    assert "No posts with #nothing" in html
    assert client.get("/tags/bad-tag!").status_code == 404


def test_profile_header_tabs_and_pinned_posts(run_tasks, client):
    org = make_account(
        "acme",
        kind=AccountKind.ORGANIZATION,
        display_name="Acme Inc",
        bio_html="<p>We make <strong>anvils</strong></p>",
        location="Springfield",
        website="https://acme.example",
    )
    fan = make_account("fan")
    with run_tasks():
        network.follow(fan, org)
        first = posts.publish(org, text="first post")
        theirs = posts.publish(fan, text="question")
        reply = posts.publish(org, text="an answer", in_reply_to=theirs)
        with_media = posts.publish(org, text="look")
        posts.pin(org, first)
    MediaAttachment.objects.create(
        account=org,
        post=with_media,
        kind="image",
        state="ready",
        content_type="image/png",
        file="media/test.png",
        width=10,
        height=10,
    )
    client.force_login(fan.user)
    html = client.get("/@acme").content.decode()
    assert "Acme Inc" in html and "@acme" in html and "Org" in html
    assert "<strong>anvils</strong>" in html
    assert "Springfield" in html and "acme.example" in html and "Joined" in html
    assert "/@acme/followers" in html and "/@acme/following" in html
    assert "/@acme/connections" in html
    assert "Pinned" in html
    main = html.split('aria-label="Posts by @acme"', 1)[1]
    assert f'id="post-{first.pk}"' in main and f'id="post-{reply.pk}"' not in main
    html = client.get("/@acme/with_replies").content.decode()
    assert f'id="post-{reply.pk}"' in html and "Pinned" not in html
    html = client.get("/@acme/media").content.decode()
    assert f'id="post-{with_media.pk}"' in html and f'id="post-{first.pk}"' not in html
    # Usernames are matched case-insensitively; unknown accounts are a 404.
    assert client.get("/@ACME").status_code == 200
    assert client.get("/@nobody").status_code == 404


def test_own_profile_has_edit_button_and_others_have_relationship_actions(client):
    alice = make_account("alice")
    make_account("bob")
    client.force_login(alice.user)
    html = client.get("/@alice").content.decode()
    assert 'class="btn btn-secondary" href="/settings/profile"' in html
    html = client.get("/@bob").content.decode()
    assert 'class="btn btn-secondary" href="/settings/profile"' not in html
    assert "/@bob/follow" in html


def test_anonymous_visitors_can_read_public_profiles_feeds_and_tags(run_tasks, client):
    alice = make_account("alice")
    with run_tasks():
        post = posts.publish(alice, text="open to all #plaza")
    for url in ("/public", "/tags/plaza", "/@alice"):
        response = client.get(url)
        assert response.status_code == 200
        assert f'id="post-{post.pk}"' in response.content.decode()
