"""Mastodon's OAuth scopes: top-level scopes and the granular ones they cover."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oauth2_provider.scopes import BaseScopes

_READ = (
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
)
_WRITE = (
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
)
_ADMIN = (
    "accounts",
    "reports",
    "domain_allows",
    "domain_blocks",
    "ip_blocks",
    "email_domain_blocks",
    "canonical_email_blocks",
)

TOP_LEVEL = ("read", "write", "follow", "push", "profile", "admin:read", "admin:write")
GRANULAR = (
    *(f"read:{s}" for s in _READ),
    *(f"write:{s}" for s in _WRITE),
    *(f"admin:read:{s}" for s in _ADMIN),
    *(f"admin:write:{s}" for s in _ADMIN),
)
ALL_SCOPES = (*TOP_LEVEL, *GRANULAR)
# The legacy "follow" scope grants what is now read/write of follows, blocks and mutes.
_FOLLOW_COVERS = {f"{rw}:{s}" for rw in ("read", "write") for s in ("follows", "blocks", "mutes")}


def parse(scopes: str | Iterable[str] | None) -> set[str]:
    """Scopes as a set, from a space- or plus-separated string (clients send both)."""
    if scopes is None:
        return set()
    if isinstance(scopes, str):
        scopes = scopes.replace("+", " ").replace(",", " ").split()
    return {s for s in scopes if s}


def covers(granted: set[str], required: str) -> bool:
    """Whether ``granted`` allows ``required`` ("read" covers "read:statuses", and so on)."""
    if required in granted:
        return True
    parts = required.split(":")
    # "admin:read:accounts" is covered by "admin:read"; "read:statuses" by "read".
    for cut in range(len(parts) - 1, 0, -1):
        if ":".join(parts[:cut]) in granted and ":".join(parts[:cut]) not in ("admin",):
            return True
    if required in _FOLLOW_COVERS and "follow" in granted:
        return True
    # "profile" is a narrow scope: only verify_credentials asks for it, and "read" covers it.
    return required == "profile" and bool({"read", "read:accounts"} & granted)


def unknown(scopes: set[str]) -> set[str]:
    return scopes - set(ALL_SCOPES)


class MastodonScopes(BaseScopes):
    """django-oauth-toolkit scopes backend that knows every Mastodon scope."""

    def get_all_scopes(self) -> dict[str, str]:
        return {s: s for s in ALL_SCOPES}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        if application is None:
            return list(ALL_SCOPES)
        registered = parse(getattr(application, "scopes", "read"))
        return [s for s in ALL_SCOPES if covers(registered, s)]

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return ["read"]
