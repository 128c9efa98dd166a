"""The instance's statistics are counted at most every few minutes (clients fetch
``/api/v1/instance`` on every start; counting a million posts each time was 30-40 ms)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_counts_are_cached_and_shared_by_every_endpoint(client) -> None:
    cache.delete("instance:stats")
    ana = make_account("ana")
    posts.publish(ana, text="hello")
    first = client.get("/api/v1/instance").json()["stats"]
    assert first == {"user_count": 1, "status_count": 1, "domain_count": 1}
    posts.publish(ana, text="again")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/v1/instance").json()["stats"]
        v2 = client.get("/api/v2/instance").json()
        nodeinfo = client.get("/nodeinfo/2.0").json()
    assert again == first  # within the cache window: the same figures...
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]  # ...and nothing counted
    assert v2["usage"]["users"]["active_month"] == 1
    assert nodeinfo["usage"]["users"] == {"total": 1, "activeMonth": 1, "activeHalfyear": 1}
    cache.delete("instance:stats")
    assert client.get("/api/v1/instance").json()["stats"]["status_count"] == 2
