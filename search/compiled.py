"""Search statements compiled once per shape, the values swapped in on later calls.

The ORM spent ~8 ms of a search page's CPU building the posts' visibility rule
(:func:`posts.queries.visible_posts` is a dozen subqueries) into SQL, against a few
milliseconds for the database to run it. The statement's text depends only on its shape
(logged in or not, which filters, the limit), so it is built once per process and shape from
sentinel values, and later calls only put the real values where the sentinels were. The rules
themselves stay in their querysets: nothing here restates them. Should building a statement
read the database, or a value land in the SQL text rather than in its parameters, the
statement is not reused (it is built on every call, as before). The same approach as
``groups.queries._statement`` (the group page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

# Values no id can take in practice (snowflakes of the year 2200+), one per slot.
VIEWER, GROUP, AUTHOR, MIN_ID, MAX_ID = (918273645546372901 + i for i in range(5))
# A text value (the exact username people search compares with).
NAME = "plaza-sentinel-918273645546372906"
SENTINELS: frozenset[Any] = frozenset({VIEWER, GROUP, AUTHOR, MIN_ID, MAX_ID, NAME})
# The slot of "now" (a timezone-aware datetime the ORM put in, e.g. the unexpired-mutes rule
# of network's Mute manager): the current time is put there on every call.
NOW = -1
_NOW_SLACK = dt.timedelta(seconds=60)

Build = Callable[[dict[int, Any]], tuple[str, list[Any]]]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, Any], ...]  # (position in params, sentinel)


_COMPILED: dict[tuple[Any, ...], _Compiled | None] = {}
_MAX_SHAPES = 512  # offsets are part of some shapes: keep the cache bounded


class _NotStatic(Exception):
    """Building the statement touched the database."""


def _refuse(*args: Any) -> Any:
    raise _NotStatic


def statement(key: tuple[Any, ...], values: dict[int, Any], build: Build) -> tuple[str, list[Any]]:
    """``build(values)``, from the statement compiled once for ``key`` when it can be.

    ``values`` maps each sentinel to its value (None when the shape has no such value: that
    choice must be part of ``key``, as must everything else ``build`` writes into the text).
    """
    full_key = (connection.vendor, *key)
    if full_key not in _COMPILED:
        if len(_COMPILED) >= _MAX_SHAPES:
            _COMPILED.clear()
        _COMPILED[full_key] = _compile(build, values)
    compiled = _COMPILED[full_key]
    if compiled is None:
        return build(values)
    return compiled.sql, _bind(compiled, values, timezone.now())


def _bind(compiled: _Compiled, values: dict[int, Any], now: dt.datetime) -> list[Any]:
    params = list(compiled.params)
    for position, sentinel in compiled.slots:
        if sentinel == NOW:
            # As the ORM passed it: a datetime, or the backend's text for one (SQLite).
            original = params[position]
            params[position] = (
                connection.ops.adapt_datetimefield_value(now) if isinstance(original, str) else now
            )
        else:
            # The backend's own wrapper type (psycopg's Int8 on PostgreSQL), as the ORM
            # passes it.
            params[position] = type(params[position])(values[sentinel])
    return params


def _as_datetime(param: Any) -> Any:
    """``param``, or the datetime it is SQLite's text for (UTC)."""
    if isinstance(param, str) and len(param) >= 19 and param[4:5] == "-" and param[10:11] in " T":
        try:
            return dt.datetime.fromisoformat(param).replace(tzinfo=dt.UTC)
        except ValueError:
            return param
    return param


def _slot(param: Any, built_at: dt.datetime) -> Any:
    if isinstance(param, int) and not isinstance(param, bool) and int(param) in SENTINELS:
        return int(param)
    if isinstance(param, str) and param == NAME:
        return NAME
    when = _as_datetime(param)
    if (
        isinstance(when, dt.datetime)
        and when.tzinfo is not None
        and abs(when - built_at) <= _NOW_SLACK
    ):
        return NOW
    return None


def _compile(build: Build, values: dict[int, Any]) -> _Compiled | None:
    """The statement for ``values``' shape, or None when it can't be reused: building it read
    the database, a value landed in its text, or it differs from what ``values`` build."""
    shape = {s: None if v is None else s for s, v in values.items()}
    built_at = timezone.now()
    try:
        with connection.execute_wrapper(_refuse):
            sql, params = build(shape)
            expected = build(values)
    except _NotStatic:
        return None
    if any(str(s) in sql for s in SENTINELS):
        return None
    slots = tuple(
        (i, slot) for i, p in enumerate(params) if (slot := _slot(p, built_at)) is not None
    )
    compiled = _Compiled(sql, tuple(params), slots)
    # What makes reuse safe: the same text, and every value where the ORM puts it (the
    # second build's "now" where the first had its own).
    # A datetime counts as "now" only if it moved between the two builds (not a fixed value).
    nows = {expected[1][i] for i, slot in slots if slot == NOW and i < len(expected[1])}
    if len(nows) > 1 or any(
        slot == NOW and i < len(expected[1]) and expected[1][i] == params[i] for i, slot in slots
    ):
        return None
    now = _as_datetime(nows.pop()) if nows else built_at
    if (sql, _bind(compiled, values, now)) != (expected[0], list(expected[1])):
        return None
    return compiled


def stand_in(pk: int | None) -> Any:
    """An Account standing for a stored row of id ``pk`` (only its pk is read), or None."""
    if pk is None:
        return None
    from accounts.models import Account

    account = Account(pk=pk)
    account._state.adding = False
    return account
