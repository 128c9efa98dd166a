"""Reads of notifications, always for their recipient."""

from __future__ import annotations

from accounts.models import Account
from notifications.models import Notification


def unread_count(account: Account) -> int:
    """How many notifications ``account`` has not read yet."""
    return Notification.objects.filter(recipient=account, read_at__isnull=True).count()
