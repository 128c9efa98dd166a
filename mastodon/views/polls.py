"""Mastodon API: polls (``GET /api/v1/polls/:id``, ``POST /api/v1/polls/:id/votes``).

A poll's id is the id of the post it is on. Both endpoints are viewer-scoped: a poll on a
post the caller can't see (private, blocked either way, a group they are not in) is a 404,
as the post is. Voting follows :func:`posts.polls.vote` (Mastodon's rules: not in one's own
poll, not after the end, one ballot).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path

from mastodon.api import ApiError, ApiRequest, endpoint
from mastodon.entities import statuses as entities
from mastodon.views.statuses import me, path_id
from posts import polls
from posts.models import Post
from posts.queries import get_post_for


def _post(request: ApiRequest, poll_id: str) -> Post:
    post = get_post_for(request.account, path_id(poll_id))
    if not post.has_poll:
        raise ApiError("Record not found", 404)
    return post


@endpoint("GET", scope="read:statuses", auth="optional")
def get_poll(request: ApiRequest, poll_id: str) -> Any:
    return entities.poll(request.account, _post(request, poll_id))


@endpoint("POST", scope="write:statuses")
def vote(request: ApiRequest, poll_id: str) -> Any:
    post = _post(request, poll_id)
    try:
        choices = [int(c) for c in request.data.array("choices")]
    except ValueError:
        raise ApiError("choices must be option indexes (0, 1, ...)", 422)
    polls.vote(me(request), post, choices)
    return entities.poll(request.account, post)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/polls/<str:poll_id>", get_poll),
    path("api/v1/polls/<str:poll_id>/votes", vote),
]
