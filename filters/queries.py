"""Reads of filters, always scoped to their owner, and :func:`match`, the one function that
says which of someone's filters a page of posts trips.

Matching costs one query per page (the viewer's active keywords and filtered posts, with their
filters, in one ``UNION ALL``), plus one for media descriptions when posts come without their
media loaded. Keywords are compiled into one case-insensitive expression (cached by keyword
set), so a page of posts that trips nothing is one regex search per post.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Account
from filters.models import Filter, FilterAction, FilterKeyword, FilterStatus
from plaza.errors import NotFound
from plaza.ids import is_digits
from posts.models import MediaAttachment, Post

NOT_FOUND = "Record not found"
# Keywords and posts in the order they were added.
_RULES = (
    Prefetch("keywords", queryset=FilterKeyword.objects.order_by("id")),
    Prefetch("statuses", queryset=FilterStatus.objects.order_by("id")),
)


# --- the owner's filters ---------------------------------------------------------------------


def filters_for(viewer: Account) -> list[Filter]:
    """The viewer's filters, expired ones included (clients show them), newest first, with
    keywords and filtered posts loaded (three queries)."""
    return list(Filter.objects.filter(account=viewer).prefetch_related(*_RULES).order_by("-id"))


def get_filter_for(viewer: Account, filter_id: int | str) -> Filter:
    """One of the viewer's filters, with keywords and posts; someone else's is a 404."""
    pk = _pk(filter_id)
    found = (Filter.objects.filter(account=viewer, pk=pk).prefetch_related(*_RULES)).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def keywords_for(viewer: Account) -> list[FilterKeyword]:
    """All of the viewer's keywords with their filters (Mastodon v1 filters), newest first."""
    return list(
        FilterKeyword.objects.filter(filter__account=viewer)
        .select_related("filter")
        .order_by("-id")
    )


def get_keyword_for(viewer: Account, keyword_id: int | str) -> FilterKeyword:
    """One of the viewer's keywords, with its filter; anyone else's is a 404."""
    found = (
        FilterKeyword.objects.filter(filter__account=viewer, pk=_pk(keyword_id))
        .select_related("filter")
        .first()
    )
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def get_filter_status_for(viewer: Account, status_id: int | str) -> FilterStatus:
    """One of the viewer's filtered posts, with its filter; anyone else's is a 404."""
    found = (
        FilterStatus.objects.filter(filter__account=viewer, pk=_pk(status_id))
        .select_related("filter")
        .first()
    )
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _pk(value: int | str) -> int:
    text = str(value)
    if not is_digits(text) or len(text) > 19 or int(text) > 2**63 - 1:
        raise NotFound(NOT_FOUND)
    return int(text)


def is_active(filter_: Filter, now: dt.datetime | None = None) -> bool:
    """Whether the filter still applies (it has no expiry or has not reached it)."""
    return filter_.expires_at is None or filter_.expires_at > (now or timezone.now())


# --- matching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterResult:
    """One filter a post tripped: the keywords' matched text and the filtered post ids."""

    filter: Filter
    keyword_matches: list[str] | None
    status_matches: list[str] | None

    @property
    def action(self) -> str:
        return self.filter.action


@dataclass
class _Rules:
    filter: Filter
    keywords: list[tuple[str, bool]] = field(default_factory=list)
    post_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class ActiveFilters:
    """What one viewer's active filters match, loaded by :func:`active_filters`."""

    rules: tuple[_Rules, ...]

    def __bool__(self) -> bool:
        return bool(self.rules)

    def in_context(self, context: str) -> list[_Rules]:
        return [r for r in self.rules if context in r.filter.context]


def active_filters(viewer: Account | None) -> ActiveFilters:
    """The viewer's unexpired filters with their keywords and filtered posts: one query.

    Filters with neither keywords nor posts match nothing and are not loaded. Callers that
    match several pages in one request may load this once and pass it to :func:`match`.
    """
    if viewer is None:
        return ActiveFilters(())
    # Hand-written: this runs on every feed page of every reader, most of whom have no
    # filters; the ORM spent more time building the UNION than the database running it.
    f, k, st = (
        connection.ops.quote_name(m._meta.db_table) for m in (Filter, FilterKeyword, FilterStatus)
    )
    head = "SELECT f.id, f.title, f.context, f.action, f.expires_at, f.created_at"
    live = "f.account_id = %s AND (f.expires_at IS NULL OR f.expires_at > %s)"
    sql = (
        f"{head}, k.keyword, k.whole_word, NULL FROM {k} k INNER JOIN {f} f ON f.id = k.filter_id "
        f"WHERE {live} "
        f"UNION ALL {head}, NULL, NULL, s.post_id FROM {st} s INNER JOIN {f} f "
        f"ON f.id = s.filter_id WHERE {live}"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [viewer.pk, now, viewer.pk, now])
        rows = cursor.fetchall()
    by_filter: dict[int, _Rules] = {}
    for (
        fid,
        title,
        context,
        action,
        expires_at,
        created_at,
        text,
        whole,
        post_id,
    ) in rows:
        rules = by_filter.get(fid)
        if rules is None:
            filter_ = Filter(
                id=fid,
                account=viewer,
                title=title,
                context=_as_list(context),
                action=action,
                expires_at=_aware(expires_at),
                created_at=_aware(created_at) or now,
            )
            rules = by_filter[fid] = _Rules(filter_)
        if post_id is not None:
            rules.post_ids.add(int(post_id))
        elif text:
            rules.keywords.append((text, bool(whole)))
    return ActiveFilters(tuple(by_filter[k] for k in sorted(by_filter, reverse=True)))


