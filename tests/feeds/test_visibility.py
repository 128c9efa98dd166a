"""Visibility, blocks, mutes, reshares and reply rules in every feed."""

from __future__ import annotations

import pytest

from feeds.queries import hashtag_feed, home_feed, profile_feed, public_feed
from network import actions as network
from posts import actions as posts
from tests.factories import make_account
from tests.feeds.helpers import ids

pytestmark = pytest.mark.django_db


def all_feed_ids(viewer, author, tag="plaza"):
    return {
        "home": ids(home_feed(viewer)),
        "profile": ids(profile_feed(viewer, author, with_replies=True)),
        "public": ids(public_feed(viewer)),
        "hashtag": ids(hashtag_feed(viewer, tag)),
    }


def test_followers_only_post_of_someone_you_dont_follow_is_in_no_feed(run_tasks, client):
    alice, fan, stranger = make_account("alice"), make_account("fan"), make_account("stranger")
    with run_tasks():
        network.follow(fan, alice)
        secret = posts.publish(alice, text="for my followers #plaza", visibility="followers")
        open_post = posts.publish(alice, text="for everyone #plaza")
    for name, found in all_feed_ids(stranger, alice).items():
        assert secret.pk not in found, name
    assert all_feed_ids(stranger, alice)["public"] == [open_post.pk]
    assert secret.pk in ids(home_feed(fan))
    assert secret.pk in ids(profile_feed(fan, alice))
    # Through the web too, logged out and as the stranger.
    for who in (None, stranger):
        if who is not None:
            client.force_login(who.user)
        for url in ("/", "/public", "/tags/plaza", "/@alice", "/@alice/with_replies"):
            html = client.get(url, follow=True).content.decode()
            assert f"post-{secret.pk}" not in html, url


def test_connections_only_post_reaches_connections_only(run_tasks):
    alice, friend, fan = make_account("alice"), make_account("friend"), make_account("fan")
    with run_tasks():
        network.follow(fan, alice)
        network.request_connection(friend, alice)
        network.accept_connection(alice, friend)
        post = posts.publish(alice, text="close circle", visibility="connections")
    assert post.pk in ids(home_feed(friend))
    assert post.pk in ids(profile_feed(friend, alice))
    assert post.pk not in ids(home_feed(fan))
    assert post.pk not in ids(profile_feed(fan, alice))
    assert post.pk not in ids(public_feed(friend))


def test_unlisted_posts_stay_out_of_public_and_hashtag_feeds(run_tasks):
    alice, fan = make_account("alice"), make_account("fan")
    with run_tasks():
        network.follow(fan, alice)
        post = posts.publish(alice, text="quiet #plaza", visibility="unlisted")
    assert post.pk in ids(home_feed(fan))
    assert post.pk in ids(profile_feed(None, alice))
    assert post.pk not in ids(public_feed(fan))
    assert post.pk not in ids(hashtag_feed(fan, "plaza"))


def test_direct_post_reaches_only_mentioned_people(run_tasks):
    alice, bob, fan = make_account("alice"), make_account("bob"), make_account("fan")
    with run_tasks():
        network.follow(fan, alice)
        dm = posts.publish(alice, text="@bob psst", visibility="direct")
    assert ids(home_feed(bob)) == [dm.pk]
    assert dm.pk not in ids(home_feed(fan))
    assert dm.pk not in ids(profile_feed(bob, alice))  # direct posts never list on a profile


def test_blocked_users_posts_and_reshares_of_them_are_absent_everywhere(run_tasks, client):
    viewer, mean, friend = make_account("viewer"), make_account("mean"), make_account("friend")
    with run_tasks():
        network.follow(viewer, friend)
        original = posts.publish(mean, text="hello #plaza")
        share = posts.reshare(friend, original)
        own = posts.publish(friend, text="mine #plaza")
    assert share.pk in ids(home_feed(viewer))
    with run_tasks():
        network.block(viewer, mean)
    feeds = all_feed_ids(viewer, friend)
    for name, found in feeds.items():
        assert original.pk not in found, name
        assert share.pk not in found, name
    assert ids(home_feed(viewer)) == [own.pk]
    # And the other way round: the blocked account sees nothing of the blocker.
    with run_tasks():
        mine = posts.publish(viewer, text="from the blocker #plaza")
    assert mine.pk not in ids(public_feed(mean))
    assert mine.pk not in ids(hashtag_feed(mean, "plaza"))
    client.force_login(mean.user)
    assert client.get("/@viewer").status_code == 404
    client.force_login(viewer.user)
    assert client.get("/@mean").status_code == 404
    html = client.get("/@friend").content.decode()
    assert f"post-{share.pk}" not in html


