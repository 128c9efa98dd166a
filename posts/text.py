"""Turning what someone typed into safe HTML: links, @mentions and #hashtags.

Posts are plain text (not Markdown, like Mastodon): paragraphs and line breaks are kept,
URLs, mentions and hashtags become links, everything else is escaped, and the result is
passed through nh3 so nothing but the tags we emit can survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

import nh3
from linkify_it import LinkifyIt

MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{1,30})\b")
HASHTAG_RE = re.compile(r"(?<![\w&#/])#([^\W\d_][\w]{0,99}|\d+[^\W\d][\w]{0,98})", re.UNICODE)
_linkify = LinkifyIt()

ALLOWED_TAGS = {"p", "br", "a", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "class", "rel", "target"}, "span": {"class"}}


@dataclass
class RenderedText:
    html: str
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def extract_mentions(text: str) -> list[str]:
    """Usernames mentioned in ``text``, lowercased, in order of first appearance."""
    seen: dict[str, None] = {}
    for m in MENTION_RE.finditer(text):
        seen.setdefault(m.group(1).lower(), None)
    return list(seen)


def extract_hashtags(text: str) -> list[str]:
    """Hashtag names in ``text``, lowercased, in order of first appearance."""
    seen: dict[str, None] = {}
    for m in HASHTAG_RE.finditer(text):
        seen.setdefault(m.group(1).lower(), None)
    return list(seen)


def _render_line(line: str, known_mentions: set[str], links: list[str]) -> str:
    # Find link spans first so @ and # inside URLs are left alone.
    spans: list[tuple[int, int, str]] = []
    for match in _linkify.match(line) or []:
        spans.append((match.index, match.last_index, match.url))
    out: list[str] = []
    pos = 0
    for start, end, url in spans:
        out.append(_render_tokens(line[pos:start], known_mentions))
        if url.lower().startswith(("http://", "https://")):
            links.append(url)
            shown = line[start:end]
            out.append(
                f'<a href="{escape(url)}" rel="nofollow noopener noreferrer" target="_blank">{escape(shown)}</a>'
            )
        else:
            out.append(escape(line[start:end]))
        pos = end
    out.append(_render_tokens(line[pos:], known_mentions))
    return "".join(out)


def _render_tokens(chunk: str, known_mentions: set[str]) -> str:
    pattern = re.compile(f"{MENTION_RE.pattern}|{HASHTAG_RE.pattern}", re.UNICODE)
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(chunk):
        out.append(escape(chunk[pos : m.start()]))
        if m.group(1) is not None:
            name = m.group(1)
            if name.lower() in known_mentions:
                out.append(f'<a href="/@{escape(name)}" class="mention">@{escape(name)}</a>')
            else:
                out.append(escape(m.group(0)))
        else:
            tag = m.group(2)
            out.append(f'<a href="/tags/{escape(tag.lower())}" class="hashtag">#{escape(tag)}</a>')
        pos = m.end()
    out.append(escape(chunk[pos:]))
    return "".join(out)


def render(text: str, *, known_mentions: set[str] | None = None) -> RenderedText:
    """Render ``text`` to sanitized HTML. Only mentions of ``known_mentions`` become links."""
    known = {m.lower() for m in (known_mentions or set())}
    links: list[str] = []
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip().replace("\r\n", "\n")) if p.strip()]
    html = "".join(
        "<p>" + "<br>".join(_render_line(line, known, links) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        link_rel=None,
        url_schemes={"http", "https"},
    )
    return RenderedText(
        html=clean, mentions=extract_mentions(text), hashtags=extract_hashtags(text), links=links
    )
