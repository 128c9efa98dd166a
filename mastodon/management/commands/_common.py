"""What the ``plaza_*`` admin commands share: turning action errors into command errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from plaza.errors import ActionError


def command_error(exc: ValidationError | ActionError) -> CommandError:
    """One readable line per field error, the way the web forms show them."""
    if isinstance(exc, ActionError):
        return CommandError(exc.message)
    if hasattr(exc, "error_dict"):
        lines = [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
        return CommandError("; ".join(lines))
    return CommandError("; ".join(exc.messages))
