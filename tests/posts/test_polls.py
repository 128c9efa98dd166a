"""Polls through the actions: what a poll may be, who may vote and how often, the counters,
editing, the end (notifications through the task), and the cost of reading polls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Visibility
from feeds.queries import PageRange, home_feed
from network import actions as network
from notifications.models import Notification, NotificationKind
from plaza.errors import ActionError, NotFound
from posts import actions as posts
from posts import polls
from posts.media import upload_media
from posts.models import Poll, PollOption, PollVote, Post
from posts.polls import PollSpec
from posts.queries import cards, with_related
from posts.tasks import end_due_polls, end_poll
from tests.factories import make_account
from tests.posts.helpers import jpeg_upload

pytestmark = pytest.mark.django_db


def _spec(*options: str, **kw) -> PollSpec:
    return PollSpec(options=options or ("Tea", "Coffee"), **kw)


def _expire(post: Post) -> None:
    Poll.objects.filter(pk=post.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))


@pytest.fixture
def ana():
    return make_account("ana")


@pytest.fixture
def bob():
    return make_account("bob")


# --- what a poll may be ------------------------------------------------------------------------


def test_publish_with_a_poll(ana):
    before = timezone.now()
    post = posts.publish(ana, text="Tea or coffee?", poll=_spec(" Tea ", "Coffee", multiple=True))
    poll = Poll.objects.get(pk=post.pk)
    assert Post.objects.get(pk=post.pk).has_poll
    assert [o.title for o in poll.option_list] == ["Tea", "Coffee"]
    assert poll.multiple and not poll.hide_totals
    expected = before + dt.timedelta(seconds=polls.DEFAULT_DURATION)
    assert abs((poll.expires_at - expected).total_seconds()) < 5


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (PollSpec(options=("Only one",)), "at least 2 options"),
        (PollSpec(options=("a", "b", "c", "d", "e")), "at most 4 options"),
        (PollSpec(options=("a", "  ")), "can't be empty"),
        (PollSpec(options=("a", "x" * 51)), "at most 50 characters"),
        (PollSpec(options=("Tea", "TEA")), "different"),
        (PollSpec(options=("a", "b"), expires_in=299), "5 minutes to 30 days"),
        (PollSpec(options=("a", "b"), expires_in=30 * 86400 + 1), "5 minutes to 30 days"),
    ],
)
def test_invalid_polls_are_refused_and_nothing_is_written(ana, spec, message):
    with pytest.raises(ActionError) as exc:
        posts.publish(ana, text="Vote!", poll=spec)
    assert message in exc.value.message and exc.value.field == "poll"
    assert not Post.objects.exists() and not Poll.objects.exists()
    assert not PollOption.objects.exists()


def test_a_poll_and_media_together(ana, bob, client):
    media = upload_media(ana, jpeg_upload())
    post = posts.publish(ana, text="Which?", media=[media], poll=_spec())
    assert post.has_poll and list(post.media.all()) == [media]
    client.force_login(bob.user)
    html = client.get(f"/@ana/{post.pk}").content.decode()
    assert 'name="choice"' in html and (media.thumbnail or media.file).url in html


def test_limits_are_inclusive(ana):
    posts.publish(ana, text="short", poll=_spec("a", "b", "c", "d", expires_in=300))
    posts.publish(ana, text="long", poll=_spec("x" * 50, "y", expires_in=30 * 86400))
    assert Poll.objects.count() == 2


# --- voting ----------------------------------------------------------------------------------------


def test_single_choice_vote_counts(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec("Tea", "Coffee", "Water"))
    carol = make_account("carol")
    polls.vote(bob, post, [1])
    poll = polls.vote(carol, post, [1])
    assert (poll.votes_count, poll.voters_count) == (2, 2)
    assert [o.votes_count for o in poll.option_list] == [0, 2, 0]


def test_single_choice_refuses_two_choices(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec())
    with pytest.raises(ActionError, match="only one choice"):
        polls.vote(bob, post, [0, 1])
    assert not PollVote.objects.exists()


def test_multiple_choice_counts_votes_and_voters(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec("a", "b", "c", multiple=True))
    poll = polls.vote(bob, post, [0, 2, 2])  # a repeated index counts once
    assert (poll.votes_count, poll.voters_count) == (2, 1)
    assert [o.votes_count for o in poll.option_list] == [1, 0, 1]


def test_a_second_vote_is_refused_in_a_single_choice_poll(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec("a", "b", "c"))
    polls.vote(bob, post, [0])
    with pytest.raises(ActionError) as exc:
        polls.vote(bob, post, [1])
    assert exc.value.status == 422 and "You have already voted" in exc.value.message
    poll = Poll.objects.get(pk=post.pk)
    assert (poll.votes_count, poll.voters_count) == (1, 1)


def test_a_multiple_choice_voter_adds_options_each_once(ana, bob):
    """Mastodon's rule: later votes in a multiple-choice poll add options (one voter)."""
    post = posts.publish(ana, text="?", poll=_spec("a", "b", "c", multiple=True))
    polls.vote(bob, post, [1])
    poll = polls.vote(bob, post, [0])
    assert (poll.votes_count, poll.voters_count) == (2, 1)
    assert [o.votes_count for o in poll.option_list] == [1, 1, 0]
    with pytest.raises(ActionError, match="already voted for that option"):
        polls.vote(bob, post, [2, 1])
    poll = Poll.objects.get(pk=post.pk)
    assert (poll.votes_count, poll.voters_count) == (2, 1)
    assert PollVote.objects.filter(account=bob).count() == 2


