"""Background work for feeds: thin wrappers over :mod:`feeds.actions`."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from feeds import actions
from notifications.actions import notify_subscribers
from plaza import events
from posts.models import Post


@db_task(retries=3, retry_delay=5)
def fan_out_post(post_id: int, index: bool = False) -> int:
    """Deliver a new post to home feeds and to the notifications of followers who asked for
    them; with ``index``, also put it in the search index.

    One task per published post instead of two (delivery, indexing): each task is a locked
    write to the queue and a dequeue by the consumer. Both steps are idempotent, so a retry
    after a failure in either redoes both harmlessly.
    """
    # With its author: the search document needs the author's names.
    post = Post.objects.select_related("author").filter(pk=post_id).first()
    if post is None:
        return 0  # deleted before delivery
    written = actions.fan_out(post)
    events.home_delivered(post)  # the user streams of connected people whose feed it reached
    notify_subscribers(post)  # followers who turned the bell on for its author
    if index and post.reshare_of_id is None:
        from search.index import index_posts

        index_posts([post.pk], posts=[post])  # as loaded here, not read again
    return written


@db_task(retries=3, retry_delay=5)
def backfill_home_feed(owner_id: int, source_id: int) -> int:
    return actions.backfill(owner_id, source_id)


@db_task(retries=3, retry_delay=5)
def prune_home_feed(owner_id: int, source_id: int) -> int:
    return actions.prune(owner_id, source_id)


@db_task(retries=3, retry_delay=5)
def refan_out_recent_posts(author_id: int) -> int:
    return actions.refan_out_recent(author_id)
