"""Turn a plain-text bio into the small, safe HTML shown on profiles."""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape
from linkify_it import LinkifyIt

_linkify = LinkifyIt()
_BLANK_LINES = re.compile(r"\n\s*\n+")
_ALLOWED_TAGS = {"p", "br", "a"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "class", "target"}}


def render_bio(text: str) -> str:
    """Escape ``text``, link its URLs and keep paragraphs and line breaks.

    The result is passed through nh3 as well, so even a bug in the linking step cannot produce
    anything but paragraphs, line breaks and ``http(s)``/``mailto`` links.
    """
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    paragraphs = [_render_paragraph(p) for p in _BLANK_LINES.split(text) if p.strip()]
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def _render_paragraph(text: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _linkify.match(text) or []:
        out.append(escape(text[pos : match.index]))
        label = _shorten(match.text)
        out.append(
            f'<a href="{escape(match.url)}" class="bio-link" target="_blank">{escape(label)}</a>'
        )
        pos = match.last_index
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def _shorten(label: str) -> str:
    # Show links the way people read them: no scheme, no "www.", long paths elided.
    label = re.sub(r"^https?://(www\.)?", "", label)
    return label if len(label) <= 40 else f"{label[:39]}…"


def render_field_value(value: str) -> str:
    """A profile field's value as safe HTML: escaped, with its URLs as links (``rel="me"``,
    as Mastodon marks profile links), nothing else."""
    value = value.replace("\r", " ").replace("\n", " ").strip()
    if not value:
        return ""
    out: list[str] = []
    pos = 0
    for match in _linkify.match(value) or []:
        out.append(escape(value[pos : match.index]))
        out.append(
            f'<a href="{escape(match.url)}" target="_blank">{escape(_shorten(match.text))}</a>'
        )
        pos = match.last_index
    out.append(escape(value[pos:]))
    return nh3.clean(
        "".join(out),
        tags={"a"},
        attributes={"a": {"href", "target"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="me nofollow noopener noreferrer",
    )
