"""Background work for discovery: thin wrappers over :mod:`search.index`."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from search import index


@db_task(retries=1, retry_delay=30)
def refresh_people_suggestions(viewer_id: int) -> None:
    """ "People you may know" for one viewer, worked out off the request path."""
    from search.suggestions import refresh_people

    refresh_people(viewer_id)


@db_task(retries=3, retry_delay=5)
def index_post(post_id: int) -> int:
    """Index a published or edited post (a deleted one is removed)."""
    return index.index_posts([post_id])
