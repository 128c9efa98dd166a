"""Fan-out is one statement per post, whoever the post is for: the author, mentioned people,
followers of its hashtags and the author's audience (none above the fan-out limit)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from feeds.actions import fan_out
from feeds.models import HomeFeedEntry
from network import actions as network
from posts import actions as posts
from search.actions import follow_hashtag
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _owners(post) -> set[str]:
    return set(HomeFeedEntry.objects.filter(post=post).values_list("owner__username", flat=True))


@pytest.fixture
def people():
    author = make_account("author")
    fan, _mentioned, tagger, blocked_tagger, stranger = (
        make_account(n) for n in ("fan", "mentioned", "tagger", "blockedtagger", "stranger")
    )
    network.follow(fan, author)
    follow_hashtag(tagger, "plaza")
    follow_hashtag(blocked_tagger, "plaza")
    network.block(author, blocked_tagger)
    return author, stranger


def _fan_out_counted(post) -> tuple[int, int]:
    HomeFeedEntry.objects.filter(post=post).delete()  # as if the task had not run yet
    with CaptureQueriesContext(connection) as ctx:
        written = fan_out(post)
    return written, len(ctx.captured_queries)


def test_public_post_one_statement(people):
    author, _ = people
    post = posts.publish(author, text="Hello @mentioned, #plaza")
    written, statements = _fan_out_counted(post)
    assert statements == 1
    assert _owners(post) == {"author", "fan", "mentioned", "tagger"}
    assert written == 4
    assert fan_out(post) == 0  # idempotent: a retried task writes nothing twice


def test_direct_post_reaches_only_author_and_mentioned(people):
    author, _ = people
    post = posts.publish(author, text="@mentioned psst #plaza", visibility="direct")
    _, statements = _fan_out_counted(post)
    assert statements == 1
    assert _owners(post) == {"author", "mentioned"}


def test_reply_to_someone_else_reaches_those_following_both(people):
    author, stranger = people
    question = posts.publish(stranger, text="a question")
    reply = posts.publish(author, text="an answer", in_reply_to=question)
    _, statements = _fan_out_counted(reply)
    assert statements == 1
    assert _owners(reply) == {"author"}  # fan follows the author, not the stranger
    network.follow(Account.objects.get(username="fan"), stranger)
    _fan_out_counted(reply)
    assert _owners(reply) == {"author", "fan"}


def test_above_the_limit_only_author_mentions_and_tags(people, settings):
    settings.PLAZA = settings.PLAZA.model_copy(update={"fanout_limit": 0})
    author, _ = people
    post = posts.publish(author, text="big news @mentioned #plaza")
    _, statements = _fan_out_counted(post)
    assert statements == 1
    assert _owners(post) == {"author", "mentioned", "tagger"}  # followers pull it at read time
