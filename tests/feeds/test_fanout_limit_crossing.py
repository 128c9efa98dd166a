"""An account that falls back under the fan-out limit keeps its posts in followers' feeds."""

from __future__ import annotations

import pytest

from feeds.models import HomeFeedEntry
from feeds.queries import PageRange, home_feed
from network import actions as network
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_posts_made_above_the_limit_stay_after_dropping_to_it(run_tasks, settings):
    settings.PLAZA = settings.PLAZA.model_copy(update={"fanout_limit": 2})
    star = make_account("star")
    fans = [make_account(f"fan{i}") for i in range(3)]
    with run_tasks():
        for fan in fans:
            network.follow(fan, star)
    with run_tasks():
        post = posts.publish(star, text="made while big")
    # Above the limit: pulled at read time, not delivered.
    assert not HomeFeedEntry.objects.filter(post=post).exclude(owner=star).exists()
    assert post.pk in [p.pk for p in home_feed(fans[0], PageRange(limit=40)).posts]
    with run_tasks():
        network.unfollow(fans[2], star)  # 3 -> 2 followers: back at the limit
    # No longer pulled, so it must have been delivered.
    for fan in fans[:2]:
        assert post.pk in [p.pk for p in home_feed(fan, PageRange(limit=40)).posts]
    assert post.pk not in [p.pk for p in home_feed(fans[2], PageRange(limit=40)).posts]
