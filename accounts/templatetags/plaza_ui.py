"""Template tags of the Plaza design system. Load with ``{% load plaza_ui %}``.

- ``{% nav_link "feeds:home" "Home" icon="home" badge=count %}`` — a navigation link that
  renders nothing when the URL name does not exist (so the shell works before an app lands).
- ``{% url_or_empty "posts:compose" as compose_url %}`` — reverse, or ``""`` when missing.
- ``{% icon "bell" size=20 %}`` — an inline SVG icon from ``components/_icon.html``.
- ``{% avatar account size=48 %}`` — the avatar image, or initials on a colour from the id.
- ``{% relative_time dt %}`` — "now", "5m", "3h", "2d", "Apr 3" in a ``<time>`` element.
- ``{{ account|display_name }}`` — display name, falling back to the username.
- ``{% field_widget field %}`` — a form field's widget with the design system's classes and
  ARIA attributes (used by ``components/_field.html``).
"""

from __future__ import annotations

import functools
import re
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from django import template
from django.conf import settings
from django.forms import BoundField
from django.template.context import Context
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_AVATAR_PALETTE = (
    ("#1d4ed8", "#dbeafe"),
    ("#047857", "#d1fae5"),
    ("#b45309", "#fef3c7"),
    ("#be185d", "#fce7f3"),
    ("#6d28d9", "#ede9fe"),
    ("#0e7490", "#cffafe"),
    ("#b91c1c", "#fee2e2"),
    ("#4d7c0f", "#ecfccb"),
)


