"""The only write path for filters: filters, their keywords and their posts.

Every action takes the owner first and refuses (404, as if it did not exist) a filter, keyword
or filtered post of somebody else's: nobody learns anything about another person's filters.
Validation happens before any write and each action is one transaction, so a refused change
leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account
from filters.models import Filter, FilterAction, FilterContext, FilterKeyword, FilterStatus
from plaza.errors import ActionError, NotFound
from posts.models import Post
from posts.queries import get_post_for

MAX_FILTERS = 100
# Per account, not per filter: all of someone's keywords are compiled into one expression
# on every feed page, so the total is what costs.
MAX_KEYWORDS = 1000
MAX_STATUSES = 1000
MAX_TITLE_CHARS = 256
MAX_KEYWORD_CHARS = 200
# The longest expiry anyone may ask for (Mastodon's clients offer up to a week; the API may
# ask for more, but not for a date past what a datetime holds).
MAX_EXPIRES_IN = 10 * 365 * 24 * 3600
CONTEXTS = tuple(FilterContext.values)
ACTIONS = tuple(FilterAction.values)
FILTER_NOT_FOUND = "Record not found"


class _Unset:
    """Marks an argument that was not given (``None`` means "never expires")."""


UNSET = _Unset()


@dataclass(frozen=True)
class KeywordChange:
    """One row of ``keywords_attributes``: a new keyword (no ``id``), a change to an existing
    one (``id`` and the fields to change), or its removal (``id`` and ``destroy``)."""

    keyword: str | None = None
    whole_word: bool | None = None
    id: int | None = None
    destroy: bool = False


# --- validation ------------------------------------------------------------------------------


def expiry_after(seconds: int | None, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When a filter asked to last ``seconds`` expires (None: never)."""
    if seconds is None:
        return None
    if seconds <= 0:
        raise ActionError("expires_in must be a positive number of seconds", field="expires_in")
    return (now or timezone.now()) + dt.timedelta(seconds=min(seconds, MAX_EXPIRES_IN))


def _clean_title(title: str | None) -> str:
    text = (title or "").strip()
    if not text:
        raise ActionError("Title can't be blank", field="title")
    if len(text) > MAX_TITLE_CHARS:
        raise ActionError(
            f"Title is too long (at most {MAX_TITLE_CHARS} characters)", field="title"
        )
    return text


def _clean_context(context: Iterable[str] | None) -> list[str]:
    given = {str(c).strip() for c in context or [] if str(c).strip()}
    unknown = sorted(given - set(CONTEXTS))
    if unknown:
        raise ActionError(
            f"Context has an unknown value: {unknown[0]} (use {', '.join(CONTEXTS)})",
            field="context",
        )
    if not given:
        raise ActionError("Context can't be blank: choose at least one place", field="context")
    return [c for c in CONTEXTS if c in given]


def _clean_action(action: str | None) -> str:
    value = (action or FilterAction.WARN).strip()
    if value not in ACTIONS:
        raise ActionError(
            f"Filter action must be one of {', '.join(ACTIONS)}", field="filter_action"
        )
    return value


def _clean_keyword(keyword: str | None) -> str:
    text = (keyword or "").strip()
    if not text:
        raise ActionError("Keyword can't be blank", field="keyword")
    if len(text) > MAX_KEYWORD_CHARS:
        raise ActionError(
            f"Keyword is too long (at most {MAX_KEYWORD_CHARS} characters)", field="keyword"
        )
    return text


def _own_filter(owner: Account, filter_: Filter) -> Filter:
    if filter_.account_id != owner.pk:
        raise NotFound(FILTER_NOT_FOUND)
    return filter_


def _keyword_room(owner: Account, adding: int) -> None:
    if adding <= 0:
        return
    have = FilterKeyword.objects.filter(filter__account=owner).count()
    if have + adding > MAX_KEYWORDS:
        raise ActionError(
            f"You can have at most {MAX_KEYWORDS} filter keywords", field="keywords_attributes"
        )


