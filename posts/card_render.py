"""The post card, rendered with Jinja2.

A feed page draws dozens of cards, each with ~10 URLs, ~10 icons, an avatar and hundreds of
variable look-ups. In the Django template language that was ~85% of the home feed's time
(~55 ms for 40 cards); compiled Jinja2, with each URL name reversed once per process, draws
the same 40 cards in ~6 ms. The markup lives in ``templates/posts/jinja/`` and only there:
Django templates show a card with ``{% load posts_ui %}{% post_card card %}``, which calls
:func:`render_card` (as do the htmx answers of the card actions, via
``posts/_post_response.html``).

Cards are cached (see "the card cache" below): each post version's HTML is rendered once into
a skeleton with slots for the few per-request bits, so a feed page of cached cards costs a key
per card, one cache round trip and the slot filling. Feeds use ``{% post_cards cards %}`` /
:func:`render_cards` (one round trip for the page).

The helpers the card shares with Django templates (icons, avatars, relative times, display
names) are the very functions behind the ``plaza_ui`` tags, so both render the same HTML.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import operator
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import jinja2
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.defaultfilters import filesizeformat, urlencode
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from markupsafe import Markup, escape

from accounts.models import Visibility
from accounts.templatetags.plaza_ui import (
    avatar,
    display_name,
    icon,
    icon_ref,
    relative_time,
    short_relative,
)

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


def time_left(dt: datetime | None, now: datetime | None = None) -> str:
    """What remains until ``dt``: "ends in 5 minutes", "ends in 3 days"; "ending now" in
    the last minute (a poll past its end shows "ended" instead: that is in the card's key)."""
    if dt is None:
        return ""
    seconds = (dt - (now or timezone.now())).total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"ends in {count} {unit}{_pluralize(count)}"
    return "ending now"


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


class _Icons(dict[tuple[Any, ...], Markup]):
    """``icons["heart", 18]`` in the card templates: ``icon("heart", 18)``, looked up rather
    than called (a Jinja call costs several times a subscript; a card draws ~15 icons). The
    keys are the templates' literal arguments, so the mapping stays small."""

    def __missing__(self, key: tuple[Any, ...]) -> Markup:
        # Drawn from the page's icon sprite (base.html): a card's ~15 icons were half its bytes.
        value = self[key] = Markup(icon_ref(*key))
        return value


_environment.globals.update(
    icons=_Icons(),
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


# --- the card cache --------------------------------------------------------------------------------
#
# Drawing a card is most of a feed page's cost, and almost all of a card is the same for every
# viewer and every request. So each card is rendered once per *version* into a skeleton: its HTML
# with the few per-request bits (the CSRF field, the "next" URL, relative times and dates in the
# viewer's time zone) left as slots, stored in the "cards" cache and filled in on every render.
#
# No invalidation is needed: the key is a digest of everything the template reads from the posts,
# accounts and media (the fingerprint below) plus everything it reads from the viewer (the
# variant: logged in, author, liked, bookmarked, reshared, pinned, their ballot in the poll, the
# quote's visibility), plus a digest of the templates and helpers themselves. An edit, a like, a
# vote, a rename or a new avatar is a new key; the old entry is never read again and ages out.
# Two viewers share an entry only when every viewer-dependent input is the same, so nobody sees
# another viewer's state. A poll's end is in the key too ("expired"), so an open poll's cached
# card is never shown after the end.

CARD_CACHE = "cards"
_CODE_FILES = (
    settings.BASE_DIR / "templates" / "posts" / "jinja" / "post_card.jinja",
    settings.BASE_DIR / "templates" / "posts" / "jinja" / "_post_body.jinja",
    settings.BASE_DIR / "templates" / "posts" / "jinja" / "_media.jinja",
    settings.BASE_DIR / "templates" / "posts" / "jinja" / "_poll.jinja",
    settings.BASE_DIR / "templates" / "components" / "_icon.html",
    settings.BASE_DIR / "templates" / "components" / "_avatar.html",
    settings.BASE_DIR / "accounts" / "templatetags" / "plaza_ui.py",
    settings.BASE_DIR / "posts" / "card_render.py",
)
_code_version_cache: list[str] = []

logger = logging.getLogger(__name__)

# (texts, slot indexes, slots): texts[0] slot texts[1] slot ... texts[-1]
Skeleton = tuple[tuple[str, ...], tuple[int, ...], tuple[tuple[Any, ...], ...]]


def _code_version() -> str:
    """A digest of the card's templates and helpers: a deploy that changes the markup changes
    every key (a shared cache such as Redis outlives processes). Re-read in development."""
    if _code_version_cache and not settings.DEBUG:
        return _code_version_cache[0]
    digest = hashlib.blake2b(digest_size=6)
    for path in _CODE_FILES:
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(str(path).encode())
    version = digest.hexdigest()
    _code_version_cache[:] = [version]
    return version


# What the card templates read from each object (a test checks the templates against these).
POST_FIELDS = (
    "pk",
    "author_id",
    "created_at",
    "visibility",
    "group_id",
    "edited_at",
    "in_reply_to_account_id",
    "content_warning",
    "html",
    "replies_count",
    "reshares_count",
    "quotes_count",
    "likes_count",
    "quote_of_id",
    "reshare_of_id",
    "language",
)
QUOTE_FIELDS = ("pk", "created_at", "content_warning", "text")
ACCOUNT_FIELDS = ("pk", "username", "display_name", "avatar.name", "kind")
MEDIA_FIELDS = (
    "pk",
    "kind",
    "state",
    "file.name",
    "thumbnail.name",
    "preview.name",
    "alt_text",
    "width",
    "height",
    "original_name",
    "page_count",
    "size_bytes",
    "focus_x",
    "focus_y",
    "object_position",
)
# A poll: its counts and end change while the post does not; "expired" turns on by itself.
POLL_FIELDS = (
    "pk",
    "expires_at",
    "expired",
    "multiple",
    "hide_totals",
    "show_totals",
    "votes_count",
    "voters_count",
)
POLL_OPTION_FIELDS = ("title", "votes_count")
_post_fp = operator.attrgetter(*POST_FIELDS)
_poll_attrs = operator.attrgetter(*POLL_FIELDS)
_poll_option_attrs = operator.attrgetter(*POLL_OPTION_FIELDS)
_quote_fp = operator.attrgetter(*QUOTE_FIELDS)
_account_attrs = operator.attrgetter(*ACCOUNT_FIELDS)
_media_attrs = operator.attrgetter(*MEDIA_FIELDS)


def _account_fp(account: Any) -> tuple[Any, ...] | None:
    return None if account is None else _account_attrs(account)


def _media_fp(media: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(_media_attrs(m) for m in media)


def _poll_fp(poll: Any) -> tuple[Any, ...] | None:
    if poll is None:
        return None
    return (_poll_attrs(poll), tuple(_poll_option_attrs(o) for o in poll.option_list))


def _fingerprint(card: Any) -> tuple[Any, ...]:
    """Everything the card's template reads from posts, accounts, media and polls (not the
    viewer)."""
    shown = card.shown
    quote = card.quote
    return (
        _poll_fp(card.poll),
        card.post.pk,
        _account_fp(card.reshared_by),
        _post_fp(shown),
        _account_fp(shown.author),
        _account_fp(shown.in_reply_to_account) if shown.in_reply_to_account_id else None,
        _media_fp(shown.media.all()),
        None
        if quote is None
        else (_quote_fp(quote), _account_fp(quote.author), len(quote.media.all())),
        card.quote_hidden,
    )


def _variant(card: Any, viewer: Any, is_focus: bool) -> tuple[Any, ...]:
    """Everything the card's template reads from the viewer or the page (except the slots)."""
    if viewer is None:
        return (is_focus, False)
    return (
        is_focus,
        True,
        card.shown.author_id == viewer.pk,
        bool(card.liked),
        bool(card.bookmarked),
        bool(card.reshared),
        bool(card.pinned),
        card.own_votes,
    )


def _cache_key(card: Any, viewer: Any, is_focus: bool, prefix: tuple[str, str]) -> str:
    source = repr((prefix, _variant(card, viewer, is_focus), _fingerprint(card)))
    digest = hashlib.blake2b(source.encode(), digest_size=16).hexdigest()
    return f"card:{_code_version()}:{card.post.pk}:{digest}"


class _Slots:
    """Stand-ins for the per-request values while a skeleton is rendered: each distinct slot
    becomes a marker that cannot occur in real content (a random nonce per render)."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(8)
        self.slots: list[tuple[Any, ...]] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def __call__(self, *slot: Any) -> Markup:
        index = self._index.get(slot)
        if index is None:
            index = self._index[slot] = len(self.slots)
            self.slots.append(slot)
        return Markup(f"\x00{self.nonce}:{index}\x00")

    def when(self, dt: datetime | None) -> Markup:
        return self("when", dt)

    def local_date(self, dt: datetime | None, fmt: str) -> Markup:
        return self("date", dt, fmt)

    def until(self, dt: datetime | None) -> Markup:
        return self("until", dt)

    def split(self, html: str) -> Skeleton:
        # str.split on the marker's fixed head, not a regex: a new nonce would be a new pattern
        # to compile on every render.
        first, *rest = html.split(f"\x00{self.nonce}:")
        texts, indexes = [first], []
        for piece in rest:
            index, text = piece.split("\x00", 1)
            indexes.append(int(index))
            texts.append(text)
        return tuple(texts), tuple(indexes), tuple(self.slots)


def _render(card: Any, viewer: Any, is_focus: bool, **per_request: Any) -> str:
    return _environment.get_template("post_card.jinja").render(
        card=card,
        post=card.post,
        shown=card.shown,
        viewer=viewer,
        is_focus=is_focus,
        url=UrlBuilder(),
        **per_request,
    )


def _skeleton(card: Any, viewer: Any, is_focus: bool) -> Skeleton:
    slots = _Slots()
    html = _render(
        card,
        viewer,
        is_focus,
        here=slots("here"),
        here_q=slots("here_q"),
        csrf_input=slots("csrf"),
        when=slots.when,
        local_date=slots.local_date,
        until=slots.until,
    )
    return slots.split(html)


_WHEN_HEADS: dict[tuple[datetime, Any], str] = {}
_WHEN_HEADS_SIZE = 8192


def _when(dt: datetime | None, now: datetime, tz: Any) -> str:
    """``relative_time(dt)``'s HTML, its costly part (the local-time title) computed once per
    time and time zone: only the short label ("5m") changes as time passes."""
    if dt is None:
        return ""
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt, UTC)
    head = _WHEN_HEADS.get((dt, tz))
    if head is None:
        html = str(relative_time(dt))
        head = html[: html.rindex(">", 0, html.rindex("</time>")) + 1]
        if len(_WHEN_HEADS) >= _WHEN_HEADS_SIZE:
            _WHEN_HEADS.clear()
        _WHEN_HEADS[(dt, tz)] = head
    return f"{head}{escape(short_relative(dt, now))}</time>"


class _Filler:
    """Fills skeletons for one request: the slot values, each computed once per request (the
    same time or "next" URL recurs on many cards)."""

    def __init__(self, here: str, csrf_input: Markup) -> None:
        self.values: dict[tuple[Any, ...], str] = {
            ("here",): str(escape(here)),
            ("here_q",): str(escape(urlencode(here))),
            ("csrf",): str(csrf_input),
        }
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()

    def _value(self, slot: tuple[Any, ...]) -> str:
        value = self.values.get(slot)
        if value is None:
            if slot[0] == "when":
                value = _when(slot[1], self.now, self.tz)
            elif slot[0] == "until":
                value = str(escape(time_left(slot[1], self.now)))
            else:  # "date"
                value = str(escape(_date(slot[1], slot[2])))
            self.values[slot] = value
        return value

    def fill(self, skeleton: Skeleton) -> str:
        texts, indexes, slots = skeleton
        values = [self._value(slot) for slot in slots]
        out = [texts[0]]
        for index, text in zip(indexes, texts[1:], strict=True):
            out.append(values[index])
            out.append(text)
        return "".join(out)


def _cache_get_many(keys: list[str]) -> dict[str, Any]:
    # A cache outage (Redis down) costs speed, never the page.
    try:
        return caches[CARD_CACHE].get_many(keys)
    except Exception:  # any backend error, e.g. Redis down
        logger.warning("card cache unavailable", exc_info=True)
        return {}


def _cache_set_many(entries: dict[str, Skeleton]) -> None:
    try:
        caches[CARD_CACHE].set_many(entries)
    except Exception:  # any backend error, e.g. Redis down
        logger.warning("card cache unavailable", exc_info=True)


def render_cards(
    cards: Sequence[Any],
    *,
    request: HttpRequest | None,
    viewer: Any,
    next_url: str = "",
    is_focus: bool = False,
    csrf_token: Any = None,
    cached: bool = True,
) -> list[SafeString]:
    """The HTML of each card (``posts.queries.PostCard``) as ``viewer`` sees it, one cache
    round trip for all of them.

    ``next_url`` is where the cards' action forms send the browser back to (default: the page
    being shown); ``is_focus`` marks the highlighted post of a thread page. ``csrf_token`` is the
    page's token when the caller has one (Django template context), so every form of a page
    carries the same token. ``cached=False`` renders without the card cache (same HTML).
    """
    if not cards:
        return []
    here = next_url or (request.get_full_path() if request is not None else "")
    csrf_input = _csrf_input(request, csrf_token)
    if not cached:
        return [
            _behind_filters(
                card,
                _render(
                    card,
                    viewer,
                    is_focus,
                    here=here,
                    here_q=urlencode(here),
                    csrf_input=csrf_input,
                    when=relative_time,
                    local_date=_date,
                    until=time_left,
                ),
            )
            for card in cards
        ]
    # Reversed URLs and translated labels (visibility, file sizes) depend on these two.
    prefix = (get_script_prefix(), get_language())
    keys = [_cache_key(card, viewer, is_focus, prefix) for card in cards]
    found = _cache_get_many(list(dict.fromkeys(keys)))
    missing: dict[str, Skeleton] = {}
    for key, card in zip(keys, cards, strict=True):
        if key not in found and key not in missing:
            missing[key] = _skeleton(card, viewer, is_focus)
    if missing:
        _cache_set_many(missing)
        found.update(missing)
    filler = _Filler(here, csrf_input)
    return [
        _behind_filters(card, filler.fill(found[key]))
        for key, card in zip(keys, cards, strict=True)
    ]


def _behind_filters(card: Any, html: str) -> SafeString:
    """A card the viewer's "warn" filters matched sits folded behind their titles (outside
    the cached HTML: filters are the viewer's own); it opens without JavaScript."""
    titles = getattr(card, "filtered", ())
    if not titles:
        return mark_safe(html)
    names = ", ".join(str(escape(t)) for t in titles)
    return mark_safe(
        '<details class="filtered-post"><summary><span>Filtered: '
        f'<strong>{names}</strong></span> <span class="filtered-show">Show anyway</span>'
        f"</summary>{html}</details>"
    )


def render_card(
    card: Any,
    *,
    request: HttpRequest | None,
    viewer: Any,
    next_url: str = "",
    is_focus: bool = False,
    csrf_token: Any = None,
) -> SafeString:
    """The HTML of one post card (a ``posts.queries.PostCard``) as ``viewer`` sees it; see
    :func:`render_cards` (which draws a list of cards with one cache round trip)."""
    return render_cards(
        [card],
        request=request,
        viewer=viewer,
        next_url=next_url,
        is_focus=is_focus,
        csrf_token=csrf_token,
    )[0]
