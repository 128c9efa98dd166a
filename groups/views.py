"""Web pages of groups: the list, creating one, a group's page and feed, members, requests
and settings. Every change is a form POST with a redirect (htmx only speeds up "Load more");
actions do the checking and their errors become messages or form errors, never a 500."""

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
from feeds.views import _is_htmx, _next_url, _page_range
from groups import actions, queries
from groups.models import Group, GroupVisibility, JoinPolicy
from plaza import ratelimit
from plaza.errors import ActionError, NotFound
from plaza.ids import is_digits
from posts.media import discard, upload_media
from posts.models import GroupKind, MediaAttachment, Post
from posts.queries import cards

# Member decisions that go into the moderation audit log, with an optional reason...
LOGGED_MEMBER_ACTIONS = {
    "remove": actions.remove_member,
    "ban": actions.ban,
    "unban": actions.unban,
}
# ...and the owner's decisions about roles.
ROLE_ACTIONS = {
    "promote": actions.promote,
    "demote": actions.demote,
    "transfer": actions.transfer_ownership,
}
POST_ACTIONS = {"pin", "unpin", "answered", "unanswered", "remove"}


def _viewer(request: HttpRequest) -> Account | None:
    if not request.user.is_authenticated:
        return None
    return getattr(request.user, "account", None)


def _me(request: HttpRequest) -> Account:
    account = _viewer(request)
    if account is None:
        raise Http404
    return account


def _group(request: HttpRequest, handle: str, *, owner: bool = True) -> Group:
    try:
        return queries.get_group_for(_viewer(request), handle, owner=owner)
    except NotFound:
        raise Http404("No such group.")


def _back(request: HttpRequest, group: Group, name: str = "groups:detail") -> HttpResponse:
    return redirect(name, handle=group.handle)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _fields_from(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "rules": post.get("rules", ""),
        "topics": [t for t in post.get("topics", "").replace(",", " ").split() if t],
        "questions": _lines(post.get("questions", "")),
        "visibility": post.get("visibility", GroupVisibility.PUBLIC),
        "join_policy": post.get("join_policy", JoinPolicy.OPEN),
    }


# --- list and create ---------------------------------------------------------------------------


