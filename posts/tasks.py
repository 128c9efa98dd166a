"""Background work for posts: thin wrappers over :mod:`posts.media` and :mod:`posts.polls`."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from posts import media, polls
from posts.models import MediaAttachment


@db_task(retries=2, retry_delay=30)
def process_media(media_id: int) -> None:
    """Finish an upload: ``processing`` → ``ready`` or ``failed``."""
    media.process_attachment(media_id)


@db_periodic_task(crontab(minute="17", hour="*/6"))
def discard_abandoned_uploads() -> None:
    """Remove uploads never attached to a post (a composer closed without posting)."""
    from messaging.queries import attached_media_ids
    from studio.queries import reserved_media_ids

    cutoff = timezone.now() - timedelta(days=1)
    # Uploads waiting for a scheduled post, or sent in a direct message, are not abandoned.
    abandoned = (
        MediaAttachment.objects.filter(post__isnull=True, created_at__lt=cutoff)
        .exclude(pk__in=reserved_media_ids())
        .exclude(pk__in=attached_media_ids())
    )
    for attachment in abandoned[:500]:
        media.discard(attachment)


@db_task(retries=2, retry_delay=60)
def end_poll(poll_id: int) -> None:
    """Scheduled for a poll's end: notify its author and voters (nothing if it moved)."""
    polls.end(poll_id)


@db_periodic_task(crontab(minute="*/5"))
def end_due_polls() -> None:
    """Every five minutes: end the polls whose scheduled task was lost (a restart with a
    volatile queue) or moved."""
    polls.end_due()
