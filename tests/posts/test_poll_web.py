"""Polls on the web: the composer (without JavaScript), the card (vote form or results, with
the card cache), voting from the card, and the "poll ended" notification."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Visibility
from network import actions as network
from posts import actions as posts
from posts import card_render, polls
from posts.models import Poll, PollVote, Post
from posts.polls import PollSpec
from posts.tasks import end_poll
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_card_cache():
    caches[card_render.CARD_CACHE].clear()


@pytest.fixture
def trio(run_tasks):
    """ana posts; bob and carol follow her."""
    ana, bob, carol = make_account("ana"), make_account("bob"), make_account("carol")
    with run_tasks():
        network.follow(bob, ana)
        network.follow(carol, ana)
    return ana, bob, carol


def _card(client, account, post: Post, url: str = "/?limit=40") -> str:
    if account is None:
        client.logout()
    else:
        client.force_login(account.user)
    html = client.get(url).content.decode()
    match = re.search(rf'<article[^>]* id="post-{post.pk}".*?</article>', html, re.S)
    assert match, f"no card for post {post.pk}"
    return match.group(0)


def _publish(ana, run_tasks, **spec) -> Post:
    with run_tasks():
        return posts.publish(
            ana, text="Tea or coffee?", poll=PollSpec(options=("Tea", "Coffee"), **spec)
        )


# --- the composer -------------------------------------------------------------------------------


def test_compose_a_poll_without_javascript(client, trio):
    ana, _, _ = trio
    client.force_login(ana.user)
    response = client.post(
        "/compose",
        {
            "text": "Lunch?",
            "poll_option": ["Pizza", "Salad", "", ""],
            "poll_duration": "3600",
            "poll_multiple": "on",
            "intent": "post",
        },
    )
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert [o.title for o in poll.option_list] == ["Pizza", "Salad"]
    assert poll.multiple and not poll.hide_totals
    assert dt.timedelta(minutes=59) < poll.expires_at - timezone.now() <= dt.timedelta(hours=1)


def test_the_composer_offers_a_poll(client, trio):
    ana, _, _ = trio
    client.force_login(ana.user)
    html = client.get("/compose").content.decode()
    assert "Add a poll" in html
    assert html.count('name="poll_option"') == 2
    for label in ("5 minutes", "30 minutes", "1 hour", "6 hours", "1 day", "3 days", "7 days"):
        assert f">{label}</option>" in html
    assert 'value="86400" selected' in html and "Allow multiple choices" in html
    home = client.get("/").content.decode()  # the inline composer too
    assert home.count('name="poll_option"') == 2


def test_add_option_posts_back_with_one_more_field(client, trio):
    ana, _, _ = trio
    client.force_login(ana.user)
    response = client.post(
        "/compose",
        {"text": "Lunch?", "poll_option": ["Pizza", "Salad"], "intent": "add_poll_option"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Post.objects.exists()
    assert html.count('name="poll_option"') == 3
    assert 'value="Pizza"' in html and 'value="Salad"' in html and "<details" in html


def test_errors_keep_what_was_typed_and_write_nothing(client, trio):
    ana, _, _ = trio
    client.force_login(ana.user)
    response = client.post(
        "/compose",
        {
            "text": "Lunch?",
            "poll_option": ["Pizza", "pizza"],
            "poll_duration": "21600",
            "poll_hide_totals": "on",
            "intent": "post",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Poll options must be different" in html
    assert 'value="Pizza"' in html and 'value="pizza"' in html and ">Lunch?</textarea>" in html
    assert 'value="21600" selected' in html
    assert 'name="poll_hide_totals" checked' in html
    assert not Post.objects.exists() and not Poll.objects.exists()


def test_a_poll_in_a_direct_message_is_refused(client, trio):
    ana, _bob, _ = trio
    client.force_login(ana.user)
    response = client.post(
        "/compose",
        {
            "text": "@bob lunch?",
            "visibility": Visibility.DIRECT,
            "poll_option": ["Pizza", "Salad"],
            "intent": "post",
        },
    )
    assert response.status_code == 422
    assert "have a poll" in response.content.decode()
    assert not Post.objects.exists()


# --- the card -----------------------------------------------------------------------------------


def test_who_sees_the_vote_form_and_who_sees_results(client, trio, run_tasks):
    ana, bob, _carol = trio
    post = _publish(ana, run_tasks)
    bobs = _card(client, bob, post)
    assert 'type="radio" name="choice" value="0"' in bobs and ">Vote</button>" in bobs
    assert "0 people voted" in bobs and "ends in 23 hours" in bobs
    # The author and anonymous visitors see results, not a form.
    for viewer, url in ((ana, "/?limit=40"), (None, f"/@ana/{post.pk}")):
        card = _card(client, viewer, post, url)
        assert 'name="choice"' not in card and "poll-results" in card and "0%" in card


def test_voting_from_the_card_changes_what_everyone_sees(client, trio, run_tasks):
    ana, bob, carol = trio
    post = _publish(ana, run_tasks, multiple=True)
    assert 'type="checkbox" name="choice"' in _card(client, carol, post)  # cached for carol
    assert "0 people voted" in _card(client, ana, post)  # and for the author
    client.force_login(bob.user)
    response = client.post(
        f"/posts/{post.pk}/vote", {"choice": ["1"], "next": "/"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    card = response.content.decode()
    assert 'name="choice"' not in card and "1 person voted" in card
    assert re.search(r'poll-result is-own">.*?Coffee.*?100%', card, re.S)
    carols = _card(client, carol, post)
    assert "1 person voted" in carols and 'name="choice"' in carols  # she can still vote
    assert "is-own" not in carols
    authors = _card(client, ana, post)
    assert "1 person voted" in authors and "100%" in authors and "is-own" not in authors


def test_a_vote_without_javascript_redirects_back(client, trio, run_tasks):
    ana, bob, _ = trio
    post = _publish(ana, run_tasks)
    client.force_login(bob.user)
    response = client.post(f"/posts/{post.pk}/vote", {"choice": "0", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert PollVote.objects.filter(account=bob).count() == 1
    again = client.post(f"/posts/{post.pk}/vote", {"choice": "1", "next": "/"}, follow=True)
    assert "You have already voted" in again.content.decode()
    assert PollVote.objects.filter(account=bob).count() == 1


def test_voting_refusals(client, trio, run_tasks):
    ana, bob, _ = trio
    stranger = make_account("stranger")
    with run_tasks():
        private = posts.publish(
            ana, text="?", visibility=Visibility.FOLLOWERS, poll=PollSpec(("a", "b"))
        )
    client.force_login(stranger.user)
    assert client.post(f"/posts/{private.pk}/vote", {"choice": "0"}).status_code == 404
    client.force_login(bob.user)
    response = client.post(f"/posts/{private.pk}/vote", {"choice": "x"}, HTTP_HX_REQUEST="true")
    assert "not one of this poll" in response.content.decode()
    client.force_login(ana.user)
    response = client.post(f"/posts/{private.pk}/vote", {"choice": "0"}, HTTP_HX_REQUEST="true")
    assert "own poll" in response.content.decode()
    assert not PollVote.objects.exists()
    client.logout()
    assert client.post(f"/posts/{private.pk}/vote", {"choice": "0"}).status_code == 302  # log in


def test_hidden_totals_until_the_end(client, trio, run_tasks):
    ana, bob, carol = trio
    post = _publish(ana, run_tasks, hide_totals=True)
    polls.vote(bob, post, [0])
    bobs = _card(client, bob, post)
    assert "results when it ends" in bobs and "%" not in bobs.split('class="poll')[1]
    assert "1 person voted" in bobs
    Poll.objects.filter(pk=post.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    ended = _card(client, carol, post)
    assert "ended</p>" in ended and "100%" in ended and 'name="choice"' not in ended


def test_the_end_shows_without_waiting_for_the_cache(client, trio, run_tasks):
    ana, bob, _ = trio
    post = _publish(ana, run_tasks)
    assert ">Vote</button>" in _card(client, bob, post)
    Poll.objects.filter(pk=post.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    card = _card(client, bob, post)
    assert ">Vote</button>" not in card and "ended</p>" in card


def test_home_pages_with_polls_cost_the_same_for_5_and_40_posts(client, trio, run_tasks):
    ana, bob, _carol = trio
    with run_tasks():
        for i in range(45):
            spec = PollSpec((f"a{i}", f"b{i}")) if i % 3 == 0 else None
            post = posts.publish(ana, text=f"post {i}", poll=spec)
            if spec is not None and i % 2:
                polls.vote(bob, post, [0])
    client.force_login(bob.user)

    def cost(url: str) -> int:
        client.get(url)  # warm the caches (the side panel's key needs the CSRF cookie)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert cost("/?limit=5") == cost("/?limit=40")


def test_the_poll_ended_notification_reads_well(client, trio, run_tasks):
    ana, bob, _ = trio
    post = _publish(ana, run_tasks)
    polls.vote(bob, post, [0])
    Poll.objects.filter(pk=post.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    end_poll.call_local(post.pk)
    client.force_login(ana.user)
    assert "Your poll has ended" in client.get("/notifications").content.decode()
    client.force_login(bob.user)
    html = client.get("/notifications").content.decode()
    assert "A poll by" in html and "that you voted in has ended" in html
