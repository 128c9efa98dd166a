"""Background work of the network app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from network.actions import delete_expired_mutes


@db_periodic_task(crontab(minute="*/10"))
def delete_expired_mutes_task() -> int:
    """Timed mutes that ended already apply nowhere (the default manager skips them);
    this clears their rows so the tables stay small."""
    return delete_expired_mutes()