def test_mute_hides_from_home_and_unmute_brings_everything_back(run_tasks, client):
    viewer, loud, friend = make_account("viewer"), make_account("loud"), make_account("friend")
    with run_tasks():
        network.follow(viewer, loud)
        network.follow(viewer, friend)
        posts_by_loud = [posts.publish(loud, text=f"loud {i}").pk for i in range(3)]
        share = posts.reshare(friend, posts.publish(loud, text="shared"))
    with run_tasks():
        network.mute(viewer, loud)
    assert ids(home_feed(viewer)) == []
    assert ids(public_feed(viewer)) == []
    client.force_login(viewer.user)
    html = client.get("/").content.decode()
    assert not any(f"post-{pk}" in html for pk in posts_by_loud)
    # The profile still shows them (visiting it is asking to see them).
    assert set(posts_by_loud) <= set(ids(profile_feed(viewer, loud)))
    with run_tasks():
        network.unmute(viewer, loud)
    assert set(posts_by_loud) | {share.pk} <= set(ids(home_feed(viewer)))


def test_reshares_appear_in_home_with_reshared_by(run_tasks, client):
    viewer, friend, author = make_account("viewer"), make_account("friend"), make_account("author")
    with run_tasks():
        network.follow(viewer, friend)
        original = posts.publish(author, text="worth sharing")
        share = posts.reshare(friend, original)
    page = home_feed(viewer)
    assert ids(page) == [share.pk]
    client.force_login(viewer.user)
    html = client.get("/").content.decode()
    assert f"post-{share.pk}" in html
    assert "reshared" in html and "Friend" in html and "worth sharing" in html


def test_follower_who_turned_off_reshares_does_not_get_them(run_tasks):
    viewer, friend, author = make_account("viewer"), make_account("friend"), make_account("author")
    with run_tasks():
        network.follow(viewer, friend, show_reshares=False)
        own = posts.publish(friend, text="own words")
        share = posts.reshare(friend, posts.publish(author, text="theirs"))
    assert ids(home_feed(viewer)) == [own.pk]
    # Turning the option off later hides reshares already delivered, too.
    other = make_account("other")
    with run_tasks():
        network.follow(other, friend)
    assert share.pk in ids(home_feed(other))
    with run_tasks():
        network.follow(other, friend, show_reshares=False)
    assert share.pk not in ids(home_feed(other))


def test_replies_to_someone_you_dont_follow_stay_out_of_home(run_tasks):
    viewer, friend, stranger = (
        make_account("viewer"),
        make_account("friend"),
        make_account("stranger"),
    )
    with run_tasks():
        network.follow(viewer, friend)
        theirs = posts.publish(stranger, text="a thought")
        reply_to_stranger = posts.publish(friend, text="I disagree", in_reply_to=theirs)
        own_thread = posts.publish(friend, text="1/2")
        self_reply = posts.publish(friend, text="2/2", in_reply_to=own_thread)
        mine = posts.publish(viewer, text="my post")
        reply_to_me = posts.publish(friend, text="nice", in_reply_to=mine)
    home = ids(home_feed(viewer))
    assert reply_to_stranger.pk not in home
    assert {self_reply.pk, own_thread.pk, reply_to_me.pk, mine.pk} <= set(home)
    # Following the other side brings such replies in for new posts.
    with run_tasks():
        network.follow(viewer, stranger)
        later = posts.publish(friend, text="still disagree", in_reply_to=theirs)
    assert later.pk in ids(home_feed(viewer))
    # The profile's "Posts" tab hides replies to others; "Posts & replies" shows them.
    assert reply_to_stranger.pk not in ids(profile_feed(viewer, friend))
    assert reply_to_stranger.pk in ids(profile_feed(viewer, friend, with_replies=True))


def test_backfill_follows_the_same_rules_as_fan_out(run_tasks):
    friend, stranger, author = (
        make_account("friend"),
        make_account("stranger"),
        make_account("author"),
    )
    with run_tasks():
        theirs = posts.publish(stranger, text="a thought")
        reply = posts.publish(friend, text="reply", in_reply_to=theirs)
        own = posts.publish(friend, text="own")
        share = posts.reshare(friend, posts.publish(author, text="shared"))
    viewer = make_account("viewer")
    with run_tasks():
        network.follow(viewer, friend, show_reshares=False)
    home = ids(home_feed(viewer))
    assert own.pk in home
    assert reply.pk not in home
    assert share.pk not in home


def test_locked_account_posts_visible_to_followers_only(run_tasks, client):
    locked, fan, other = (
        make_account("locked", locked=True),
        make_account("fan"),
        make_account("other"),
    )
    with run_tasks():
        assert network.follow(fan, locked) == "requested"
        network.approve_follow_request(locked, fan)
        post = posts.publish(locked, text="members only", visibility="followers")
    assert ids(profile_feed(fan, locked)) == [post.pk]
    assert ids(profile_feed(other, locked)) == []
    client.force_login(other.user)
    html = client.get("/@locked").content.decode()
    assert "These posts are protected" in html
    assert f"post-{post.pk}" not in html
