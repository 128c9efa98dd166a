"""Template helpers for post cards and the composer. Load with ``{% load posts_ui %}``.

- ``{% visibility_options selected as options %}`` — (value, label, help, selected) tuples.
- ``{{ post.visibility|visibility_icon }}`` / ``|visibility_label`` — icon name and label.
- ``{% post_url post %}`` — the thread page of a post.
- ``{{ media_list|media_layout }}`` — CSS class of a media grid ("one" … "four").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.urls import reverse

from accounts.models import Visibility
from posts.forms import VISIBILITY_HELP, VISIBILITY_ORDER

register = template.Library()

_ICONS: dict[str, str] = {
    Visibility.PUBLIC.value: "globe",
    Visibility.UNLISTED.value: "eye",
    Visibility.FOLLOWERS.value: "lock",
    Visibility.CONNECTIONS.value: "users",
    Visibility.DIRECT.value: "mail",
}


@register.simple_tag
def visibility_options(selected: str | None) -> list[tuple[str, str, str, bool]]:
    """The visibility choices for a select, most open first."""
    return [(v.value, v.label, VISIBILITY_HELP[v], v.value == selected) for v in VISIBILITY_ORDER]


@register.filter
def visibility_icon(value: str) -> str:
    return _ICONS.get(value, "globe")


@register.filter
def visibility_label(value: str) -> str:
    try:
        return str(Visibility(value).label)
    except ValueError:
        return ""


@register.simple_tag
def post_url(post: Any) -> str:
    """The thread page of ``post``: ``/@username/id``."""
    return reverse("posts:detail", args=[post.author.username, post.pk])


@register.filter
def media_layout(media: Sequence[Any]) -> str:
    return {1: "one", 2: "two", 3: "three"}.get(len(media), "four")
