"""The pull path for big accounts, and keyset paging in every feed."""

from __future__ import annotations

import pytest

from accounts.models import Account
from feeds.models import HomeFeedEntry
from feeds.queries import PageRange, hashtag_feed, home_feed, profile_feed, public_feed
from network import actions as network
from posts import actions as posts
from tests.factories import make_account
from tests.feeds.helpers import ids, walk, walk_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_fanout(settings):
    settings.PLAZA = settings.PLAZA.model_copy(update={"fanout_limit": 2})


def test_big_account_posts_are_pulled_and_pages_are_right_across_the_boundary(
    run_tasks, low_fanout
):
    star, small = make_account("star"), make_account("small")
    fans = [make_account(f"fan{i}") for i in range(3)]
    with run_tasks():
        for fan in fans:
            network.follow(fan, star)
            network.follow(fan, small)
    assert Account.objects.get(pk=star.pk).followers_count == 3  # above the limit of 2
    made: list[int] = []
    with run_tasks():
        for i in range(9):
            author = star if i % 3 else small
            made.append(posts.publish(author, text=f"post {i}").pk)
    star_posts = [pk for i, pk in enumerate(made) if i % 3]
    # Not fanned out: no entries for the star's posts in followers' feeds...
    assert not HomeFeedEntry.objects.filter(owner=fans[0], post_id__in=star_posts).exists()
    # ...but they are in the feed, interleaved correctly on every page size.
    expected = sorted(made, reverse=True)
    assert ids(home_feed(fans[0], PageRange(limit=40))) == expected
    for limit in (1, 2, 4):
        assert walk(lambda r: home_feed(fans[0], r), limit) == expected
        assert walk_up(lambda r: home_feed(fans[0], r), expected[-1] - 1, limit) == expected
    # since_id: the newest posts above it.
    page = home_feed(fans[0], PageRange(since_id=expected[3], limit=40))
    assert ids(page) == expected[:3]


def test_pull_path_respects_reshare_option_replies_visibility_and_mutes(run_tasks, low_fanout):
    star = make_account("star")
    fans = [make_account(f"fan{i}") for i in range(3)]
    viewer, stranger, author = (
        make_account("viewer"),
        make_account("stranger"),
        make_account("author"),
    )
    with run_tasks():
        for fan in fans:
            network.follow(fan, star)
        network.follow(viewer, star, show_reshares=False)
        theirs = posts.publish(stranger, text="a thought")
        reply = posts.publish(star, text="reply", in_reply_to=theirs)
        share = posts.reshare(star, posts.publish(author, text="shared"))
        conn_only = posts.publish(star, text="connections", visibility="connections")
        followers = posts.publish(star, text="followers", visibility="followers")
        mention = posts.publish(star, text="hi @stranger", visibility="direct")
        public_mention = posts.publish(star, text="thanks @stranger")
    home = ids(home_feed(viewer))
    assert followers.pk in home
    assert reply.pk not in home
    assert share.pk not in home
    assert conn_only.pk not in home
    assert mention.pk not in home
    assert share.pk in ids(home_feed(fans[0]))
    # The mentioned person gets a direct post even from a big account.
    assert mention.pk in ids(home_feed(stranger))
    # Regression: mentions were skipped when the author was above the fan-out limit.
    assert public_mention.pk in ids(home_feed(stranger))
    # A connection (not a follower) of a big account gets connections-only posts.
    friend = make_account("friend")
    with run_tasks():
        network.request_connection(friend, star)
        network.accept_connection(star, friend)
    assert {conn_only.pk, followers.pk} <= set(ids(home_feed(friend)))
    with run_tasks():
        network.mute(viewer, star)
    assert ids(home_feed(viewer)) == []


def test_mutes_inside_a_page_do_not_end_paging_early(run_tasks):
    viewer, loud, quiet = make_account("viewer"), make_account("loud"), make_account("quiet")
    with run_tasks():
        network.follow(viewer, loud)
        network.follow(viewer, quiet)
        kept = [posts.publish(quiet, text="q").pk]
        for _ in range(5):
            posts.publish(loud, text="l")
        kept.append(posts.publish(quiet, text="q").pk)
        network.mute(viewer, loud)
    assert walk(lambda r: home_feed(viewer, r), 1) == sorted(kept, reverse=True)
    assert walk(lambda r: home_feed(viewer, r), 3) == sorted(kept, reverse=True)


@pytest.mark.parametrize("feed", ["home", "public", "hashtag", "profile"])
def test_keyset_paging_covers_every_post_once(run_tasks, feed):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        network.follow(bob, alice)
        made = [posts.publish(alice, text=f"post {i} #plaza").pk for i in range(7)]
    fetch = {
        "home": lambda r: home_feed(bob, r),
        "public": lambda r: public_feed(bob, r),
        "hashtag": lambda r: hashtag_feed(bob, "plaza", r),
        "profile": lambda r: profile_feed(bob, alice, r),
    }[feed]
    expected = sorted(made, reverse=True)
    for limit in (1, 3, 7, 40):
        assert walk(fetch, limit) == expected
        assert walk_up(fetch, expected[-1] - 1, limit) == expected
    # min_id gives the page just above it; since_id the newest above it.
    assert ids(fetch(PageRange(min_id=expected[-1], limit=2))) == expected[-3:-1]
    assert ids(fetch(PageRange(since_id=expected[-1], limit=2))) == expected[:2]
    page = fetch(PageRange(max_id=expected[1], since_id=expected[5], limit=40))
    assert ids(page) == expected[2:5]


def test_web_pages_page_with_max_id_and_htmx_chunks(run_tasks, client):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        network.follow(bob, alice)
        made = sorted(
            (posts.publish(alice, text=f"p{i} #plaza").pk for i in range(5)), reverse=True
        )
    client.force_login(bob.user)
    for url in ("/", "/public", "/tags/plaza", "/@alice"):
        seen: list[int] = []
        next_url = f"{url}?limit=2"
        first = True
        while next_url:
            headers = {} if first else {"HTTP_HX_REQUEST": "true"}
            response = client.get(next_url, **headers)
            assert response.status_code == 200
            html = response.content.decode()
            if not first:
                assert "<html" not in html  # just the chunk
            seen += [pk for pk in made if f'id="post-{pk}"' in html and pk not in seen]
            marker = 'hx-get="'
            next_url = (
                html.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
                if (marker in html and "max_id=" in html.split(marker, 1)[1].split('"', 1)[0])
                else ""
            )
            first = False
        assert seen == made, url


def test_bad_paging_input_is_a_clear_400(client):
    make_account("alice")
    for url in ("/public?max_id=abc", "/tags/plaza?limit=-1", "/@alice?min_id=1e9"):
        response = client.get(url)
        assert response.status_code == 400
        assert b"must be a positive whole number" in response.content