def _aware(value: Any) -> dt.datetime | None:
    """A datetime read by hand-written SQL: SQLite may give text or a naive UTC value."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value if isinstance(value, dt.datetime) else None


def _as_list(value: object) -> list[str]:
    # A JSON column read through a UNION comes back undecoded on some backends.
    if isinstance(value, str):
        value = json.loads(value)
    return [str(v) for v in value] if isinstance(value, list) else []


def match(
    viewer: Account | None,
    posts: Sequence[Post],
    context: str,
    *,
    active: ActiveFilters | None = None,
) -> dict[int, list[FilterResult]]:
    """Which of the viewer's filters for ``context`` each post trips, by post id.

    Posts that trip nothing are absent. A reshare is matched by what it carries (its text,
    content warning and media descriptions, and the reshared post's id); the result is keyed
    by the id of the post given. Expired filters are ignored. One query (none without a
    viewer), plus one for media descriptions when keyword filters apply and the posts were
    not loaded with :func:`posts.queries.with_related`.
    """
    if viewer is None or not posts:
        return {}
    rules = (active if active is not None else active_filters(viewer)).in_context(context)
    if not rules:
        return {}
    shown = _shown_posts(posts)
    keyword_rules = [r for r in rules if r.keywords]
    texts: dict[int, str] = {}
    if keyword_rules:
        texts = _texts(list(shown.values()))
        prefilter = _compile(tuple(kw for r in keyword_rules for kw in r.keywords))
    results: dict[int, list[FilterResult]] = {}
    for post in posts:
        target = shown[post.pk]
        ids = {post.pk, target.pk}
        text = texts.get(target.pk, "")
        tripped_words = bool(keyword_rules) and prefilter.search(text) is not None
        found: list[FilterResult] = []
        for r in rules:
            words = (
                [m.group(0) for m in _compile(tuple(r.keywords)).finditer(text)]
                if tripped_words and r.keywords
                else []
            )
            statuses = sorted(str(i) for i in ids & r.post_ids)
            if words or statuses:
                found.append(FilterResult(r.filter, words or None, statuses or None))
        if found:
            results[post.pk] = found
    return results


def hidden_post_ids(results: dict[int, list[FilterResult]]) -> set[int]:
    """The posts among ``match`` results that a ``hide`` filter leaves out of the page."""
    return {
        pk
        for pk, found in results.items()
        if any(r.filter.action == FilterAction.HIDE for r in found)
    }


def _shown_posts(posts: Sequence[Post]) -> dict[int, Post]:
    """Post id → the post whose content is shown (the reshared one for a reshare); one query
    for reshared posts that were not loaded with their reshare."""
    missing = [
        p.reshare_of_id
        for p in posts
        if p.reshare_of_id is not None and "reshare_of" not in p._state.fields_cache
    ]
    loaded = Post.objects.in_bulk(missing) if missing else {}
    shown: dict[int, Post] = {}
    for p in posts:
        if p.reshare_of_id is None:
            shown[p.pk] = p
        elif "reshare_of" in p._state.fields_cache and p.reshare_of is not None:
            shown[p.pk] = p.reshare_of
        else:
            shown[p.pk] = loaded.get(p.reshare_of_id, p)
    return shown


def _texts(posts: Iterable[Post]) -> dict[int, str]:
    """What keywords are matched against: content warning, text and media descriptions."""
    posts = list({p.pk: p for p in posts}.values())
    alts: dict[int, list[str]] = {p.pk: [] for p in posts}
    unloaded = []
    for p in posts:
        cache = getattr(p, "_prefetched_objects_cache", {})
        if "media" in cache:
            alts[p.pk] = [m.alt_text for m in cache["media"] if m.alt_text]
        else:
            unloaded.append(p.pk)
    if unloaded:
        rows = (
            MediaAttachment.objects.filter(post_id__in=unloaded)
            .exclude(alt_text="")
            .order_by("position", "id")
            .values_list("post_id", "alt_text")
        )
        for post_id, alt in rows:
            alts[post_id].append(alt)
    return {p.pk: "\n\n".join([p.content_warning, p.text, *alts[p.pk]]) for p in posts}


_WORD = re.compile(r"\w")


@lru_cache(maxsize=512)
def _compile(keywords: tuple[tuple[str, bool], ...]) -> re.Pattern[str]:
    """One case-insensitive expression for ``keywords``; a whole-word keyword gets ``\\b``
    only on an end that is a word character (so ``#tag`` or ``c++`` still match)."""
    parts = []
    # Longest first: at one position the longer keyword wins, as a person would read it.
    for word, whole in sorted(set(keywords), key=lambda k: -len(k[0])):
        escaped = re.escape(word)
        if whole:
            start = r"\b" if _WORD.match(word[0]) else ""
            end = r"\b" if _WORD.match(word[-1]) else ""
            escaped = f"{start}{escaped}{end}"
        parts.append(escaped)
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)
