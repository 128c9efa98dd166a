"""Background work for feeds: thin wrappers over :mod:`feeds.actions`."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from feeds import actions
from plaza import events
from posts.models import Post


@db_task(retries=3, retry_delay=5)
def fan_out_post(post_id: int) -> int:
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        return 0  # deleted before delivery
    written = actions.fan_out(post)
    events.home_delivered(post)  # the user streams of connected people whose feed it reached
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
