"""Template tags of the network app: the mute menu's durations, the viewer's private note."""

from __future__ import annotations

from typing import Any

from django import template

from network.models import AccountNote

register = template.Library()


@register.simple_tag
def mute_durations() -> list[tuple[int, str]]:
    """The timed-mute choices, shortest first: (seconds, words)."""
    from network.views import MUTE_DURATIONS

    return [(s, label) for s, label in MUTE_DURATIONS.items() if s]


@register.simple_tag(takes_context=True)
def private_note(context: Any, target: Any) -> str:
    """The signed-in viewer's private note about ``target`` ("" when none, or logged out)."""
    request = context.get("request")
    viewer = getattr(getattr(request, "user", None), "account", None)
    if viewer is None or target is None or viewer.pk == target.pk:
        return ""
    found = AccountNote.objects.filter(account=viewer, target=target).values_list(
        "comment", flat=True
    )
    return next(iter(found), "")
