"""Reads of scheduled posts. Only their author ever sees them."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import Account
from plaza.errors import NotFound
from posts.models import MediaAttachment
from studio.models import ScheduledPost, ScheduledState


def pending(
    account: Account,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[ScheduledPost]:
    """The account's scheduled posts still to publish, newest first (by id).

    ``min_id`` pages backwards from just above that id (results still newest first).
    """
    qs = ScheduledPost.objects.filter(account=account, state=ScheduledState.SCHEDULED)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    if since_id is not None:
        qs = qs.filter(pk__gt=since_id)
    if min_id is not None:
        rows = list(qs.filter(pk__gt=min_id).order_by("id")[:limit])
        return rows[::-1]
    return list(qs.order_by("-id")[:limit])


def get_pending_for(account: Account, scheduled_id: int | str) -> ScheduledPost:
    """One of the account's pending scheduled posts; :class:`NotFound` for anything else."""
    try:
        pk = int(scheduled_id)
    except (TypeError, ValueError):
        raise NotFound("This scheduled post does not exist.")
    found = ScheduledPost.objects.filter(
        pk=pk, account=account, state=ScheduledState.SCHEDULED
    ).first()
    if found is None:
        raise NotFound("This scheduled post does not exist.")
    return found


def media_of(scheduled: Sequence[ScheduledPost]) -> dict[int, MediaAttachment]:
    """The uploads the given scheduled posts carry, by id, in one query."""
    ids = {i for s in scheduled for i in s.media_ids}
    if not ids:
        return {}
    return {m.pk: m for m in MediaAttachment.objects.filter(pk__in=ids)}


def reserved_media_ids() -> set[int]:
    """Uploads that pending scheduled posts will attach: not abandoned, even if old.

    For :func:`posts.tasks.discard_abandoned_uploads`, which otherwise deletes uploads left
    unattached for a day.
    """
    ids: set[int] = set()
    rows = ScheduledPost.objects.filter(state=ScheduledState.SCHEDULED).exclude(media_ids=[])
    for media_ids in rows.values_list("media_ids", flat=True):
        ids.update(int(i) for i in media_ids)
    return ids
