"""Mastodon API: scheduled statuses (created by ``POST /api/v1/statuses`` with
``scheduled_at``; stored and published by the studio app)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path

from mastodon.api import ApiError, ApiRequest, by_method, endpoint, paging, with_link_header
from mastodon.entities import statuses as entities
from mastodon.views.statuses import me, parse_when, path_id
from studio import actions as studio_actions
from studio import queries as studio_queries
from studio.models import ScheduledPost


@endpoint("GET", scope="read:statuses")
def scheduled_statuses(request: ApiRequest) -> Any:
    page = paging(request)
    rows = studio_queries.pending(
        me(request),
        max_id=page.max_id,
        since_id=page.since_id,
        min_id=page.min_id,
        limit=page.limit,
    )
    media = studio_queries.media_of(rows)
    return with_link_header(
        request,
        [entities.scheduled_status(s, media) for s in rows],
        next_max_id=rows[-1].pk if len(rows) == page.limit else None,
        prev_min_id=rows[0].pk if rows else None,
    )


def _scheduled(request: ApiRequest, scheduled_id: str) -> ScheduledPost:
    return studio_queries.get_pending_for(me(request), path_id(scheduled_id))


@endpoint("GET", scope="read:statuses")
def get_scheduled(request: ApiRequest, scheduled_id: str) -> Any:
    scheduled = _scheduled(request, scheduled_id)
    return entities.scheduled_status(scheduled, studio_queries.media_of([scheduled]))


@endpoint("PUT", scope="write:statuses")
def update_scheduled(request: ApiRequest, scheduled_id: str) -> Any:
    scheduled = _scheduled(request, scheduled_id)
    when = parse_when(request.data, "scheduled_at")
    if when is None:
        raise ApiError("scheduled_at is required", 422)
    scheduled = studio_actions.reschedule(me(request), scheduled, scheduled_at=when)
    return entities.scheduled_status(scheduled, studio_queries.media_of([scheduled]))


@endpoint("DELETE", scope="write:statuses")
def delete_scheduled(request: ApiRequest, scheduled_id: str) -> Any:
    studio_actions.cancel(me(request), _scheduled(request, scheduled_id))
    return {}


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/scheduled_statuses", scheduled_statuses),
    path(
        "api/v1/scheduled_statuses/<str:scheduled_id>",
        by_method(get=get_scheduled, put=update_scheduled, delete=delete_scheduled),
    ),
]
