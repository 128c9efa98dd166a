"""Web pages of lists: your lists, one list's timeline, and its settings and members.

Every change is a plain form POST that redirects (works without JavaScript); reads go
through :mod:`lists.queries`, writes through :mod:`lists.actions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Account
from feeds.queries import PageRange
from lists import actions, queries
from lists.forms import ListForm
from lists.models import List
from plaza.errors import ActionError, NotFound
from plaza.ids import is_digits
from posts.queries import cards


def _me(request: HttpRequest) -> Account:
    return request.user.account  # type: ignore[union-attr]


def _list(request: HttpRequest, list_id: int) -> List:
    try:
        return queries.get_list(_me(request), list_id)
    except NotFound:
        raise Http404 from None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Your lists, and a form to make a new one."""
    me = _me(request)
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lst = actions.create_list(me, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"List “{lst.title}” created. Add people to it.")
            return redirect("lists:edit", list_id=lst.pk)
    rows = queries.lists_with_counts(me)
    return render(
        request,
        "lists/index.html",
        {"lists": rows, "form": form},
        status=422 if form.errors else 200,
    )


def _page_range(request: HttpRequest) -> PageRange:
    def key(name: str) -> int | None:
        raw = request.GET.get(name, "")
        if not raw:
            return None
        if not is_digits(raw) or int(raw) >= 2**63:
            raise ValueError(f"{name} must be a post id")
        return int(raw)

    return PageRange(max_id=key("max_id"), since_id=None, min_id=None, limit=20)


@login_required
def detail(request: HttpRequest, list_id: int) -> HttpResponse:
    """The list's timeline: posts by its members, newest first."""
    me, lst = _me(request), _list(request, list_id)
    try:
        page_range = _page_range(request)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    page = queries.list_timeline(me, lst, page_range)
    next_url = ""
    if page.next_max_id is not None:
        next_url = f"{reverse('lists:detail', args=[lst.pk])}?max_id={page.next_max_id}"
    context: dict[str, Any] = {
        "list": lst,
        "cards": cards(me, page.posts, context="home"),
        "next_url": next_url,
        "is_next_page": "max_id" in request.GET,
        "viewer": me,
    }
    if request.headers.get("HX-Request") and "max_id" in request.GET:
        return render(request, "feeds/_feed_items.html", context)
    context["members_count"] = queries.member_count(lst)
    return render(request, "lists/detail.html", context)


@login_required
def edit(request: HttpRequest, list_id: int) -> HttpResponse:
    """Rename the list, change its options, and choose who is in it."""
    me, lst = _me(request), _list(request, list_id)
    initial = {"title": lst.title, "replies_policy": lst.replies_policy, "exclusive": lst.exclusive}
    form = ListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_list(me, lst, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "List saved.")
            return redirect("lists:edit", list_id=lst.pk)
    members = queries.members_page(lst, limit=None).accounts
    return render(
        request,
        "lists/edit.html",
        {
            "list": lst,
            "form": form,
            "members": members,
            "candidates": queries.addable_accounts(me, lst),
        },
        status=422 if form.errors else 200,
    )


def _member_change(request: HttpRequest, list_id: int, *, add: bool) -> HttpResponse:
    me, lst = _me(request), _list(request, list_id)
    raw = request.POST.get("account_id", "")
    target = (
        Account.objects.filter(pk=int(raw)).first() if is_digits(raw) and len(raw) < 19 else None
    )
    if target is None:
        messages.error(request, "That account does not exist.")
    else:
        try:
            if add:
                actions.add_members(me, lst, [target])
                messages.success(request, f"Added {target.name} to “{lst.title}”.")
            else:
                actions.remove_members(me, lst, [target])
                messages.success(request, f"Removed {target.name} from “{lst.title}”.")
        except ActionError as exc:
            messages.error(request, exc.message)
    return redirect("lists:edit", list_id=lst.pk)


@login_required
@require_POST
def add_member(request: HttpRequest, list_id: int) -> HttpResponse:
    return _member_change(request, list_id, add=True)


@login_required
@require_POST
def remove_member(request: HttpRequest, list_id: int) -> HttpResponse:
    return _member_change(request, list_id, add=False)


@login_required
@require_POST
def delete(request: HttpRequest, list_id: int) -> HttpResponse:
    me, lst = _me(request), _list(request, list_id)
    actions.delete_list(me, lst)
    messages.success(request, f"List “{lst.title}” deleted.")
    return redirect("lists:index")
