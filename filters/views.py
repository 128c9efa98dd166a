"""Settings → Filters: the list of someone's filters and the form to create or edit one.

Plain form POSTs with redirects; the actions validate, and their errors come back as form
errors with everything typed kept (422)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account
from filters import actions, queries
from filters.actions import UNSET, KeywordChange
from filters.models import Filter, FilterAction, FilterContext
from plaza.errors import ActionError, NotFound
from plaza.ids import is_digits

BLANK_ROWS = 3
# Mastodon's expiry choices, in seconds ("" never expires).
EXPIRY_CHOICES = [
    ("", "Never"),
    ("1800", "30 minutes"),
    ("3600", "1 hour"),
    ("21600", "6 hours"),
    ("43200", "12 hours"),
    ("86400", "1 day"),
    ("604800", "1 week"),
]
KEEP = "keep"


def _me(request: HttpRequest) -> Account:
    return request.user.account  # type: ignore[union-attr]


def _own(request: HttpRequest, filter_id: int) -> Filter:
    try:
        return queries.get_filter_for(_me(request), filter_id)
    except NotFound:
        raise Http404("No such filter")


@login_required
def filter_list(request: HttpRequest) -> HttpResponse:
    """The viewer's filters."""
    return render(
        request,
        "filters/list.html",
        {
            "filters": queries.filters_for(_me(request)),
            "contexts": dict(FilterContext.choices),
            "now": timezone.now(),
        },
    )


def _values_of(filter_: Filter | None) -> dict[str, Any]:
    if filter_ is None:
        return {"title": "", "context": ["home"], "action": "warn", "expires_in": "", "rows": []}
    return {
        "title": filter_.title,
        "context": list(filter_.context),
        "action": filter_.action,
        "expires_in": KEEP if filter_.expires_at else "",
        "rows": [
            {"id": str(k.pk), "text": k.keyword, "whole": k.whole_word, "remove": False}
            for k in filter_.keywords.all()
        ],
    }


def _values_from(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    ids, texts, wholes = post.getlist("kw_id"), post.getlist("kw_text"), post.getlist("kw_whole")
    removed = set(post.getlist("kw_remove"))
    rows = [
        {
            "id": ids[i] if i < len(ids) else "",
            "text": text,
            "whole": (wholes[i] if i < len(wholes) else "1") != "0",
            "remove": str(i) in removed,
        }
        for i, text in enumerate(texts)
    ]
    return {
        "title": post.get("title", ""),
        "context": post.getlist("context"),
        "action": post.get("action", "warn"),
        "expires_in": post.get("expires_in", ""),
        "rows": rows,
    }


def _changes(rows: list[dict[str, Any]]) -> list[KeywordChange]:
    changes = []
    for row in rows:
        if is_digits(row["id"]):
            changes.append(
                KeywordChange(
                    id=int(row["id"]),
                    keyword=row["text"],
                    whole_word=row["whole"],
                    destroy=row["remove"],
                )
            )
        elif row["text"].strip() and not row["remove"]:
            changes.append(KeywordChange(keyword=row["text"], whole_word=row["whole"]))
    return changes


def _expiry(value: str) -> Any:
    if value == KEEP:
        return UNSET
    if not value:
        return None
    if not is_digits(value):
        raise ActionError("Choose when the filter expires", field="expires_in")
    return actions.expiry_after(int(value))


def _form(request: HttpRequest, filter_: Filter | None) -> HttpResponse:
    owner = _me(request)
    values = _values_of(filter_)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = _values_from(request)
        try:
            expires_at = _expiry(values["expires_in"])
            if filter_ is None:
                filter_ = actions.create_filter(
                    owner,
                    title=values["title"],
                    context=values["context"],
                    action=values["action"],
                    expires_at=None if expires_at is UNSET else expires_at,
                    keywords=_changes(values["rows"]),
                )
                messages.success(request, f"Filter “{filter_.title}” created.")
            else:
                actions.update_filter(
                    owner,
                    filter_,
                    title=values["title"],
                    context=values["context"],
                    action=values["action"],
                    expires_at=expires_at,
                    keywords=_changes(values["rows"]),
                )
                messages.success(request, f"Filter “{filter_.title}” saved.")
        except ActionError as error:
            field = error.field or "form"
            errors["keywords" if field in ("keyword", "keywords_attributes") else field] = (
                error.message
            )
        else:
            return redirect("filters:list")
    rows = values["rows"] + [
        {"id": "", "text": "", "whole": True, "remove": False} for _ in range(BLANK_ROWS)
    ]
    expiry_choices = list(EXPIRY_CHOICES)
    if filter_ is not None and filter_.expires_at:
        expiry_choices.insert(0, (KEEP, "Keep the current expiry"))
    return render(
        request,
        "filters/form.html",
        {
            "filter": filter_,
            "values": {**values, "rows": rows},
            "errors": errors,
            "contexts": FilterContext.choices,
            "filter_actions": FilterAction.choices,
            "expiry_choices": expiry_choices,
            "now": timezone.now(),
        },
        status=422 if errors else 200,
    )


@login_required
def filter_new(request: HttpRequest) -> HttpResponse:
    """The form for a new filter."""
    return _form(request, None)


@login_required
def filter_edit(request: HttpRequest, filter_id: int) -> HttpResponse:
    """The form for one of the viewer's filters (anyone else's is a 404)."""
    return _form(request, _own(request, filter_id))


@login_required
@require_POST
def filter_delete(request: HttpRequest, filter_id: int) -> HttpResponse:
    """Delete one of the viewer's filters."""
    filter_ = _own(request, filter_id)
    actions.delete_filter(_me(request), filter_)
    messages.success(request, f"Filter “{filter_.title}” deleted.")
    return redirect("filters:list")