# --- filters ---------------------------------------------------------------------------------


def create_filter(
    owner: Account,
    *,
    title: str | None,
    context: Iterable[str] | None,
    action: str | None = FilterAction.WARN,
    expires_at: dt.datetime | None = None,
    keywords: Sequence[KeywordChange] = (),
) -> Filter:
    """Create a filter with its first keywords (rows marked ``destroy`` are ignored)."""
    clean_title = _clean_title(title)
    clean_context = _clean_context(context)
    clean_action = _clean_action(action)
    new_keywords = [
        (_clean_keyword(k.keyword), True if k.whole_word is None else k.whole_word)
        for k in keywords
        if not k.destroy
    ]
    with transaction.atomic():
        if Filter.objects.filter(account=owner).count() >= MAX_FILTERS:
            raise ActionError(f"You can have at most {MAX_FILTERS} filters")
        _keyword_room(owner, len(new_keywords))
        filter_ = Filter.objects.create(
            account=owner,
            title=clean_title,
            context=clean_context,
            action=clean_action,
            expires_at=expires_at,
        )
        FilterKeyword.objects.bulk_create(
            FilterKeyword(filter=filter_, keyword=word, whole_word=whole)
            for word, whole in new_keywords
        )
    return filter_


def update_filter(
    owner: Account,
    filter_: Filter,
    *,
    title: str | None = None,
    context: Iterable[str] | None = None,
    action: str | None = None,
    expires_at: dt.datetime | _Unset | None = UNSET,
    keywords: Sequence[KeywordChange] = (),
) -> Filter:
    """Change what is given (None leaves a field as it is) and apply keyword changes.

    A keyword ``id`` that is not one of this filter's keywords is a 404, and nothing changes.
    """
    _own_filter(owner, filter_)
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = _clean_title(title)
    if context is not None:
        changes["context"] = _clean_context(context)
    if action is not None:
        changes["action"] = _clean_action(action)
    if not isinstance(expires_at, _Unset):
        changes["expires_at"] = expires_at
    added = [
        (_clean_keyword(k.keyword), True if k.whole_word is None else k.whole_word)
        for k in keywords
        if k.id is None and not k.destroy
    ]
    edits = [k for k in keywords if k.id is not None]
    for k in edits:
        if not k.destroy and k.keyword is not None:
            _clean_keyword(k.keyword)
    with transaction.atomic():
        existing = FilterKeyword.objects.select_for_update().in_bulk(
            [k.id for k in edits if k.id is not None]
        )
        for k in edits:
            row = existing.get(k.id)
            if row is None or row.filter_id != filter_.pk:
                raise NotFound(FILTER_NOT_FOUND)
        _keyword_room(owner, len(added))
        for name, value in changes.items():
            setattr(filter_, name, value)
        if changes:
            filter_.save(update_fields=[*changes, "updated_at"])
        for k in edits:
            row = existing[k.id]
            if k.destroy:
                row.delete()
                continue
            if k.keyword is not None:
                row.keyword = _clean_keyword(k.keyword)
            if k.whole_word is not None:
                row.whole_word = k.whole_word
            row.save(update_fields=["keyword", "whole_word"])
        FilterKeyword.objects.bulk_create(
            FilterKeyword(filter=filter_, keyword=word, whole_word=whole) for word, whole in added
        )
    return filter_


def delete_filter(owner: Account, filter_: Filter) -> None:
    """Delete a filter with its keywords and posts."""
    _own_filter(owner, filter_).delete()


# --- keywords --------------------------------------------------------------------------------


def add_keyword(
    owner: Account, filter_: Filter, *, keyword: str | None, whole_word: bool | None = True
) -> FilterKeyword:
    """Add a keyword to one of the owner's filters."""
    _own_filter(owner, filter_)
    word = _clean_keyword(keyword)
    with transaction.atomic():
        _keyword_room(owner, 1)
        return FilterKeyword.objects.create(
            filter=filter_, keyword=word, whole_word=True if whole_word is None else whole_word
        )


