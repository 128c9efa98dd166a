"""Time-sortable 64-bit ids (snowflake style), so ``max_id``/``since_id`` paging is a range scan.

Layout: 48 bits of milliseconds since the Unix epoch, then 16 low bits: 6 bits that identify
the process (random per process) and a 10-bit sequence within the millisecond. Ids made by
one process are strictly increasing; ids made by different processes in the same
millisecond differ in their process bits. Mastodon uses the same 48/16 split, so an id can be
turned back into its creation time and clients may build ``max_id`` values from timestamps.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

_lock = threading.Lock()
_process_bits = random.getrandbits(6)
_last_ms = 0
_sequence = 0


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def new_id() -> int:
    """A fresh id, larger than every id this process made before."""
    global _last_ms, _sequence
    with _lock:
        ms = _now_ms()
        if ms <= _last_ms:
            ms = _last_ms
            _sequence += 1
            if _sequence >= 1024:
                # Over 1,024 ids in one millisecond: borrow the next millisecond.
                ms += 1
                _sequence = 0
        else:
            _sequence = random.getrandbits(4)
        _last_ms = ms
        return (ms << 16) | (_process_bits << 10) | _sequence


def id_for_time(when: dt.datetime, *, upper: bool = False) -> int:
    """The smallest (or, with ``upper``, largest) id that could have been made at ``when``."""
    ms = int(when.timestamp() * 1000)
    return (ms << 16) | (0xFFFF if upper else 0)


def time_of(ident: int) -> dt.datetime:
    """When an id was made."""
    return dt.datetime.fromtimestamp((ident >> 16) / 1000, tz=dt.UTC)


def is_digits(text: str) -> bool:
    """Whether ``text`` is ASCII digits only. ``str.isdigit`` also accepts other scripts'
    digits and superscripts ("³"), which ``int()`` refuses: a 500 where a 404 belongs."""
    return text.isascii() and text.isdigit()
