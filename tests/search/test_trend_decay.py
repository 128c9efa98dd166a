"""Trends decay with time: old activity ranks below the same activity now.

The project has no clock-freezing library, and post ids carry their creation time
(:mod:`plaza.ids`), which is what :mod:`search.trends` ages activity by. So the older posts
here are rows written with ids (and ``created_at``) from the past; likes go through the
``like`` action as usual.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Account
from feeds.queries import trending_hashtags, trending_posts
from plaza.ids import id_for_time
from posts.actions import like
from posts.models import Hashtag, Post, PostHashtag
from search import trends
from tests.factories import make_account

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


def post_at(author: Account, text: str, *, hours_ago: float, tags: tuple[str, ...] = ()) -> Post:
    """A public post of ``author`` as if published ``hours_ago`` hours ago."""
    when = timezone.now() - dt.timedelta(hours=hours_ago)
    post = Post.objects.create(
        id=id_for_time(when) + next(_seq),
        author=author,
        text=text,
        html=f"<p>{text}</p>",
        visibility="public",
        created_at=when,
    )
    for name in tags:
        tag, _ = Hashtag.objects.get_or_create(name=name)
        PostHashtag.objects.create(post=post, hashtag=tag)
    return post


def scores() -> dict[str, float]:
    return {name: score for name, score, _posts in trends.hashtag_scores()}


def test_a_tag_used_long_ago_ranks_below_the_same_use_now():
    people = [make_account(f"p{i}") for i in range(3)]
    for p in people:
        post_at(p, "#stale morning", hours_ago=1 + 2 * trends.HALF_LIFE_HOURS, tags=("stale",))
        post_at(p, "#fresh morning", hours_ago=1, tags=("fresh",))
    post_at(people[0], "#gone", hours_ago=trends.WINDOW.total_seconds() / 3600 + 1, tags=("gone",))
    post_at(people[0], "#pair", hours_ago=1, tags=("pair",))
    post_at(people[1], "#pair", hours_ago=1, tags=("pair",))
    found = scores()
    # Same three people, same one post each: two half-lives older weighs a quarter.
    assert found["fresh"] > found["stale"]
    assert found["stale"] / found["fresh"] == pytest.approx(0.25, rel=0.01)
    # Decay beats numbers: three people a day ago count for less than two people now.
    assert found["pair"] > found["stale"]
    assert "gone" not in found  # outside the window
    names = [t.name for t in trending_hashtags()]
    assert names.index("fresh") < names.index("pair") < names.index("stale")


def test_a_post_liked_as_much_or_more_but_older_ranks_lower(client):
    fans = [make_account(f"fan{i}") for i in range(4)]
    old_author, new_author, older_author = (make_account(n) for n in ("old", "new", "older"))
    old = post_at(old_author, "yesterday's news", hours_ago=30)
    new = post_at(new_author, "today's news", hours_ago=1)
    ancient = post_at(older_author, "last week's news", hours_ago=72)
    for fan in fans[:3]:
        like(fan, old)
        like(fan, new)
        like(fan, ancient)
    assert Post.objects.get(pk=old.pk).likes_count == Post.objects.get(pk=new.pk).likes_count == 3
    assert trends.trending_post_ids() == [new.pk, old.pk]  # the week-old one is out of the window
    # Equal scores would also put the newer first (the tie-break): one more like for the old
    # post shows it is the age that keeps it below.
    like(fans[3], old)
    cache.clear()  # the trend list is cached for two minutes
    assert trends.trending_post_ids() == [new.pk, old.pk]
    assert [p.pk for p in trending_posts(None)] == [new.pk, old.pk]
    body = client.get("/api/plaza/v1/trends/posts").json()
    assert [p["id"] for p in body] == [str(new.pk), str(old.pk)]


def test_much_more_engagement_does_not_outlast_the_decay():
    fans = [make_account(f"fan{i}") for i in range(8)]
    a, b = make_account("a"), make_account("b")
    popular_yesterday = post_at(a, "big yesterday", hours_ago=36)
    modest_now = post_at(b, "small now", hours_ago=0.5)
    for fan in fans:
        like(fan, popular_yesterday)
    like(fans[0], modest_now)
    like(fans[1], modest_now)
    # 8 likes / (38 h)^1.5 is far below 2 likes / (2.5 h)^1.5.
    assert trends.trending_post_ids() == [modest_now.pk, popular_yesterday.pk]
