"""Background work for scheduled posts."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from studio import actions


@db_periodic_task(crontab(minute="*"))
def publish_scheduled_posts() -> None:
    """Every minute: publish the scheduled posts that are due."""
    actions.publish_due()