def update_keyword(
    owner: Account,
    keyword: FilterKeyword,
    *,
    text: str | None = None,
    whole_word: bool | None = None,
) -> FilterKeyword:
    """Change a keyword's text or whole-word flag (None leaves it as it is)."""
    _own_filter(owner, keyword.filter)
    if text is not None:
        keyword.keyword = _clean_keyword(text)
    if whole_word is not None:
        keyword.whole_word = whole_word
    keyword.save(update_fields=["keyword", "whole_word"])
    return keyword


def remove_keyword(owner: Account, keyword: FilterKeyword) -> None:
    """Remove a keyword (the filter stays, even without keywords, as in Mastodon)."""
    _own_filter(owner, keyword.filter)
    keyword.delete()


# --- filtered posts --------------------------------------------------------------------------


def add_status(owner: Account, filter_: Filter, post_id: int | str | None) -> FilterStatus:
    """Filter one post the owner can see (a post they cannot see is a 404)."""
    _own_filter(owner, filter_)
    if post_id is None or str(post_id).strip() == "":
        raise ActionError("Status can't be blank", field="status_id")
    post: Post = get_post_for(owner, post_id)
    try:
        with transaction.atomic():
            if FilterStatus.objects.filter(filter__account=owner).count() >= MAX_STATUSES:
                raise ActionError(f"You can have at most {MAX_STATUSES} filtered posts")
            return FilterStatus.objects.create(filter=filter_, post=post)
    except IntegrityError:
        raise ActionError("Status has already been taken", field="status_id")


def remove_status(owner: Account, status: FilterStatus) -> None:
    """Stop filtering one post."""
    _own_filter(owner, status.filter)
    status.delete()


# --- single-keyword filters (Mastodon's v1 filters) -------------------------------------------


def create_phrase_filter(
    owner: Account,
    *,
    phrase: str | None,
    context: Iterable[str] | None,
    irreversible: bool = False,
    whole_word: bool = True,
    expires_at: dt.datetime | None = None,
) -> FilterKeyword:
    """A filter named after its one phrase (what a Mastodon v1 filter is); its keyword."""
    word = _clean_keyword(phrase)
    filter_ = create_filter(
        owner,
        title=word,
        context=context,
        action=FilterAction.HIDE if irreversible else FilterAction.WARN,
        expires_at=expires_at,
        keywords=[KeywordChange(keyword=word, whole_word=whole_word)],
    )
    return filter_.keywords.get()


def update_phrase_filter(
    owner: Account,
    keyword: FilterKeyword,
    *,
    phrase: str | None = None,
    context: Iterable[str] | None = None,
    irreversible: bool | None = None,
    whole_word: bool | None = None,
    expires_at: dt.datetime | _Unset | None = UNSET,
) -> FilterKeyword:
    """Change a v1 filter: its keyword, and the filter around it when that filter has only
    this keyword (changing a filter shared by several keywords through one of them would
    silently change the others, so it is refused, as Mastodon does)."""
    filter_ = _own_filter(owner, keyword.filter)
    action = None if irreversible is None else ("hide" if irreversible else "warn")
    changes_filter = (
        (context is not None and _clean_context(context) != filter_.context)
        or (action is not None and action != filter_.action)
        or (not isinstance(expires_at, _Unset) and expires_at != filter_.expires_at)
    )
    with transaction.atomic():
        if changes_filter and filter_.keywords.count() > 1:
            raise ActionError("This filter has several keywords: change it with the v2 filters API")
        update_keyword(owner, keyword, text=phrase, whole_word=whole_word)
        update_filter(owner, filter_, context=context, action=action, expires_at=expires_at)
    return keyword


def delete_phrase_filter(owner: Account, keyword: FilterKeyword) -> None:
    """Delete a v1 filter: the keyword, and its filter when nothing else is left in it."""
    filter_ = _own_filter(owner, keyword.filter)
    with transaction.atomic():
        keyword.delete()
        if not filter_.keywords.exists() and not filter_.statuses.exists():
            filter_.delete()
