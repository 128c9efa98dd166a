"""Template context every page needs: the viewer's account and unread notification count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def viewer(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"viewer": None, "unread_notifications": 0}
    account = getattr(user, "account", None)
    from notifications.queries import unread_count

    return {
        "viewer": account,
        "unread_notifications": (lambda: unread_count(account)) if account is not None else 0,
    }
