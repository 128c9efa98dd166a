"""Web views of notifications: the list, "mark all as read" and the unread badge endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Account
from feeds.views import aside_context
from notifications import actions, queries
from plaza.ids import is_digits


def _account(request: HttpRequest) -> Account:
    return request.user.account  # type: ignore[union-attr]


def _int_param(raw: str, name: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not is_digits(raw) or len(raw) > 20:
        raise ValueError(f"{name} must be a positive whole number.")
    return int(raw)


@login_required
@require_GET
def notification_list(request: HttpRequest, mentions: bool = False) -> HttpResponse:
    """The viewer's notifications, newest first. Looking does not mark them read."""
    try:
        max_id = _int_param(request.GET.get("max_id", ""), "max_id")
        limit = _int_param(request.GET.get("limit", ""), "limit") or queries.DEFAULT_LIMIT
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    viewer = _account(request)
    page = queries.notifications_page(viewer, max_id=max_id, limit=limit, mentions_only=mentions)
    next_url = ""
    if page.next_max_id is not None:
        base = reverse("notifications:mentions" if mentions else "notifications:list")
        next_url = f"{base}?max_id={page.next_max_id}"
        if "limit" in request.GET:
            next_url += f"&limit={limit}"
    context = {"page": page, "next_url": next_url, "mentions": mentions}
    if request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted"):
        return render(request, "notifications/_items.html", context)
    return render(request, "notifications/list.html", {**context, **aside_context(viewer)})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark everything (or everything up to ``up_to``) as read, then go back to the list."""
    try:
        up_to = _int_param(request.POST.get("up_to", ""), "up_to")
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    marked = actions.mark_read(_account(request), up_to_id=up_to)
    if marked:
        messages.success(request, "All caught up: notifications marked as read.")
    back = "notifications:mentions" if request.POST.get("mentions") else "notifications:list"
    return redirect(back)


@require_GET
def unread_count(request: HttpRequest) -> HttpResponse:
    """``{"unread": n}`` for polling; with ``HX-Request``, the badge HTML to swap in."""
    if not request.user.is_authenticated or getattr(request.user, "account", None) is None:
        return JsonResponse({"error": "Log in to see your notifications."}, status=401)
    count = queries.unread_count(_account(request))
    if request.headers.get("HX-Request") == "true":
        return render(request, "notifications/_badge.html", {"unread": count})
    return JsonResponse({"unread": count})
