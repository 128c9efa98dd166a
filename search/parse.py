"""Turn what someone typed into a search: words, "phrases", #tags and filters.

Filters: ``from:username``, ``in:group-handle``, ``has:media``, ``before:YYYY-MM-DD``,
``after:YYYY-MM-DD`` and ``type:people|posts|hashtags|groups``. A malformed filter is a clear
:class:`~plaza.errors.ActionError`, never silently ignored (someone who typed ``before:`` meant
it). Unknown ``word:word`` pairs are plain words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from plaza.errors import ActionError
from search.backends import TextQuery, words

MAX_QUERY = 200
MAX_TERMS = 12
TYPES = {"all", "people", "posts", "hashtags", "groups"}
TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
FILTER = re.compile(r"^(from|in|has|before|after|type):(.*)$", re.IGNORECASE)
HANDLE = re.compile(r"^@?(\w{1,50})$")


@dataclass
class ParsedQuery:
    text: TextQuery = field(default_factory=TextQuery)
    raw_words: str = ""  # the plain words, for people/hashtag/group search
    from_user: str | None = None
    in_group: str | None = None
    has_media: bool = False
    before: dt.date | None = None
    after: dt.date | None = None
    type: str | None = None
    author_id: int | None = None  # set by callers that already know the author (APIs)

    @property
    def has_filters(self) -> bool:
        return bool(self.from_user or self.in_group or self.has_media or self.before or self.after)


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ActionError(f"{name}: needs a date like 2026-01-31.", field="q")


def parse(q: str) -> ParsedQuery:
    """Parse a search box's text. Raises :class:`ActionError` for a malformed filter."""
    q = q.strip()
    if len(q) > MAX_QUERY:
        raise ActionError(f"A search can have at most {MAX_QUERY} characters.", field="q")
    out = ParsedQuery()
    plain: list[str] = []
    for match in TOKEN.finditer(q):
        phrase, token = match.group(1), match.group(2)
        if phrase is not None:
            found = words(phrase)
            if len(found) == 1:
                out.text.words.append(found[0])
            elif found:
                out.text.phrases.append(found)
            plain.extend(found)
            continue
        f = FILTER.match(token)
        if f:
            key, value = f.group(1).lower(), f.group(2)
            if key in ("from", "in"):
                handle = HANDLE.match(value)
                if not handle:
                    raise ActionError(f"{key}: needs a username, like {key}:ana.", field="q")
                if key == "from":
                    out.from_user = handle.group(1).lower()
                else:
                    out.in_group = handle.group(1).lower()
            elif key == "has":
                if value.lower() != "media":
                    raise ActionError("Only has:media is supported.", field="q")
                out.has_media = True
            elif key in ("before", "after"):
                setattr(out, key, _date(value, key))
            else:
                if value.lower() not in TYPES:
                    raise ActionError("type: can be people, posts, hashtags or groups.", field="q")
                out.type = value.lower()
            continue
        if token.startswith("#") and len(token) > 1:
            tag = words(token[1:])
            if tag:
                # Tags are indexed as one word ("#data_eng" is "dataeng"): see search.index.
                out.text.tags.append("".join(tag))
                plain.extend(tag)
            continue
        found = words(token)
        out.text.words.extend(found)
        plain.extend(found)
    if len(out.text.words) + len(out.text.phrases) + len(out.text.tags) > MAX_TERMS:
        raise ActionError(f"A search can have at most {MAX_TERMS} words.", field="q")
    if out.before and out.after and out.after >= out.before:
        raise ActionError("after: must be an earlier date than before:.", field="q")
    out.raw_words = " ".join(plain)
    return out