def _reverse_or_empty(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return ""


@register.simple_tag
def url_or_empty(name: str, *args: Any) -> str:
    """``reverse(name)``, or ``""`` when no such URL is registered (yet)."""
    return _reverse_or_empty(name, *args)


@register.simple_tag(takes_context=True)
def nav_link(
    context: Context,
    name: str,
    label: str,
    icon: str = "",
    badge: int | None = None,
    css_class: str = "nav-link",
) -> SafeString:
    """A nav link to URL ``name`` marked ``aria-current`` when it is the page being shown."""
    url = _reverse_or_empty(name)
    if not url:
        return mark_safe("")
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == url or (url != "/" and path.startswith(url.rstrip("/") + "/"))
    return _nav_link_html(url, str(label), str(icon), int(badge or 0), current, str(css_class))


@functools.lru_cache(maxsize=1024)
def _nav_link_html(
    url: str, label: str, icon: str, badge: int, current: bool, css_class: str
) -> SafeString:
    # Every page draws ~10 nav links; the HTML depends only on the arguments.
    return mark_safe(
        render_to_string(
            "components/_nav_link.html",
            {
                "url": url,
                "label": label,
                "icon": icon,
                "badge": badge,
                "current": current,
                "css_class": css_class,
            },
        )
    )


@register.simple_tag
def icon(name: str, size: int = 20, label: str = "") -> SafeString:
    """An inline SVG icon; decorative unless ``label`` is given."""
    return _icon_svg(str(name), int(size), str(label))


@functools.lru_cache(maxsize=2048)
def _icon_svg(name: str, size: int, label: str) -> SafeString:
    # A feed page draws hundreds of icons; rendering the template each time was a third of
    # the page's cost (bench/README.md). The output depends only on the arguments.
    return mark_safe(
        render_to_string("components/_icon.html", {"name": name, "size": size, "label": label})
    )


# --- the icon sprite: each icon's drawing once per page, referenced with <use> -----------

_SPRITE_ATTRS = (
    'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round"'
)


@functools.lru_cache(maxsize=1)
def _sprite_names() -> tuple[str, ...]:
    # The names _icon.html draws (its if/elif chain), so the sprite can't miss one.
    source = (settings.BASE_DIR / "templates" / "components" / "_icon.html").read_text()
    return tuple(dict.fromkeys(re.findall(r'name == "([a-z-]+)"', source)))


def _drawing(name: str) -> str:
    svg = str(_icon_svg(name, 24, ""))
    return svg[svg.index(">") + 1 : svg.rindex("</svg>")]


@register.simple_tag
@functools.lru_cache(maxsize=1)
def icon_sprite() -> SafeString:
    """Every icon's drawing as a ``<symbol>``, once per page (in base.html), so the hundreds
    of icons on a feed page are short ``<use>`` references (:func:`icon_ref`)."""
    symbols = "".join(
        f'<symbol id="i-{n}" {_SPRITE_ATTRS}>{_drawing(n)}</symbol>' for n in _sprite_names()
    )
    return mark_safe(
        '<svg xmlns="http://www.w3.org/2000/svg" class="icon-sprite" aria-hidden="true" '
        f'style="position:absolute;width:0;height:0;overflow:hidden">{symbols}</svg>'
    )


@functools.lru_cache(maxsize=2048)
def icon_ref(name: str, size: int = 20, label: str = "") -> SafeString:
    """An icon drawn from the page's sprite: what :func:`icon` shows, in a tenth of the bytes.
    Only for pages that include ``{% icon_sprite %}`` (everything extending base.html)."""
    if name not in _sprite_names():
        return icon(name, size, label)
    a11y = (
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        if label
        else 'aria-hidden="true" focusable="false">'
    )
    return mark_safe(
        f'<svg class="icon icon-{name}" width="{size}" height="{size}" {a11y}'
        f'<use href="#i-{name}"></use></svg>'
    )


@register.filter
def display_name(account: Any) -> str:
    """The account's display name, or its username when it has none."""
    if account is None:
        return ""
    return str(getattr(account, "display_name", "") or getattr(account, "username", ""))


def _initials(account: Any) -> str:
    name = display_name(account).strip() or "?"
    words = [w for w in name.replace("_", " ").split() if w[:1].isalnum()]
    if len(words) >= 2:
        return (words[0][0] + words[1][0]).upper()
    return (words[0][:1] if words else name[:1]).upper()


@register.simple_tag
def avatar(account: Any, size: int = 48, css_class: str = "", alt: str = "") -> SafeString:
    """The account's avatar at ``size`` pixels, or its initials on a colour from its id;
    ``alt`` describes the picture (default: the account's name)."""
    image = getattr(account, "avatar", None)
    key = (
        int(getattr(account, "id", 0) or 0),
        int(size),
        str(css_class),
        image.name if image else "",
        str(alt) if alt and image else display_name(account),
        bool(getattr(account, "is_organization", False)),
    )
    # A feed page draws an avatar per card; the HTML depends only on the key, so render each
    # once. Bounded: emptied when full (a new name or picture is a new key).
    html = _AVATAR_CACHE.get(key)
    if html is None:
        if len(_AVATAR_CACHE) >= _AVATAR_CACHE_SIZE:
            _AVATAR_CACHE.clear()
        html = _AVATAR_CACHE[key] = _render_avatar(account, *key)
    return html


_AVATAR_CACHE: dict[tuple[int, int, str, str, str, bool], SafeString] = {}
_AVATAR_CACHE_SIZE = 4096


def _render_avatar(
    account: Any,
    account_id: int,
    size: int,
    css_class: str,
    image_name: str,
    name: str,
    is_org: bool,
) -> SafeString:
    fg, bg = _AVATAR_PALETTE[zlib.crc32(str(account_id).encode()) % len(_AVATAR_PALETTE)]
    return mark_safe(
        render_to_string(
            "components/_avatar.html",
            {
                "account": account,
                "size": size,
                "url": account.avatar.url if image_name else "",
                "initials": _initials(account),
                "fg": fg,
                "bg": bg,
                "font_size": max(10, round(size * 0.4)),
                "is_org": is_org,
                "css_class": css_class,
                "name": name,
            },
        )
    )


def short_relative(dt: datetime, now: datetime | None = None) -> str:
    """ "now", "5m", "3h", "2d", then "Apr 3" (this year) or "Apr 3, 2023"."""
    now = now or timezone.now()
    delta = now - dt
    if delta < timedelta(seconds=60):
        return "now"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}m"
    if delta < timedelta(days=1):
        return f"{int(delta.total_seconds() // 3600)}h"
    if delta < timedelta(days=7):
        return f"{delta.days}d"
    local = timezone.localtime(dt)
    if local.year == timezone.localtime(now).year:
        return f"{local:%b} {local.day}"
    return f"{local:%b} {local.day}, {local.year}"


@register.simple_tag
def relative_time(dt: datetime | None) -> SafeString:
    """``<time>`` with a short relative label and the full local time as its title."""
    if dt is None:
        return mark_safe("")
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt, UTC)
    local = timezone.localtime(dt)
    title = f"{local:%A, %B} {local.day}, {local.year} at {local:%H:%M} {local.tzname() or ''}"
    return format_html(
        '<time class="reltime" datetime="{}" title="{}">{}</time>',
        dt.isoformat(),
        title.strip(),
        short_relative(dt),
    )


@register.simple_tag
def field_widget(field: BoundField, **attrs: Any) -> SafeString:
    """Render ``field``'s widget with ``aria-describedby``/``aria-invalid`` and our classes."""
    widget_type = field.widget_type
    classes = {
        "checkbox": "checkbox",
        "select": "input select",
        "file": "file-input",
        "radioselect": "radio",
    }.get(widget_type, "input")
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    final: dict[str, Any] = {"class": classes}
    if described:
        final["aria-describedby"] = " ".join(described)
    if field.errors:
        final["aria-invalid"] = "true"
    final.update(attrs)
    return field.as_widget(attrs=final)
