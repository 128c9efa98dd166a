"""Mastodon API: filters, v2 (filters with keywords and statuses) and v1 (one keyword each).

Reads go through :mod:`filters.queries` (owner-scoped: anyone else's filter, keyword or
filtered status is a 404, indistinguishable from one that does not exist), writes through
:mod:`filters.actions`, as on the web.

``keywords_attributes`` arrives in every shape Rails accepts: a JSON list (Mastodon.py,
masto.js), a JSON object keyed by index, and the form encodings
``keywords_attributes[][keyword]=a&keywords_attributes[][whole_word]=true`` (a new row starts
when a field repeats, as Rails reads it — which is why the raw body order is read here) and
``keywords_attributes[0][keyword]=a``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from django.urls import URLPattern, URLResolver, path

from filters import actions, queries
from filters.actions import UNSET, KeywordChange
from mastodon.api import ApiError, ApiRequest, InputData, by_method, endpoint
from mastodon.entities.filters import filter_entity, filter_keyword, filter_status, v1_filter

READ = "read:filters"
WRITE = "write:filters"
MAX_KEYWORD_ROWS = 1000
_NESTED = re.compile(r"^keywords_attributes\[(\d*)\]\[([A-Za-z_]+)\]$")


# --- input -----------------------------------------------------------------------------------


def _context(data: InputData) -> list[str] | None:
    if not data.has("context"):
        return None
    return data.array("context")


def _expiry(data: InputData) -> Any:
    """``expires_in`` seconds → a datetime; blank or null → never; absent → unchanged."""
    if not data.has("expires_in"):
        return UNSET
    return actions.expiry_after(data.integer("expires_in"))


def _form_pairs(request: ApiRequest) -> list[tuple[str, str]]:
    """The nested keyword fields of a form body, in the order they were sent."""
    pairs: list[tuple[str, str]] = []
    if request.GET:
        pairs += [(k, v) for k, vs in request.GET.lists() for v in vs]
    if request.content_type == "application/x-www-form-urlencoded":
        pairs += parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    elif request.content_type == "multipart/form-data":
        # Multipart fields come back grouped by name; rows are then paired by position.
        grouped = [(k, vs) for k, vs in request.POST.lists() if _NESTED.match(k)]
        longest = max((len(vs) for _, vs in grouped), default=0)
        for i in range(longest):
            pairs += [(k, vs[i]) for k, vs in grouped if i < len(vs)]
    return [(k, v) for k, v in pairs if _NESTED.match(k)]


def _rows_from_form(request: ApiRequest) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    indexed: dict[int, dict[str, Any]] = {}
    for key, value in _form_pairs(request):
        found = _NESTED.match(key)
        assert found is not None
        index, name = found.groups()
        if index:
            indexed.setdefault(int(index), {})[name] = value
        elif not rows or name in rows[-1]:
            rows.append({name: value})
        else:
            rows[-1][name] = value
    return rows + [indexed[i] for i in sorted(indexed)]


def _keyword_rows(request: ApiRequest) -> list[KeywordChange]:
    raw = request.data.raw("keywords_attributes")
    if isinstance(raw, dict):  # {"0": {...}, "1": {...}}
        raw = [raw[k] for k in sorted(raw, key=lambda k: (len(str(k)), str(k)))]
    if raw is None:
        rows: list[Any] = _rows_from_form(request)
    elif isinstance(raw, list):
        rows = raw
    else:
        raise ApiError("keywords_attributes must be a list of keywords", 422)
    if len(rows) > MAX_KEYWORD_ROWS:
        raise ApiError(f"keywords_attributes has more than {MAX_KEYWORD_ROWS} rows", 422)
    changes = []
    for row in rows:
        if not isinstance(row, dict):
            raise ApiError("each of keywords_attributes must be an object", 422)
        fields = InputData(row)
        changes.append(
            KeywordChange(
                keyword=fields.string("keyword"),
                whole_word=fields.boolean("whole_word"),
                id=fields.identifier("id"),
                destroy=bool(fields.boolean("_destroy", False)),
            )
        )
    return changes


def _fresh(request: ApiRequest, filter_id: int | str) -> dict[str, Any]:
    assert request.account is not None
    return filter_entity(queries.get_filter_for(request.account, filter_id))


# --- v2 filters ------------------------------------------------------------------------------


@endpoint("GET", scope=READ)
def filters_list(request: ApiRequest) -> Any:
    assert request.account is not None
    return [filter_entity(f) for f in queries.filters_for(request.account)]


@endpoint("POST", scope=WRITE)
def filters_create(request: ApiRequest) -> Any:
    assert request.account is not None
    data = request.data
    expiry = _expiry(data)
    created = actions.create_filter(
        request.account,
        title=data.string("title"),
        context=_context(data) or [],
        action=data.string("filter_action") or "warn",
        expires_at=None if expiry is UNSET else expiry,
        keywords=_keyword_rows(request),
    )
    return _fresh(request, created.pk)


@endpoint("GET", scope=READ)
def filter_show(request: ApiRequest, filter_id: str) -> Any:
    return _fresh(request, filter_id)


@endpoint("PUT", "PATCH", scope=WRITE)
def filter_update(request: ApiRequest, filter_id: str) -> Any:
    assert request.account is not None
    data = request.data
    found = queries.get_filter_for(request.account, filter_id)
    context = _context(data)
    actions.update_filter(
        request.account,
        found,
        title=data.string("title"),
        context=context,
        action=data.string("filter_action") or None,
        expires_at=_expiry(data),
        keywords=_keyword_rows(request),
    )
    return _fresh(request, found.pk)


@endpoint("DELETE", scope=WRITE)
def filter_delete(request: ApiRequest, filter_id: str) -> Any:
    assert request.account is not None
    actions.delete_filter(request.account, queries.get_filter_for(request.account, filter_id))
    return {}


# --- v2 keywords -----------------------------------------------------------------------------


@endpoint("GET", scope=READ)
def keywords_list(request: ApiRequest, filter_id: str) -> Any:
    assert request.account is not None
    found = queries.get_filter_for(request.account, filter_id)
    return [filter_keyword(k) for k in found.keywords.all()]


@endpoint("POST", scope=WRITE)
def keywords_create(request: ApiRequest, filter_id: str) -> Any:
    assert request.account is not None
    found = queries.get_filter_for(request.account, filter_id)
    keyword = actions.add_keyword(
        request.account,
        found,
        keyword=request.data.string("keyword"),
        whole_word=request.data.boolean("whole_word"),
    )
    return filter_keyword(keyword)


@endpoint("GET", scope=READ)
def keyword_show(request: ApiRequest, keyword_id: str) -> Any:
    assert request.account is not None
    return filter_keyword(queries.get_keyword_for(request.account, keyword_id))


@endpoint("PUT", "PATCH", scope=WRITE)
def keyword_update(request: ApiRequest, keyword_id: str) -> Any:
    assert request.account is not None
    keyword = queries.get_keyword_for(request.account, keyword_id)
    actions.update_keyword(
        request.account,
        keyword,
        text=request.data.string("keyword"),
        whole_word=request.data.boolean("whole_word"),
    )
    return filter_keyword(keyword)


@endpoint("DELETE", scope=WRITE)
def keyword_delete(request: ApiRequest, keyword_id: str) -> Any:
    assert request.account is not None
    actions.remove_keyword(request.account, queries.get_keyword_for(request.account, keyword_id))
    return {}


# --- v2 statuses -----------------------------------------------------------------------------


@endpoint("GET", scope=READ)
def statuses_list(request: ApiRequest, filter_id: str) -> Any:
    assert request.account is not None
    found = queries.get_filter_for(request.account, filter_id)
    return [filter_status(s) for s in found.statuses.all()]


@endpoint("POST", scope=WRITE)
def statuses_create(request: ApiRequest, filter_id: str) -> Any:
    assert request.account is not None
    found = queries.get_filter_for(request.account, filter_id)
    status_id = request.data.identifier("status_id")
    return filter_status(actions.add_status(request.account, found, status_id))


@endpoint("GET", scope=READ)
def status_show(request: ApiRequest, status_id: str) -> Any:
    assert request.account is not None
    return filter_status(queries.get_filter_status_for(request.account, status_id))


@endpoint("DELETE", scope=WRITE)
def status_delete(request: ApiRequest, status_id: str) -> Any:
    assert request.account is not None
    found = queries.get_filter_status_for(request.account, status_id)
    actions.remove_status(request.account, found)
    return {}


# --- v1 filters ------------------------------------------------------------------------------


@endpoint("GET", scope=READ)
def v1_list(request: ApiRequest) -> Any:
    assert request.account is not None
    return [v1_filter(k) for k in queries.keywords_for(request.account)]


@endpoint("POST", scope=WRITE)
def v1_create(request: ApiRequest) -> Any:
    assert request.account is not None
    data = request.data
    expiry = _expiry(data)
    keyword = actions.create_phrase_filter(
        request.account,
        phrase=data.string("phrase"),
        context=_context(data) or [],
        irreversible=bool(data.boolean("irreversible", False)),
        whole_word=bool(data.boolean("whole_word", True)),
        expires_at=None if expiry is UNSET else expiry,
    )
    return v1_filter(queries.get_keyword_for(request.account, keyword.pk))


@endpoint("GET", scope=READ)
def v1_show(request: ApiRequest, keyword_id: str) -> Any:
    assert request.account is not None
    return v1_filter(queries.get_keyword_for(request.account, keyword_id))


@endpoint("PUT", scope=WRITE)
def v1_update(request: ApiRequest, keyword_id: str) -> Any:
    assert request.account is not None
    data = request.data
    keyword = queries.get_keyword_for(request.account, keyword_id)
    actions.update_phrase_filter(
        request.account,
        keyword,
        phrase=data.string("phrase"),
        context=_context(data),
        irreversible=data.boolean("irreversible"),
        whole_word=data.boolean("whole_word"),
        expires_at=_expiry(data),
    )
    return v1_filter(queries.get_keyword_for(request.account, keyword.pk))


@endpoint("DELETE", scope=WRITE)
def v1_delete(request: ApiRequest, keyword_id: str) -> Any:
    assert request.account is not None
    keyword = queries.get_keyword_for(request.account, keyword_id)
    actions.delete_phrase_filter(request.account, keyword)
    return {}


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v2/filters", by_method(get=filters_list, post=filters_create)),
    path(
        "api/v2/filters/keywords/<str:keyword_id>",
        by_method(
            get=keyword_show, put=keyword_update, patch=keyword_update, delete=keyword_delete
        ),
    ),
    path(
        "api/v2/filters/statuses/<str:status_id>",
        by_method(get=status_show, delete=status_delete),
    ),
    path(
        "api/v2/filters/<str:filter_id>",
        by_method(get=filter_show, put=filter_update, patch=filter_update, delete=filter_delete),
    ),
    path(
        "api/v2/filters/<str:filter_id>/keywords",
        by_method(get=keywords_list, post=keywords_create),
    ),
    path(
        "api/v2/filters/<str:filter_id>/statuses",
        by_method(get=statuses_list, post=statuses_create),
    ),
    path("api/v1/filters", by_method(get=v1_list, post=v1_create)),
    path(
        "api/v1/filters/<str:keyword_id>",
        by_method(get=v1_show, put=v1_update, delete=v1_delete),
    ),
]
