"""Web pages: the report form, the moderation queue, a report, an account's record, the log.

Moderation pages answer 404 to anyone who is not a moderator (staff, or a group moderator for
their groups' reports): they don't exist for other people.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Account, User
from accounts.queries import get_account_by_username
from moderation import actions, queries
from moderation.forms import AccountActionForm, ReportForm, ResolveForm
from moderation.models import ActionKind, ReportStatus
from plaza import ratelimit
from plaza.errors import ActionError, NotFound
from plaza.ids import is_digits
from posts.queries import cards


def _viewer(request: HttpRequest) -> Account:
    user = request.user
    assert isinstance(user, User)  # guaranteed by @login_required
    account = getattr(user, "account", None)
    if account is None:
        raise Http404("This login has no Plaza account.")
    return account


def _moderator(request: HttpRequest) -> Account:
    account = _viewer(request)
    if not queries.is_moderator(account):
        raise Http404("No such page.")
    return account


def _max_id(request: HttpRequest) -> int | None:
    value = request.GET.get("max_id", "")
    return int(value) if is_digits(value) and len(value) < 20 else None


# --- reporting ------------------------------------------------------------------------------


# The query parameters the report form takes, in the order they are looked at.
TARGET_PARAMS = ("post", "message", "group", "account")


def _target(viewer: Account, param: str, value: str) -> queries.Target:
    if param == "post":
        return queries.target_for_post(viewer, value)
    if param == "message":
        return queries.target_for_message(viewer, value)
    if param == "group":
        return queries.target_for_group(viewer, value)
    account = get_account_by_username(value)
    if account is None or account.is_suspended:
        raise NotFound("No such account.")
    return queries.target_for_account(viewer, account)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report a post (``?post=<id>``), a message (``?message=<id>``, in a conversation of
    yours), a group (``?group=<handle>``) or an account (``?account=<username>``)."""
    viewer = _viewer(request)
    source = request.POST if request.method == "POST" else request.GET
    param = next((p for p in TARGET_PARAMS if source.get(p, "").strip()), "")
    value = source.get(param, "").strip() if param else ""
    try:
        if not param:
            raise NotFound("There is nothing to report here.")
        target = _target(viewer, param, value)
    except NotFound as exc:
        raise Http404(exc.message)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(_next_url(request, source.get("next", ""), None))
    preview = cards(viewer, queries.reported_posts_for(target))
    form = ReportForm(request.POST if request.method == "POST" else None)
    back = _next_url(request, source.get("next", ""), target)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.hit("report", viewer)
            actions.report(
                viewer,
                target,
                category=form.cleaned_data["category"],
                comment=form.cleaned_data["comment"],
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, "Thanks for telling us. Moderators will review it and let you know."
            )
            return redirect(back)
    context = {
        "form": form,
        "target": target,
        "preview": preview,
        "param": param,
        "value": value,
        "post_id": value if param == "post" else "",
        "next": back,
    }
    return render(request, "moderation/report.html", context, status=400 if form.errors else 200)