def group_list(request: HttpRequest) -> HttpResponse:
    """The viewer's groups and invitations, and groups to discover."""
    viewer = _viewer(request)
    context = {
        "memberships": queries.my_groups(viewer) if viewer else [],
        "invitations": queries.my_invitations(viewer) if viewer else [],
        "discover": queries.discover_groups(viewer),
    }
    return render(request, "groups/list.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """The form for a new group."""
    values: dict[str, Any] = {"visibility": "public", "join_policy": "open"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {**_fields_from(request), "handle": request.POST.get("handle", "")}
        try:
            group = actions.create_group(_me(request), cover=request.FILES.get("cover"), **values)
        except ActionError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, "Your group is ready. Invite people or write a first post.")
            return redirect("groups:detail", handle=group.handle)
    return render(
        request,
        "groups/new.html",
        {"values": _form_values(values), "errors": errors},
        status=422 if errors else 200,
    )


def _form_values(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if isinstance(out.get("topics"), list):
        out["topics"] = " ".join(out["topics"])
    if isinstance(out.get("questions"), list):
        out["questions"] = "\n".join(out["questions"])
    return out


# --- the group page -----------------------------------------------------------------------------


def detail(request: HttpRequest, handle: str) -> HttpResponse:
    """The group: header, about and rules, the join button, the composer and the feed."""
    group = _group(request, handle, owner=False)  # the owner comes with the moderators
    viewer = _viewer(request)
    try:
        page_range = _page_range(request)
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return _render_detail(request, group, viewer, page_range)


def _render_detail(
    request: HttpRequest,
    group: Group,
    viewer: Account | None,
    page_range: PageRange,
    *,
    composer: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    me, moderators = queries.standing_and_moderators(viewer, group)
    readable = group.visibility == GroupVisibility.PUBLIC or me.is_member
    feed = queries.group_feed(viewer, group, page_range)
    htmx = _is_htmx(request)
    # One cards() call for pinned and feed posts (the "Load more" partial shows no pins).
    shown = feed.page.posts if htmx else [*feed.pinned, *feed.page.posts]
    all_cards = cards(viewer, shown)
    pinned_count = len(shown) - len(feed.page.posts)
    context = {
        "cards": all_cards[pinned_count:],
        "next_url": _next_url(request, feed.page),
        "is_next_page": "max_id" in request.GET,
        "group": group,
        "me": me,
    }
    if htmx:
        return render(request, "groups/_feed_items.html", context)
    context.update(
        {
            "pinned": all_cards[:pinned_count],
            "readable": readable,
            "composer": composer or {},
            "kinds": GroupKind,
            "request_count": queries.pending_request_count(group) if me.is_moderator else 0,
            "moderators": moderators if readable else [],
        }
    )
    return render(request, "groups/detail.html", context, status=status)


@require_POST
@login_required
def join(request: HttpRequest, handle: str) -> HttpResponse:
    group = _group(request, handle)
    answers = [request.POST.get(f"answer_{i}", "") for i in range(len(group.questions or []))]
    try:
        outcome = actions.join(_me(request), group, answers=answers)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        if outcome == "joined":
            messages.success(request, f"Welcome to {group.name}!")
        else:
            messages.success(request, "Request sent. A moderator will review it.")
    return _back(request, group)


@require_POST
@login_required
def leave(request: HttpRequest, handle: str) -> HttpResponse:
    group = _group(request, handle)
    try:
        actions.leave(_me(request), group)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You left {group.name}.")
    return redirect("groups:list") if group.visibility == "secret" else _back(request, group)


@require_POST
@login_required
def cancel_request(request: HttpRequest, handle: str) -> HttpResponse:
    group = _group(request, handle)
    actions.cancel_request(_me(request), group)
    messages.success(request, "Request withdrawn.")
    return _back(request, group)


@require_POST
@login_required
def invitation(request: HttpRequest, handle: str) -> HttpResponse:
    """Accept or decline an invitation."""
    group = _group(request, handle)
    try:
        if request.POST.get("decision") == "accept":
            actions.accept_invite(_me(request), group)
            messages.success(request, f"Welcome to {group.name}!")
        else:
            actions.decline_invite(_me(request), group)
            messages.success(request, "Invitation declined.")
            return redirect("groups:list")
    except ActionError as error:
        messages.error(request, error.message)
    return _back(request, group)


@require_POST
@login_required
def follow_closely(request: HttpRequest, handle: str) -> HttpResponse:
    group = _group(request, handle)
    try:
        actions.set_follow_closely(_me(request), group, request.POST.get("value") == "on")
    except ActionError as error:
        messages.error(request, error.message)
    return _back(request, group)


@require_POST
@login_required
def post(request: HttpRequest, handle: str) -> HttpResponse:
    """The group composer: a post in the group, with up to four images or one video/document."""
    group = _group(request, handle)
    me = _me(request)
    text = request.POST.get("text", "")
    cw = request.POST.get("content_warning", "")
    kind = request.POST.get("group_kind", GroupKind.DISCUSSION)
    uploaded: list[MediaAttachment] = []
    try:
        # Before the uploads: over the limit, nothing is written (not even the media).
        ratelimit.hit("post", me)
        for file in request.FILES.getlist("media")[:4]:
            uploaded.append(upload_media(me, file))
        actions_post = _publish(me, group, text, cw, kind, uploaded)
    except ActionError as error:
        for m in uploaded:
            discard(m)
        composer = {"text": text, "content_warning": cw, "kind": kind, "error": error.message}
        return _render_detail(request, group, me, PageRange(), composer=composer, status=422)
    messages.success(request, "Posted.")
    return redirect(reverse("groups:detail", args=[group.handle]) + f"#post-{actions_post.pk}")


def _publish(
    me: Account, group: Group, text: str, cw: str, kind: str, media: list[MediaAttachment]
) -> Post:
    from posts.actions import publish

    return publish(me, text=text, content_warning=cw, media=media, group=group, group_kind=kind)


@require_POST
@login_required
def post_action(request: HttpRequest, handle: str, post_id: int, action: str) -> HttpResponse:
    """Pin, unpin, mark answered, or remove a post of the group."""
    group = _group(request, handle)
    if action not in POST_ACTIONS:
        raise Http404
    me = _me(request)
    from posts.queries import get_post_for

    try:
        target = get_post_for(me, post_id)
        if target.group_id != group.pk:
            raise NotFound("This post is not in this group.")
        if action == "pin":
            actions.pin_post(me, group, target)
        elif action == "unpin":
            actions.unpin_post(me, group, target)
        elif action in ("answered", "unanswered"):
            actions.mark_answered(me, target, answered=action == "answered")
        else:
            actions.remove_post(me, group, target, reason=request.POST.get("reason", ""))
            messages.success(request, "Post removed.")
    except ActionError as error:
        messages.error(request, error.message)
    return _back(request, group)


# --- members, requests, settings ---------------------------------------------------------------


def members(request: HttpRequest, handle: str) -> HttpResponse:
    """The member directory; moderators manage members from here."""
    group = _group(request, handle)
    viewer = _viewer(request)
    me = queries.standing(viewer, group)
    raw = request.GET.get("max_id", "")
    if raw and (not is_digits(raw) or len(raw) > 20):
        return HttpResponseBadRequest("max_id must be a positive whole number.")
    banned = request.GET.get("list") == "banned" and me.is_moderator
    page = queries.members_page(viewer, group, max_id=int(raw) if raw else None, banned=banned)
    next_url = ""
    if page.next_max_id is not None:
        next_url = f"{request.path}?max_id={page.next_max_id}" + ("&list=banned" if banned else "")
    context = {
        "group": group,
        "me": me,
        "rows": page.items,
        "next_url": next_url,
        "banned": banned,
        "readable": group.visibility == GroupVisibility.PUBLIC or me.is_member,
    }
    if _is_htmx(request):
        return render(request, "groups/_member_rows.html", context)
    return render(request, "groups/members.html", context)


@require_POST
@login_required
def member_action(request: HttpRequest, handle: str, account_id: int, action: str) -> HttpResponse:
    group = _group(request, handle)
    if action not in LOGGED_MEMBER_ACTIONS and action not in ROLE_ACTIONS:
        raise Http404
    target = Account.objects.filter(pk=account_id).first()
    if target is None:
        raise Http404
    try:
        if action in LOGGED_MEMBER_ACTIONS:
            reason = request.POST.get("reason", "")
            LOGGED_MEMBER_ACTIONS[action](_me(request), group, target, reason=reason)
        else:
            ROLE_ACTIONS[action](_me(request), group, target)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Done.")
    return _back(request, group, "groups:members")


@require_POST
@login_required
def invite(request: HttpRequest, handle: str) -> HttpResponse:
    group = _group(request, handle)
    username = request.POST.get("username", "").strip().lstrip("@")
    target = Account.objects.filter(username__iexact=username).first() if username else None
    try:
        if target is None:
            raise NotFound("No account with that username.")
        actions.invite(_me(request), group, target)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Invitation sent to @{target.username}.")
    return _back(request, group, "groups:members")


@login_required
def join_requests(request: HttpRequest, handle: str) -> HttpResponse:
    """Pending requests with their answers (moderators of this group only)."""
    group = _group(request, handle)
    me = queries.standing(_me(request), group)
    if not me.is_moderator:
        raise Http404
    context = {"group": group, "me": me, "requests": queries.pending_requests(group)}
    return render(request, "groups/requests.html", context)


@require_POST
@login_required
def decide_request(request: HttpRequest, handle: str, account_id: int, action: str) -> HttpResponse:
    group = _group(request, handle)
    if action not in ("approve", "decline"):
        raise Http404
    try:
        if action == "approve":
            actions.approve_request(_me(request), group, account_id)
            messages.success(request, "Request approved.")
        else:
            actions.decline_request(_me(request), group, account_id)
            messages.success(request, "Request declined.")
    except ActionError as error:
        messages.error(request, error.message)
    return _back(request, group, "groups:requests")


@login_required
def settings(request: HttpRequest, handle: str) -> HttpResponse:
    """Edit the group (moderators; visibility and join policy: the owner)."""
    group = _group(request, handle)
    me = queries.standing(_me(request), group)
    if not me.is_moderator:
        raise Http404
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "name": group.name,
        "description": group.description,
        "rules": group.rules,
        "topics": group.topics,
        "questions": group.questions,
        "visibility": group.visibility,
        "join_policy": group.join_policy,
    }
    if request.method == "POST":
        values = _fields_from(request)
        if not me.is_owner:  # the form doesn't offer them; keep them as they are
            values["visibility"], values["join_policy"] = group.visibility, group.join_policy
        try:
            if request.POST.get("remove_cover"):
                actions.remove_cover(_me(request), group)
            actions.update_group(_me(request), group, cover=request.FILES.get("cover"), **values)
        except ActionError as error:
            errors[error.field or "form"] = error.message
            group.refresh_from_db()
        else:
            messages.success(request, "Group updated.")
            return redirect("groups:settings", handle=group.handle)
    context = {"group": group, "me": me, "values": _form_values(values), "errors": errors}
    return render(request, "groups/settings.html", context, status=422 if errors else 200)
