"""The languages a post can be marked as written in (ISO 639 codes, as Mastodon's ``language``).

Taken from Django's own list of languages (every one with a plain ISO 639 code) plus Chinese;
each with its name in that language, which is how people look for their own. A post's
language is optional: the author's default (a setting) when they don't choose one, else
none. It is shown to screen readers (``lang`` on the post's text) and to API clients.
"""

from __future__ import annotations

from functools import cache

from django.conf.locale import LANG_INFO

from plaza.errors import ActionError


@cache
def languages() -> dict[str, str]:
    """``{code: name in that language}``, ordered by code."""
    found = {
        code: str(info["name_local"])
        for code, info in LANG_INFO.items()
        if "-" not in code and "name_local" in info
    }
    found["zh"] = "中文"
    return dict(sorted(found.items()))


def choices() -> list[tuple[str, str]]:
    """For a form's select: ("", "—") first, then every language as "name (code)"."""
    return [("", "—"), *((code, f"{name} ({code})") for code, name in languages().items())]


def clean_language(value: str | None, *, field: str = "language") -> str:
    """``value`` as a known code ("" for none); :class:`ActionError` for anything else.
    Accepts a region or script suffix ("en-GB", "pt_BR", "zh-Hant") and keeps the language."""
    code = (value or "").strip().lower().replace("_", "-").split("-", 1)[0]
    if not code:
        return ""
    if code not in languages():
        raise ActionError(
            f"Unknown language code {value!r}: use an ISO 639 code like en.", field=field
        )
    return code
