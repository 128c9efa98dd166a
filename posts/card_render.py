"""The post card, rendered with Jinja2.

A feed page draws dozens of cards, each with ~10 URLs, ~10 icons, an avatar and hundreds of
variable look-ups. In the Django template language that was ~85% of the home feed's time
(~55 ms for 40 cards); compiled Jinja2, with each URL name reversed once per process, draws
the same 40 cards in ~6 ms. The markup lives in ``templates/posts/jinja/`` and only there:
Django templates show a card with ``{% load posts_ui %}{% post_card card %}``, which calls
:func:`render_card` (as do the htmx answers of the card actions, via
``posts/_post_response.html``).

The helpers the card shares with Django templates (icons, avatars, relative times, display
names) are the very functions behind the ``plaza_ui`` tags, so both render the same HTML.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import jinja2
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.defaultfilters import filesizeformat, urlencode
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from markupsafe import Markup

from accounts.models import Visibility
from accounts.templatetags.plaza_ui import avatar, display_name, icon, relative_time

# --- presentation helpers (also registered as filters by posts_ui) -------------------------------

_VISIBILITY_ICONS: dict[str, str] = {
    Visibility.PUBLIC.value: "globe",
    Visibility.UNLISTED.value: "eye",
    Visibility.FOLLOWERS.value: "lock",
    Visibility.CONNECTIONS.value: "users",
    Visibility.DIRECT.value: "mail",
}


def visibility_icon(value: str) -> str:
    """The icon name for a visibility value."""
    return _VISIBILITY_ICONS.get(value, "globe")


def visibility_label(value: str) -> str:
    """The human label of a visibility value ("Followers only"), or ``""`` for an unknown one."""
    try:
        return str(Visibility(value).label)
    except ValueError:
        return ""


def media_layout(media: Sequence[Any]) -> str:
    """CSS modifier of a media grid for this many attachments ("one" … "four")."""
    return {1: "one", 2: "two", 3: "three"}.get(len(media), "four")


# --- URLs ------------------------------------------------------------------------------------------

# Placeholders that reverse() leaves as they are; a URL pattern is found by reversing a name
# with them once, then filling in real arguments with str.format. Only arguments that reverse()
# would also leave unquoted take the fast path, so the result is always reverse()'s own.
_USERNAME_PLACEHOLDER = "plazausernameplaceholder"
_ID_PLACEHOLDER = 918273645546372819
_PLAIN_ARG = re.compile(r"[A-Za-z0-9_]+\Z")


@functools.lru_cache(maxsize=256)
def _url_pattern(name: str, shape: str, prefix: str, urlconf: Any) -> str | None:
    # ``prefix`` (the script prefix reverse() reads itself) is only part of the cache key.
    args = [_USERNAME_PLACEHOLDER if kind == "s" else _ID_PLACEHOLDER for kind in shape]
    pattern = reverse(name, args=args, urlconf=urlconf).replace("{", "{{").replace("}", "}}")
    for index, kind in enumerate(shape):
        token = _USERNAME_PLACEHOLDER if kind == "s" else str(_ID_PLACEHOLDER)
        if pattern.count(token) != 1:
            return None
        pattern = pattern.replace(token, f"{{{index}}}")
    return pattern


class UrlBuilder:
    """``url("posts:like", post.pk)`` for one render: ``reverse()``'s result, but each URL name
    is reversed once per process (per script prefix and urlconf) rather than once per card."""

    def __init__(self) -> None:
        self._prefix = get_script_prefix()
        self._urlconf = get_urlconf()

    def __call__(self, name: str, *args: str | int) -> str:
        shape = ""
        for arg in args:
            if isinstance(arg, int) and not isinstance(arg, bool) and arg >= 0:
                shape += "i"
            elif isinstance(arg, str) and _PLAIN_ARG.match(arg):
                shape += "s"
            else:
                return reverse(name, args=args)
        pattern = _url_pattern(name, shape, self._prefix, self._urlconf)
        if pattern is None:
            return reverse(name, args=args)
        return pattern.format(*args)


# --- filters matching the Django ones the card used -----------------------------------------------


def _date(value: datetime | None, fmt: str) -> str:
    # Django's |date sees datetimes already in the current time zone; do the same.
    if not value:
        return ""
    if settings.USE_TZ and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, fmt)


def _truncatechars(value: Any, length: int) -> str:
    return Truncator(value).chars(length)


def _pluralize(value: Any) -> str:
    return "" if value == 1 else "s"


# --- the environment -------------------------------------------------------------------------------

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(settings.BASE_DIR / "templates" / "posts" / "jinja"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # Compiled templates stay in this process; only development re-reads changed files.
    auto_reload=settings.DEBUG,
)
_environment.globals.update(
    icon=icon,
    avatar=avatar,
    relative_time=relative_time,
)
_environment.filters.update(
    display_name=display_name,
    visibility_icon=visibility_icon,
    visibility_label=visibility_label,
    media_layout=media_layout,
    date=_date,
    truncatechars=_truncatechars,
    pluralize=_pluralize,
    filesizeformat=filesizeformat,
    urlencode=urlencode,
)

_CSRF_INPUT = Markup('<input type="hidden" name="csrfmiddlewaretoken" value="{}">')


def _csrf_input(request: HttpRequest | None, csrf_token: Any) -> Markup:
    # As {% csrf_token %}: the page's token when the template context has one, else the request's.
    token = csrf_token or (get_token(request) if request is not None else "")
    if not token or token == "NOTPROVIDED":
        return Markup("")
    return _CSRF_INPUT.format(str(token))


def render_card(
    card: Any,
    *,
    request: HttpRequest | None,
    viewer: Any,
    next_url: str = "",
    is_focus: bool = False,
    csrf_token: Any = None,
) -> SafeString:
    """The HTML of one post card (a ``posts.queries.PostCard``) as ``viewer`` sees it.

    ``next_url`` is where the card's action forms send the browser back to (default: the page
    being shown); ``is_focus`` marks the highlighted post of a thread page. ``csrf_token`` is the
    page's token when the caller has one (Django template context), so every form of a page
    carries the same token.
    """
    here = next_url or (request.get_full_path() if request is not None else "")
    html = _environment.get_template("post_card.jinja").render(
        card=card,
        post=card.post,
        shown=card.shown,
        viewer=viewer,
        here=here,
        is_focus=is_focus,
        url=UrlBuilder(),
        csrf_input=_csrf_input(request, csrf_token),
    )
    return mark_safe(html)