def test_the_database_keeps_one_ballot_per_account(ana, bob):
    """Two racing ballots both pass the check: the partial unique index stops the second."""
    from django.db import IntegrityError, transaction

    post = posts.publish(ana, text="?", poll=_spec("a", "b", multiple=True))
    poll = Poll.objects.get(pk=post.pk)
    a, b = poll.option_list
    PollVote.objects.create(poll=poll, option=a, account=bob, choice_number=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        PollVote.objects.create(poll=poll, option=b, account=bob, choice_number=0)


def test_invalid_choices(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec())
    for choices in ([], [2], [-1]):
        with pytest.raises(ActionError):
            polls.vote(bob, post, choices)
    assert not PollVote.objects.exists()


def test_the_author_cannot_vote_in_their_own_poll(ana):
    post = posts.publish(ana, text="?", poll=_spec())
    with pytest.raises(ActionError, match="own poll"):
        polls.vote(ana, post, [0])


def test_no_vote_after_the_end(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec())
    _expire(post)
    with pytest.raises(ActionError, match="ended"):
        polls.vote(bob, post, [0])


def test_invisible_or_blocked_posts_are_not_found(ana, bob):
    private = posts.publish(ana, text="?", visibility=Visibility.FOLLOWERS, poll=_spec())
    with pytest.raises(NotFound):
        polls.vote(bob, private, [0])
    public = posts.publish(ana, text="?", poll=_spec())
    network.block(ana, bob)
    with pytest.raises(NotFound):
        polls.vote(bob, public, [0])
    network.unblock(ana, bob)
    network.block(bob, ana)
    with pytest.raises(NotFound):
        polls.vote(bob, public, [0])
    assert not PollVote.objects.exists()


def test_voting_through_a_reshare_votes_in_the_original(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec())
    share = posts.reshare(make_account("carol"), post)
    polls.vote(bob, share, [0])
    assert Poll.objects.get(pk=post.pk).voters_count == 1


# --- editing ------------------------------------------------------------------------------------


def test_edit_with_other_options_resets_the_votes(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec("a", "b"))
    polls.vote(bob, post, [0])
    posts.edit(ana, post, text="?", poll=_spec("a", "b", "c"))
    poll = Poll.objects.get(pk=post.pk)
    assert [o.title for o in poll.option_list] == ["a", "b", "c"]
    assert (poll.votes_count, poll.voters_count) == (0, 0)
    assert not PollVote.objects.exists()
    polls.vote(bob, post, [2])  # a fresh ballot


def test_edit_with_the_same_options_keeps_the_votes_and_moves_the_end(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec("a", "b", expires_in=300))
    polls.vote(bob, post, [1])
    posts.edit(ana, post, text="? (longer)", poll=_spec("a", "b", expires_in=86400))
    poll = Poll.objects.get(pk=post.pk)
    assert poll.voters_count == 1 and poll.expires_at > timezone.now() + dt.timedelta(hours=23)


def test_edit_can_add_keep_and_remove_a_poll(ana):
    post = posts.publish(ana, text="no poll yet")
    posts.edit(ana, post, text="now with one", poll=_spec())
    assert Post.objects.get(pk=post.pk).has_poll
    posts.edit(ana, post, text="text only")  # unchanged by default
    assert Poll.objects.filter(pk=post.pk).exists()
    posts.edit(ana, post, text="gone", poll=None)
    assert not Post.objects.get(pk=post.pk).has_poll and not Poll.objects.exists()


def test_edit_refuses_an_invalid_poll_and_keeps_the_old_one(ana):
    post = posts.publish(ana, text="?", poll=_spec("a", "b"))
    with pytest.raises(ActionError):
        posts.edit(ana, post, text="changed", poll=_spec("a", "A"))
    assert Post.objects.get(pk=post.pk).text == "?"
    assert [o.title for o in Poll.objects.get(pk=post.pk).option_list] == ["a", "b"]


# --- the end ----------------------------------------------------------------------------------------


def test_the_end_notifies_the_author_and_the_voters_once(ana, bob):
    carol, dan = make_account("carol"), make_account("dan")
    post = posts.publish(ana, text="?", poll=_spec())
    polls.vote(bob, post, [0])
    polls.vote(carol, post, [1])
    end_poll.call_local(post.pk)  # too early: nothing
    assert not Notification.objects.filter(kind=NotificationKind.POLL).exists()
    _expire(post)
    network.block(carol, ana)  # carol blocks the author after voting: not told
    end_poll.call_local(post.pk)
    end_poll.call_local(post.pk)  # the sweep or a retry: nobody twice
    told = Notification.objects.filter(kind=NotificationKind.POLL, post=post)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["ana", "bob"]
    assert set(told.values_list("actor_id", flat=True)) == {ana.pk}
    assert dan.pk not in told.values_list("recipient_id", flat=True)
    assert Poll.objects.get(pk=post.pk).ended_at is not None


def test_publishing_schedules_the_end_task(ana, run_tasks, monkeypatch):
    scheduled = []
    monkeypatch.setattr(
        end_poll, "schedule", lambda args, delay: scheduled.append((args, delay)), raising=False
    )
    with run_tasks():
        post = posts.publish(ana, text="?", poll=_spec(expires_in=3600))
    assert len(scheduled) == 1 and scheduled[0][0] == (post.pk,)
    assert 3590 < scheduled[0][1] <= 3600


def test_the_periodic_sweep_ends_what_is_due(ana, bob):
    due = posts.publish(ana, text="due", poll=_spec())
    later = posts.publish(ana, text="later", poll=_spec())
    polls.vote(bob, due, [0])
    _expire(due)
    end_due_polls.call_local()
    told = Notification.objects.filter(kind=NotificationKind.POLL)
    assert set(told.values_list("post_id", flat=True)) == {due.pk}
    assert told.count() == 2
    assert Poll.objects.get(pk=later.pk).ended_at is None


# --- reading ----------------------------------------------------------------------------------------


def _page_cost(reader, limit: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page = home_feed(reader, PageRange(limit=limit))
        shown = cards(reader, page.posts)
        for card in shown:
            if card.poll is not None:
                [o.votes_count for o in card.poll.option_list]
                card.own_votes  # noqa: B018
    return len(ctx.captured_queries)


def test_polls_and_own_votes_of_a_page_in_constant_queries(ana, bob, run_tasks):
    with run_tasks():
        network.follow(bob, ana)
        plain = [posts.publish(ana, text=f"plain {i}") for i in range(10)]
        posts.publish(ana, text="quoting", quote_of=plain[0])
    without_polls = _page_cost(bob, 10)  # nine plain posts and a quote
    with run_tasks():
        for i in range(12):
            post = posts.publish(ana, text=f"poll {i}", poll=_spec(f"a{i}", f"b{i}"))
            if i % 2:
                polls.vote(bob, post, [1])
        posts.publish(ana, text="quoting again", quote_of=plain[0])
    few, many = _page_cost(bob, 3), _page_cost(bob, 13)
    assert few == many
    # Polls cost two queries (polls with options, the reader's ballots), only when present.
    assert many == without_polls + 2


def test_cards_carry_the_viewers_ballot(ana, bob):
    post = posts.publish(ana, text="?", poll=_spec("a", "b", "c", multiple=True))
    polls.vote(bob, post, [2, 0])
    loaded = list(with_related(Post.objects.filter(pk=post.pk)))
    assert cards(bob, loaded)[0].own_votes == (2, 0)  # in the order chosen (Mastodon)
    assert cards(ana, loaded)[0].own_votes is None
    assert cards(None, loaded)[0].own_votes is None
