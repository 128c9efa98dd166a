"""Template tags for discovery: the hashtag follow button, people you may know."""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

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


# The side panel's HTML, kept a minute per viewer and set of suggestions (who is suggested is
# still checked on every page, so a followed or dismissed account leaves at once; only names,
# avatars and reasons may lag a minute). The request's CSRF token and path are put in after.
ASIDE_SECONDS = 60
_CSRF_MARK = "plazaasidecsrfmark"
_PATH_MARK = "/plaza-aside-path-mark"


class _MarkedRequest:
    """What the panel's templates read of the request: its path (a mark, replaced later)."""

    def get_full_path(self) -> str:
        return _PATH_MARK


@register.simple_tag(takes_context=True)
def people_you_may_know(context: Any, limit: int = 3) -> str:
    """``{% people_you_may_know %}``: the side-panel block of suggestions with reasons."""
    request = context.get("request")
    user = getattr(request, "user", None)
    viewer = getattr(user, "account", None) if user is not None and user.is_authenticated else None
    if viewer is None:
        return ""
    found = suggestions.people_you_may_know(viewer, limit=limit, wait=False)
    if not found:
        return ""
    token = context.get("csrf_token")
    if request is None or not token or str(token) == "NOTPROVIDED":
        return render_to_string(
            "search/_people_you_may_know.html",
            {"suggestions": found, "request": request, "csrf_token": token},
        )
    shown = ",".join(f"{s.account.pk}:{s.reason}" for s in found)
    key = f"search:aside:{viewer.pk}:{hashlib.sha1(shown.encode()).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "search/_people_you_may_know.html",
            {"suggestions": found, "request": _MarkedRequest(), "csrf_token": _CSRF_MARK},
        )
        cache.set(key, html, ASIDE_SECONDS)
    html = html.replace(_CSRF_MARK, str(escape(str(token))))
    return mark_safe(html.replace(_PATH_MARK, str(escape(request.get_full_path()))))
