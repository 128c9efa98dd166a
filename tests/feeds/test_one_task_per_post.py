"""Publishing queues one delivery task that also indexes the post for search."""

from __future__ import annotations

import pytest

from feeds.models import HomeFeedEntry
from network.actions import follow
from posts.actions import publish
from search import index
from search.index import index_posts
from search.parse import parse
from search.queries import search_posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_delivery_task_fans_out_and_indexes(run_tasks):
    author = make_account("writer")
    reader = make_account("reader")
    with run_tasks():
        follow(reader, author)
        post = publish(author, text="Zeppelins over the harbour #airships")
    assert HomeFeedEntry.objects.filter(owner=reader, post=post).exists()
    assert [p.pk for p in search_posts(reader, parse("zeppelins")).posts] == [post.pk]
    # Indexing is idempotent: a retried task (or the search app's own task) changes nothing.
    assert index_posts([post.pk]) == 1
    assert [p.pk for p in search_posts(reader, parse("zeppelins")).posts] == [post.pk]


def test_delivery_task_alone_indexes_the_post(run_tasks):
    from feeds.tasks import fan_out_post

    author = make_account("writer")
    with run_tasks():
        post = publish(author, text="Dirigibles at dawn")
    index.unindex_posts([post.pk])
    assert search_posts(author, parse("dirigibles")).posts == []
    fan_out_post.call_local(post.pk, index=True)
    assert [p.pk for p in search_posts(author, parse("dirigibles")).posts] == [post.pk]
    fan_out_post.call_local(post.pk)  # without ``index`` (reshares): delivery only
