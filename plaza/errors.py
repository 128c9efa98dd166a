"""Errors that actions raise. Views turn them into form errors or messages; APIs into 4xx JSON."""

from __future__ import annotations


class ActionError(Exception):
    """A request that cannot be carried out as asked. ``status`` is the HTTP status APIs use."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ActionError):
    """The actor may not do this (a block, a locked account, someone else's post)."""

    status = 403


class NotFound(ActionError):
    """The object does not exist or the actor may not see it (indistinguishable on purpose)."""

    status = 404


class RateLimited(ActionError):
    status = 429
