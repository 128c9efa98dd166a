"""Feed pages cost the same number of queries for 5 posts as for 40, and use indexes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feeds.queries import PageRange, hashtag_feed, home_feed, profile_feed, public_feed
from network import actions as network
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _count(client, url: str, **headers: str) -> int:
    # Warm caches (trending, suggestions pool, sessions, the side panel — whose key includes
    # the CSRF cookie, which the first response sets).
    client.get(url, **headers)
    client.get(url, **headers)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def network_with_posts(run_tasks):
    authors = [make_account(f"author{i}") for i in range(4)]
    reader = make_account("reader")
    with run_tasks():
        for author in authors:
            network.follow(reader, author)
        for i in range(48):
            post = posts.publish(authors[i % 4], text=f"post {i} #plaza")
            if i % 5 == 0:
                posts.like(reader, post)
        # A reshare and a quote so every card shape is on the page.
        posts.reshare(authors[1], post)
        posts.publish(authors[2], text="quoting #plaza", quote_of=post)
    return reader, authors


@pytest.mark.parametrize(
    "url",
    ["/", "/public", "/tags/plaza", "/@author1", "/@author1/with_replies", "/@author1/media"],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_same_number_of_queries_for_5_and_40_posts(client, network_with_posts, url, htmx):
    reader, _ = network_with_posts
    client.force_login(reader.user)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    small = _count(client, f"{url}?limit=5", **headers)
    large = _count(client, f"{url}?limit=40", **headers)
    assert small == large, (url, small, large)


def test_anonymous_pages_same_number_of_queries(client, network_with_posts):
    for url in ("/public", "/tags/plaza", "/@author2"):
        assert _count(client, f"{url}?limit=5") == _count(client, f"{url}?limit=40"), url


def _plans(run) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        run()
    details: list[str] = []
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            details += [row[3] for row in cursor.fetchall()]
    return details


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite query plans")
def test_feed_queries_use_indexes_not_table_scans(network_with_posts, settings):
    reader, authors = network_with_posts
    settings.PLAZA = settings.PLAZA.model_copy(update={"fanout_limit": 0})  # pull path too
    # No ANALYZE: statistics of this 50-post database would (rightly) make SQLite scan tiny
    # tables; without them it plans as for a big instance, which is what this test is about.
    page = PageRange(max_id=2**62, limit=40)
    for name, run in {
        "home": lambda: home_feed(reader, page),
        "profile": lambda: profile_feed(reader, authors[1], page),
        "public": lambda: public_feed(reader, page),
        "hashtag": lambda: hashtag_feed(reader, "plaza", page),
    }.items():
        plan = _plans(run)
        scans = [
            line
            for line in plan
            if line.startswith("SCAN")
            and any(t in line for t in ("posts_post", "feeds_homefeedentry", "posts_posthashtag"))
        ]
        assert not scans, (name, plan)
        assert not any("TEMP B-TREE FOR ORDER BY" in line for line in plan[:3]), (name, plan)
