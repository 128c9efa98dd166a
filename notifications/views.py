"""Web views of notifications: the list, "mark all as read", the unread badge endpoint, the
notification policy and the filtered notifications (requests)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Account
from feeds.views import aside_context
from notifications import actions, queries
from notifications.forms import NotificationPolicyForm
from plaza.errors import NotFound
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
    context["pending"] = queries.pending_summary(viewer)
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


@login_required
@require_http_methods(["GET", "POST"])
def policy_settings(request: HttpRequest) -> HttpResponse:
    """ "Filter notifications from…": one accept / filter / ignore choice per kind of sender."""
    viewer = _account(request)
    policy = queries.policy_of(viewer)
    form = NotificationPolicyForm(request.POST or None, policy=policy)
    if request.method == "POST":
        if form.is_valid():
            actions.update_policy(viewer, {k: str(v) for k, v in form.cleaned_data.items()})
            messages.success(request, "Notification filtering saved.")
            return redirect("notifications:policy")
        status = 422
    else:
        status = 200
    return render(
        request,
        "notifications/policy.html",
        {"form": form, "section": "notifications"},
        status=status,
    )


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """Filtered notifications: one row per sender the policy put aside."""
    try:
        max_id = _int_param(request.GET.get("max_id", ""), "max_id")
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    viewer = _account(request)
    pending = queries.requests_page(viewer, max_id=max_id)
    next_url = ""
    if len(pending) == queries.DEFAULT_LIMIT:
        next_url = f"{reverse('notifications:requests')}?max_id={pending[-1].request.pk}"
    return render(
        request,
        "notifications/requests.html",
        {"pending": pending, "next_url": next_url, **aside_context(viewer)},
    )


@login_required
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One sender's filtered notifications, with Accept / Dismiss."""
    try:
        max_id = _int_param(request.GET.get("max_id", ""), "max_id")
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    viewer = _account(request)
    try:
        pending = queries.get_request(viewer, request_id)
    except NotFound:
        raise Http404("No such notification request.")
    page = queries.request_notifications(viewer, pending, max_id=max_id)
    next_url = ""
    if page.next_max_id is not None:
        base = reverse("notifications:request", args=[request_id])
        next_url = f"{base}?max_id={page.next_max_id}"
    return render(
        request,
        "notifications/request.html",
        {"pending": pending, "page": page, "next_url": next_url, **aside_context(viewer)},
    )


@login_required
@require_POST
def request_answer(request: HttpRequest, request_id: int, accept: bool) -> HttpResponse:
    """Accept (notifications move into the list, the sender comes through from now on) or
    dismiss (the request is hidden) a request, then back to the requests."""
    viewer = _account(request)
    try:
        pending = queries.get_request(viewer, request_id)
    except NotFound:
        raise Http404("No such notification request.")
    name = pending.sender.display_name or pending.sender.username
    if accept:
        actions.accept_requests(viewer, [pending.request])
        messages.success(request, f"Accepted: notifications from {name} now come through.")
    else:
        actions.dismiss_requests(viewer, [pending.request])
        messages.success(request, f"Dismissed the request from {name}.")
    return redirect("notifications:requests")
