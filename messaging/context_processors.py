"""Template context for every page: the Messages badge (conversations with unread messages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def unread_messages(request: HttpRequest) -> dict[str, Any]:
    """``unread_messages``: how many accepted, unmuted conversations have unread messages.

    A callable, so the query runs only on pages whose template reads it (not on partials,
    redirects or JSON answers)."""
    user = getattr(request, "user", None)
    account = getattr(user, "account", None) if user is not None and user.is_authenticated else None
    if account is None:
        return {"unread_messages": 0}
    from messaging.queries import unread_total

    return {"unread_messages": lambda: unread_total(account)}
