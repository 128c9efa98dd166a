"""Small helpers shared by the feed tests."""

from __future__ import annotations

from collections.abc import Callable

from feeds.queries import FeedPage, PageRange


def ids(page: FeedPage) -> list[int]:
    return [p.pk for p in page.posts]


def walk(fetch: Callable[[PageRange], FeedPage], limit: int) -> list[int]:
    """Follow ``next_max_id`` from the newest page to the end; every id seen, in order."""
    seen: list[int] = []
    page = fetch(PageRange(limit=limit))
    seen += ids(page)
    while page.next_max_id is not None:
        page = fetch(PageRange(max_id=page.next_max_id, limit=limit))
        seen += ids(page)
    return seen


def walk_up(fetch: Callable[[PageRange], FeedPage], start: int, limit: int) -> list[int]:
    """Follow ``min_id`` from ``start`` towards the newest post; every id seen, newest first."""
    seen: list[int] = []
    cursor = start
    while True:
        page = fetch(PageRange(min_id=cursor, limit=limit))
        if not page.posts:
            return seen
        seen = ids(page) + seen
        assert page.prev_min_id is not None
        cursor = page.prev_min_id
