"""Rate limits on sign-up, posting, messaging and following: one mechanism, the Django cache.

A rule allows ``limit`` hits per ``window`` seconds for one key (an account id or an IP
address), counted in fixed windows: the counter lives in the cache under a key that names the
window, so it expires by itself and costs one ``incr`` per hit (an atomic ``INCR`` on Redis).

Callers put one :func:`hit` right before the action they guard (so nothing is written when
the limit is reached)::

    ratelimit.hit("post", viewer)          # raises RateLimitExceeded (a 429 ActionError)
    post = actions.publish(viewer, ...)

:class:`RateLimitExceeded` is a :class:`plaza.errors.RateLimited` (an ``ActionError`` with
status 429), so every caller's existing error handling shows it: a form error or message on
the web, ``{"error": ...}`` with status 429 on both APIs, whose error hooks add the
``X-RateLimit-Limit``/``-Remaining``/``-Reset`` headers from :attr:`RateLimitExceeded.headers`.

The limits are module constants (:data:`RULES`); tests shrink them with ``monkeypatch``. The
numbers follow Mastodon's defaults where it has one (300 posts per 3 hours, 400 follows a
day, 5 sign-ups per IP per 30 minutes).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import Account
from plaza.errors import RateLimited


@dataclass(frozen=True)
class Rule:
    """``limit`` hits per ``window`` seconds; ``doing`` names the activity in messages."""

    limit: int
    window: int
    doing: str


RULES: dict[str, Rule] = {
    "signup": Rule(limit=5, window=30 * 60, doing="signing up"),
    "post": Rule(limit=300, window=3 * 60 * 60, doing="posting"),
    "message": Rule(limit=200, window=60 * 60, doing="sending messages"),
    "follow": Rule(limit=400, window=24 * 60 * 60, doing="following people"),
    "report": Rule(limit=60, window=60 * 60, doing="sending reports"),
}


@dataclass(frozen=True)
class Usage:
    limit: int
    remaining: int
    reset_at: int  # Unix time at which the current window ends

    @property
    def headers(self) -> dict[str, str]:
        """Mastodon's headers: the limit, what is left, and when the window resets (ISO 8601)."""
        reset = dt.datetime.fromtimestamp(self.reset_at, tz=dt.UTC)
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }


class RateLimitExceeded(RateLimited):
    """Too many hits: a 429 whose :attr:`headers` tell the client when to come back."""

    def __init__(self, message: str, usage: Usage) -> None:
        super().__init__(message)
        self.usage = usage
        self.headers = usage.headers


def _key_of(who: Account | HttpRequest | str | int) -> str:
    if isinstance(who, Account):
        return f"a{who.pk}"
    if isinstance(who, HttpRequest):
        return f"ip{client_ip(who)}"
    return str(who)


def client_ip(request: HttpRequest) -> str:
    """The caller's address. Behind a proxy, configure it to set ``REMOTE_ADDR`` (trusting
    ``X-Forwarded-For`` blindly would let anyone pick their own key)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _window(rule: Rule, now: float) -> tuple[int, int]:
    start = int(now) - int(now) % rule.window
    return start, start + rule.window


def hit(name: str, who: Account | HttpRequest | str | int) -> Usage:
    """Count one ``name`` hit for ``who`` (an account, a request — its IP —, or a key).

    Raises :class:`RateLimitExceeded` when the window's allowance is used up (the refused
    hit is not counted against the next window).
    """
    rule = RULES[name]
    start, end = _window(rule, time.time())
    key = f"ratelimit:{name}:{_key_of(who)}:{start}"
    # add() is a no-op when the key exists, so concurrent first hits don't reset the count.
    cache.add(key, 0, rule.window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, rule.window + 5)
        count = 1
    usage = Usage(limit=rule.limit, remaining=max(0, rule.limit - count), reset_at=end)
    if count > rule.limit:
        minutes = max(1, round((end - time.time()) / 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        raise RateLimitExceeded(
            f"You are {rule.doing} too fast. Please try again in {wait}.", usage
        )
    return usage


def usage(name: str, who: Account | HttpRequest | str | int) -> Usage:
    """The current window's usage for ``who``, without counting a hit."""
    rule = RULES[name]
    start, end = _window(rule, time.time())
    count = cache.get(f"ratelimit:{name}:{_key_of(who)}:{start}", 0)
    return Usage(limit=rule.limit, remaining=max(0, rule.limit - count), reset_at=end)
