"""Template context every page needs: the viewer's account and unread notification count."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest

# What the cached parts of the page shell (the navigation in base.html) are drawn from: a
# deploy that changes any of them changes every shell cache key (Redis outlives processes).
_SHELL_FILES = (
    "templates/base.html",
    "templates/components/_nav_link.html",
    "templates/components/_icon.html",
    "accounts/templatetags/plaza_ui.py",
)
_shell_version: list[str] = []


def shell_version() -> str:
    """A digest of the page shell's templates and tags (re-read in development)."""
    if _shell_version and not settings.DEBUG:
        return _shell_version[0]
    digest = hashlib.blake2b(digest_size=6)
    for name in _SHELL_FILES:
        try:
            digest.update((settings.BASE_DIR / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    _shell_version[:] = [digest.hexdigest()]
    return _shell_version[0]


def viewer(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"viewer": None, "unread_notifications": 0, "shell_version": shell_version()}
    account = getattr(user, "account", None)
    from notifications.queries import unread_count

    return {
        "viewer": account,
        "unread_notifications": (lambda: unread_count(account)) if account is not None else 0,
        "shell_version": shell_version(),
    }
