"""Template tags for discovery: the hashtag follow button, people you may know."""

from __future__ import annotations

from typing import Any

from django import template

from search import suggestions
from search.queries import follows_hashtag

register = template.Library()


@register.inclusion_tag("search/_tag_follow_button.html", takes_context=True)
def hashtag_follow_button(context: Any, tag: str) -> dict[str, Any]:
    """``{% hashtag_follow_button tag %}``: Follow / Following for the viewer (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    viewer = getattr(user, "account", None) if user is not None and user.is_authenticated else None
    return {
        "tag": tag,
        "viewer": viewer,
        "following": follows_hashtag(viewer, tag),
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("search/_people_you_may_know.html", takes_context=True)
def people_you_may_know(context: Any, limit: int = 3) -> dict[str, Any]:
    """``{% people_you_may_know %}``: the side-panel block of suggestions with reasons."""
    request = context.get("request")
    user = getattr(request, "user", None)
    viewer = getattr(user, "account", None) if user is not None and user.is_authenticated else None
    return {
        "suggestions": suggestions.people_you_may_know(viewer, limit=limit) if viewer else [],
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