def _next_url(request: HttpRequest, candidate: str, target: queries.Target | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    if target is not None and target.kind == "group":
        return reverse("groups:detail", args=[target.context["handle"]])
    if target is not None and target.kind == "message":
        return reverse("messaging:thread", args=[target.context["conversation_id"]])
    if target is not None and target.account is not None:
        return f"/@{target.account.username}"
    return reverse("feeds:home")


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    """The reports the viewer sent, with their status and outcome, newest first."""
    viewer = _viewer(request)
    page = queries.my_reports(viewer, max_id=_max_id(request))
    next_url = (
        f"{reverse('moderation:my_reports')}?max_id={page.next_max_id}" if page.next_max_id else ""
    )
    context = {
        "reports": [(r, queries.outcome_for_reporter(r)) for r in page.items],
        "next_url": next_url,
    }
    if request.headers.get("HX-Request") and request.GET.get("max_id"):
        return render(request, "moderation/_my_report_items.html", context)
    return render(request, "moderation/my_reports.html", context)


# --- the queue ------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Reports waiting for a decision (or decided ones, ``?status=resolved|dismissed|all``)."""
    moderator = _moderator(request)
    status = request.GET.get("status", ReportStatus.OPEN)
    if status not in (*ReportStatus.values, "all"):
        status = ReportStatus.OPEN
    page = queries.reports_page(moderator, status=status, max_id=_max_id(request))
    posts = queries.reported_posts(page.items)
    next_url = (
        f"{reverse('moderation:queue')}?status={status}&max_id={page.next_max_id}"
        if page.next_max_id
        else ""
    )
    context = {
        "reports": [(r, posts.get(r.target_id)) for r in page.items],
        "status": status,
        "statuses": [
            (ReportStatus.OPEN, "Open"),
            (ReportStatus.RESOLVED, "Resolved"),
            (ReportStatus.DISMISSED, "Dismissed"),
            ("all", "All"),
        ],
        "next_url": next_url,
        "open_count": queries.open_count(moderator),
        "is_staff": queries.is_staff(moderator),
    }
    if request.headers.get("HX-Request") and request.GET.get("max_id"):
        return render(request, "moderation/_queue_items.html", context)
    return render(request, "moderation/queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """One report with its context, and the decision form (POST decides)."""
    moderator = _moderator(request)
    try:
        found = queries.get_report_for(moderator, report_id)
    except NotFound as exc:
        raise Http404(exc.message)
    form = ResolveForm(
        request.POST if request.method == "POST" else None,
        target_kind=found.target_kind,
        allowed=queries.allowed_resolutions(moderator, found.target_kind),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide(
                moderator, found, form.cleaned_data["action"], form.cleaned_data["reason"]
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            label = ActionKind(form.cleaned_data["action"]).label
            messages.success(request, f"Done: {label.lower()}. The reporter has been told.")
            return redirect("moderation:queue")
    context = queries.report_context(found)
    post_cards = cards(moderator, [p for p in [context.post, *context.evidence] if p])
    return render(
        request,
        "moderation/report_detail.html",
        {
            "ctx": context,
            "report": found,
            "post_cards": post_cards,
            "form": form,
            "is_staff": queries.is_staff(moderator),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def assign(request: HttpRequest, report_id: int) -> HttpResponse:
    """Take a report ("I'm on it")."""
    moderator = _moderator(request)
    try:
        actions.assign(moderator, queries.get_report_for(moderator, report_id))
    except NotFound as exc:
        raise Http404(exc.message)
    messages.success(request, "The report is yours.")
    return redirect("moderation:report_detail", report_id=report_id)


# --- accounts and the log -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account_detail(request: HttpRequest, username: str) -> HttpResponse:
    """An account's moderation record, and staff actions on it (warn, limit, suspend...)."""
    moderator = _moderator(request)
    if not queries.is_staff(moderator):
        raise Http404("No such page.")
    account = get_account_by_username(username)
    if account is None:
        raise Http404("No such account.")
    form = AccountActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        try:
            actions.act_on_account(moderator, account, action, reason)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Done: {ActionKind(action).label.lower()} @{username}.")
            return redirect("moderation:account", username=account.username)
    context = {
        "account": account,
        "history": queries.account_record(account),
        "reports": queries.reports_about(moderator, account),
        "form": form,
    }
    return render(request, "moderation/account.html", context, status=400 if form.errors else 200)


@login_required
def log(request: HttpRequest) -> HttpResponse:
    """The audit log: every decision, who made it, when and why."""
    moderator = _moderator(request)
    page = queries.audit_log(moderator, max_id=_max_id(request))
    next_url = f"{reverse('moderation:log')}?max_id={page.next_max_id}" if page.next_max_id else ""
    context = {"entries": page.items, "next_url": next_url}
    if request.headers.get("HX-Request") and request.GET.get("max_id"):
        return render(request, "moderation/_log_items.html", context)
    return render(request, "moderation/log.html", context)
