"""Viewer-independent parts of entities, cached in-process under versioned keys.

A timeline page serializes the same posts and authors for everyone who follows them, so (as
Mastodon does) the part of a Status that is the same for every viewer and the author's
Account entity are built once and reused. Each entry is stored under the object's id with a
*version*: a tuple of everything the cached part is made of (for a post its edit time,
counters, author's name...; for an account every column of its row). A lookup hits only when
the version it computes from the row it just loaded equals the stored one, so an edit, a new
like, a rename or a new avatar is a miss by construction: nothing is ever invalidated, in this
process or another, and no entry can be stale.

What depends on the viewer (favourited, reblogged, bookmarked, muted, pinned, filtered, the
quote's state, quote approval) is never cached: :mod:`mastodon.entities.statuses` overlays it
on a copy per request. Keys never contain anything about a viewer either.

The cache is a plain dict per process (no pickling, no round trip; the a2wsgi threads share
it; dict reads and writes are atomic under the GIL). It is bounded by two generations: when
the young one is full it becomes the old one and the previous old one is dropped, and a hit
in the old generation moves the entry back into the young one.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.db import models

from accounts.models import Account

STATUS_CACHE_SIZE = 8192
ACCOUNT_CACHE_SIZE = 8192


class VersionedCache:
    """``id -> (version, value)``, bounded, LRU-ish; see the module docstring."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._young: dict[int, tuple[Hashable, Any]] = {}
        self._old: dict[int, tuple[Hashable, Any]] = {}

    def get(self, key: int, version: Hashable) -> Any:
        """The value stored for ``key`` at exactly ``version``, or None."""
        entry = self._young.get(key)
        if entry is None:
            entry = self._old.get(key)
            if entry is None:
                return None
            self._store(key, entry)
        if entry[0] != version:
            return None
        return entry[1]

    def set(self, key: int, version: Hashable, value: Any) -> None:
        self._store(key, (version, value))

    def _store(self, key: int, entry: tuple[Hashable, Any]) -> None:
        young = self._young
        if len(young) >= self.size:
            self._old, self._young = young, {}
            young = self._young
        young[key] = entry

    def clear(self) -> None:
        self._young, self._old = {}, {}

    def __len__(self) -> int:
        return len(self._young.keys() | self._old.keys())


statuses = VersionedCache(STATUS_CACHE_SIZE)
accounts = VersionedCache(ACCOUNT_CACHE_SIZE)

_plain_columns: list[str] = []
_file_columns: list[str] = []
_other_columns: list[str] = []


def _columns() -> None:
    for f in Account._meta.concrete_fields:
        if isinstance(f, models.FileField):
            _file_columns.append(f.attname)
        elif isinstance(f, models.JSONField):
            _other_columns.append(f.attname)
        else:
            _plain_columns.append(f.attname)


def account_version(acc: Account) -> tuple[Any, ...]:
    """Every column of the account's row, as loaded: the Account entity is built from the row
    alone, so any change to the profile or its counters (a new column included) changes this.
    Files count by their stored name, JSON values (interests, fields) by their repr."""
    if not _plain_columns:
        _columns()
    row = acc.__dict__
    files = [getattr(row.get(name), "name", row.get(name)) for name in _file_columns]
    return (
        *[row.get(name) for name in _plain_columns],
        *files,
        *[repr(row.get(name)) for name in _other_columns],
    )


def clear() -> None:
    """Forget everything (tests; never needed for correctness)."""
    statuses.clear()
    accounts.clear()
