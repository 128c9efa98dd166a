"""Mastodon's filter entities: Filter, FilterKeyword, FilterStatus, FilterResult and the v1
Filter (one keyword of a filter, as Mastodon presents its filters to v1 clients)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from filters.models import Filter, FilterAction, FilterKeyword, FilterStatus
from filters.queries import FilterResult
from mastodon.entities.accounts import iso


def filter_keyword(keyword: FilterKeyword) -> dict[str, Any]:
    """The FilterKeyword entity."""
    return {"id": str(keyword.pk), "keyword": keyword.keyword, "whole_word": keyword.whole_word}


def filter_status(status: FilterStatus) -> dict[str, Any]:
    """The FilterStatus entity."""
    return {"id": str(status.pk), "status_id": str(status.post_id)}


def filter_entity(filter_: Filter, *, rules: bool = True) -> dict[str, Any]:
    """The (v2) Filter entity; ``rules=False`` leaves out keywords and statuses, as Mastodon
    does inside a FilterResult (load them with :func:`filters.queries.get_filter_for`)."""
    data: dict[str, Any] = {
        "id": str(filter_.pk),
        "title": filter_.title,
        "context": list(filter_.context),
        "expires_at": iso(filter_.expires_at),
        "filter_action": filter_.action,
    }
    if rules:
        data["keywords"] = [filter_keyword(k) for k in filter_.keywords.all()]
        data["statuses"] = [filter_status(s) for s in filter_.statuses.all()]
    return data


def filter_result(result: FilterResult) -> dict[str, Any]:
    """The FilterResult entity (an element of a Status's ``filtered``)."""
    return {
        "filter": filter_entity(result.filter, rules=False),
        "keyword_matches": result.keyword_matches,
        "status_matches": result.status_matches,
    }


def filter_results(results: Sequence[FilterResult]) -> list[dict[str, Any]]:
    """A Status's ``filtered`` attribute from :func:`filters.queries.match` results."""
    return [filter_result(r) for r in results]


def v1_filter(keyword: FilterKeyword) -> dict[str, Any]:
    """The v1 Filter entity: one keyword with its filter's context, expiry and action
    (``irreversible`` is a ``hide`` filter). Needs ``keyword.filter`` loaded."""
    filter_ = keyword.filter
    return {
        "id": str(keyword.pk),
        "phrase": keyword.keyword,
        "context": list(filter_.context),
        "expires_at": iso(filter_.expires_at),
        "irreversible": filter_.action == FilterAction.HIDE,
        "whole_word": keyword.whole_word,
    }
