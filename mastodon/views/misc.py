"""Mastodon API: what Plaza has no storage for yet (announcements), answered
truthfully — an empty list where empty is the truth, 404 for an id that cannot exist, a clear
422 for a write that cannot be kept — and the instance's weekly activity."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone

from accounts.models import Account
from mastodon.api import ApiError, ApiRequest, endpoint
from mastodon.views import extras
from plaza.ids import id_for_time
from posts.models import Post

ACTIVITY_WEEKS = 12


def _not_found(request: ApiRequest, *args: Any, **kwargs: Any) -> Any:
    raise ApiError("Record not found", 404)


# --- announcements, activity ------------------------------------------------------------


@endpoint("GET", auth="optional")
def announcements(request: ApiRequest) -> Any:
    return []


announcement_write = endpoint("POST", "PUT", "DELETE", scope="write:accounts")(_not_found)


@endpoint("GET", auth="optional")
def instance_activity(request: ApiRequest) -> Any:
    """Posts, log-ins and sign-ups per week for the last twelve weeks (weeks start on Monday,
    UTC), newest first, counts as strings — three grouped queries."""
    now = timezone.now().astimezone(dt.UTC)
    this_week = (now - dt.timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    starts = [this_week - dt.timedelta(weeks=i) for i in range(ACTIVITY_WEEKS)]
    first = starts[-1]

    def week_of(when: dt.datetime) -> dt.datetime:
        when = when.astimezone(dt.UTC)
        return (when - dt.timedelta(days=when.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )

    posts: dict[dt.datetime, int] = {}
    week_ids = [(s, id_for_time(s)) for s in starts]
    # ids carry their creation time, so a week is an id range: count per range in one query
    counted = Post.objects.filter(id__gte=id_for_time(first), reshare_of__isnull=True).aggregate(
        **{
            f"w{i}": Count(
                "id",
                filter=_id_range(low, week_ids[i - 1][1] if i else None),
            )
            for i, (_, low) in enumerate(week_ids)
        }
    )
    for i, (start, _) in enumerate(week_ids):
        posts[start] = counted[f"w{i}"] or 0
    logins: dict[dt.datetime, int] = {s: 0 for s in starts}
    for when in (
        get_user_model().objects.filter(last_login__gte=first).values_list("last_login", flat=True)
    ):
        if when is not None:
            logins[week_of(when)] = logins.get(week_of(when), 0) + 1
    signups: dict[dt.datetime, int] = {s: 0 for s in starts}
    for when in Account.objects.filter(created_at__gte=first).values_list("created_at", flat=True):
        signups[week_of(when)] = signups.get(week_of(when), 0) + 1
    return [
        {
            "week": str(int(s.timestamp())),
            "statuses": str(posts.get(s, 0)),
            "logins": str(logins.get(s, 0)),
            "registrations": str(signups.get(s, 0)),
        }
        for s in starts
    ]


def _id_range(low: int, high: int | None) -> Q:
    return Q(id__gte=low) if high is None else Q(id__gte=low, id__lt=high)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/announcements", announcements),
    path("api/v1/announcements/<str:announcement_id>/dismiss", announcement_write),
    path("api/v1/instance/activity", instance_activity),
    *extras.urlpatterns,
]
