"""Limited (silenced) and suspended accounts stay out of trends: their hashtags don't trend
and their posts don't enter trending posts, for anyone (followers included: trends are a
public surface, like the public and hashtag feeds)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from feeds.queries import trending_hashtags, trending_posts
from moderation import actions
from network.actions import follow
from posts.actions import like, publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sanction", ["limit", "suspend"])
def test_moderated_accounts_stay_out_of_trends(sanction, staff, run_tasks, client):
    loud, fan = make_account("loud"), make_account("fan")
    people = [make_account(f"p{i}") for i in range(3)]
    with run_tasks():
        follow(fan, loud)
        loud_posts = [publish(loud, text=f"look #loudtag {i}") for i in range(3)]
        calm = publish(people[0], text="quiet #calmtag")
        for p in people:
            publish(p, text="me too #calmtag")
            like(p, loud_posts[0])
        like(people[1], calm)
    cache.clear()
    assert "loudtag" in [t.name for t in trending_hashtags()]
    assert loud_posts[0] in trending_posts(fan)
    getattr(actions, sanction)(staff, loud, "Spam")
    cache.clear()
    names = [t.name for t in trending_hashtags()]
    assert "calmtag" in names and "loudtag" not in names
    for viewer in (None, fan, people[0]):
        found = trending_posts(viewer)
        assert calm in found and all(p.author_id != loud.pk for p in found)
    # The APIs read the same lists.
    cache.clear()
    tags = client.get("/api/plaza/v1/trends/hashtags").json()
    assert "loudtag" not in [t["name"] for t in tags]
    ids = [p["id"] for p in client.get("/api/plaza/v1/trends/posts").json()]
    assert str(calm.pk) in ids and not {str(p.pk) for p in loud_posts} & set(ids)
