"""Web pages and form endpoints for relationships: follow, connect, block, mute, and the lists.

Every action is a plain form POST that redirects back (to a local ``next`` or the profile),
so it works without JavaScript; with htmx (``HX-Request``) it answers with the re-rendered
relationship partial instead. Errors from actions become a message (or an inline error in
the partial, with the action's 4xx status) — never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Account, User
from accounts.queries import get_account_by_username
from network import actions, queries
from network.forms import ConnectForm
from plaza import ratelimit
from plaza.errors import ActionError, NotFound
from plaza.ids import is_digits

# An action view's work: do it as ``viewer`` on ``target``, return the success message.
Deed = Callable[[Account, Account], str]


def _viewer(request: HttpRequest) -> Account | None:
    user = request.user
    return user.account if isinstance(user, User) else None


def _target(username: str) -> Account:
    account = get_account_by_username(username)
    if account is None:
        raise Http404("No such account.")
    return account


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _next_url(request: HttpRequest, target: Account) -> str:
    """Where to go back to: a local ``next`` when given, else the target's profile."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return f"/@{target.username}"


def _max_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("max_id", "").strip()
    if not raw:
        return None
    if not is_digits(raw):
        raise ValueError(raw)
    return int(raw)


def _actions_partial(
    request: HttpRequest, viewer: Account, target: Account, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "target": target,
        "rel": queries.relationship(viewer, target),
        "rel_next": _next_url(request, target),
        "rel_error": error,
    }
    return render(request, "network/_relationship_actions.html", context, status=status)


def relationship_action(
    view: Callable[Concatenate[HttpRequest, str, ...], Deed],
) -> Callable[..., HttpResponse]:
    """Turn ``view(request, username) -> deed`` into a POST endpoint.

    Handles what every relationship action shares: POST only (GET is a 405), log-in (back to
    the page after), the target lookup, errors, and the htmx / redirect answer.
    """

    @require_POST
    @wraps(view)
    def endpoint(request: HttpRequest, username: str) -> HttpResponse:
        target = _target(username)
        viewer = _viewer(request)
        back = _next_url(request, target)
        if viewer is None:
            login = redirect_to_login(back)
            if _is_htmx(request):
                return HttpResponse(status=401, headers={"HX-Redirect": login.url})
            return login
        try:
            message = view(request, username)(viewer, target)
        except ActionError as exc:
            if _is_htmx(request):
                return _actions_partial(
                    request, viewer, target, error=exc.message, status=exc.status
                )
            if isinstance(exc, NotFound):
                raise Http404(exc.message)
            messages.error(request, exc.message)
            return redirect(back)
        if _is_htmx(request):
            return _actions_partial(request, viewer, target)
        messages.success(request, message)
        return redirect(back)

    return endpoint


# --- actions --------------------------------------------------------------------------------


@relationship_action
def follow(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        ratelimit.hit("follow", viewer)
        if actions.follow(viewer, target) == "requested":
            return f"Follow request sent. @{target.username} approves followers."
        return f"You now follow @{target.username}."

    return deed


def _bell(on: bool) -> Callable[..., HttpResponse]:
    """The bell next to "Following": post notifications on or off."""

    def bell(request: HttpRequest, username: str) -> Deed:
        def deed(viewer: Account, target: Account) -> str:
            actions.set_post_notifications(viewer, target, on)
            if on:
                return f"You'll be notified when @{target.username} posts."
            return f"No more notifications when @{target.username} posts."

        return deed

    bell.__name__ = bell.__qualname__ = f"notify_{'on' if on else 'off'}"
    return relationship_action(bell)


notify_on, notify_off = _bell(True), _bell(False)


@relationship_action
def unfollow(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.unfollow(viewer, target)
        return f"You no longer follow @{target.username}."

    return deed


@relationship_action
def connect(request: HttpRequest, username: str) -> Deed:
    form = ConnectForm(request.POST)

    def deed(viewer: Account, target: Account) -> str:
        if not form.is_valid():
            raise ActionError(str(form.errors["note"][0]), field="note")
        outcome = actions.request_connection(viewer, target, note=form.cleaned_data["note"])
        if outcome == "connected":
            return f"You are now connected with @{target.username}."
        return f"Connection request sent to @{target.username}."

    return deed


@relationship_action
def accept_connection(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.accept_connection(viewer, target)
        return f"You are now connected with @{target.username}."

    return deed


@relationship_action
def decline_connection(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.decline_connection(viewer, target)
        return f"You declined @{target.username}'s connection request."

    return deed


@relationship_action
def withdraw_connection(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.withdraw_connection_request(viewer, target)
        return f"Your connection request to @{target.username} was withdrawn."

    return deed


@relationship_action
def remove_connection(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.remove_connection(viewer, target)
        return f"You are no longer connected with @{target.username}."

    return deed


@relationship_action
def approve_follow(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.approve_follow_request(viewer, target)
        return f"@{target.username} now follows you."

    return deed


@relationship_action
def reject_follow(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.reject_follow_request(viewer, target)
        return f"You turned down @{target.username}'s follow request."

    return deed


@relationship_action
def remove_follower(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        if viewer.pk == target.pk:
            raise ActionError("You can't remove yourself from your followers.")
        actions.remove_follower(viewer, target)
        return f"@{target.username} no longer follows you."

    return deed


@relationship_action
def block(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.block(viewer, target)
        return f"You blocked @{target.username}. You won't see each other any more."

    return deed


@relationship_action
def unblock(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.unblock(viewer, target)
        return f"You unblocked @{target.username}."

    return deed


@relationship_action
def mute(request: HttpRequest, username: str) -> Deed:
    """Mute, until unmuted or (``duration``: one of :data:`MUTE_DURATIONS`) for a while."""
    raw = request.POST.get("duration", "")
    duration = int(raw) if is_digits(raw) else 0

    def deed(viewer: Account, target: Account) -> str:
        if duration not in MUTE_DURATIONS:
            raise ActionError("Choose how long to mute for from the menu.")
        actions.mute(viewer, target, duration=duration or None)
        how_long = f" for {MUTE_DURATIONS[duration]}" if duration else ""
        return f"You muted @{target.username}{how_long}. Their posts won't show in your feeds."

    return deed


@relationship_action
def note(request: HttpRequest, username: str) -> Deed:
    """Save (or, empty, clear) your private note about someone."""
    comment = request.POST.get("comment", "")

    def deed(viewer: Account, target: Account) -> str:
        saved = actions.set_note(viewer, target, comment)
        return "Note saved. Only you can see it." if saved else "Note removed."

    return deed


# Durations the mute menu offers (seconds → words); 0: until unmuted.
MUTE_DURATIONS = {0: "", 3600: "1 hour", 86400: "1 day", 604800: "7 days", 2592000: "30 days"}


@relationship_action
def unmute(request: HttpRequest, username: str) -> Deed:
    def deed(viewer: Account, target: Account) -> str:
        actions.unmute(viewer, target)
        return f"You unmuted @{target.username}."

    return deed


@require_GET
@login_required
def block_confirm(request: HttpRequest, username: str) -> HttpResponse:
    """Ask before blocking (the no-JavaScript path; with JS the button asks in a dialog)."""
    target = _target(username)
    viewer = _viewer(request)
    assert viewer is not None  # @login_required
    if viewer.pk == target.pk:
        raise Http404("You can't block yourself.")
    context = {
        "target": target,
        "rel": queries.relationship(viewer, target),
        "rel_next": _next_url(request, target),
    }
    return render(request, "network/block_confirm.html", context)


# --- lists ----------------------------------------------------------------------------------

PROFILE_LISTS: dict[str, Callable[..., queries.AccountPage]] = {
    "followers": queries.followers_page,
    "following": queries.following_page,
    "connections": queries.connections_page,
}


def _bad_page_key() -> HttpResponse:
    return HttpResponseBadRequest("The page key (max_id) must be a whole number.")


def _profile_list(request: HttpRequest, username: str, tab: str) -> HttpResponse:
    account = _target(username)
    viewer = _viewer(request)
    if (
        viewer is not None
        and viewer.pk != account.pk
        and queries.is_blocked_either_way(viewer, account)
    ):
        raise Http404("No such account.")
    try:
        max_id = _max_id(request)
    except ValueError:
        return _bad_page_key()
    context: dict[str, Any] = {"account": account, "tab": tab}
    if not queries.can_see_lists(viewer, account):
        return render(request, "network/profile_list.html", context | {"private": True}, status=403)
    page = PROFILE_LISTS[tab](viewer, account, max_id=max_id)
    next_url = f"{request.path}?max_id={page.next_max_id}" if page.next_max_id else ""
    context |= {"rows": page.rows, "next_url": next_url}
    if _is_htmx(request) and max_id is not None:
        return render(request, "network/_account_rows.html", context)
    return render(request, "network/profile_list.html", context)


@require_GET
def followers(request: HttpRequest, username: str) -> HttpResponse:
    """Who follows ``username``, newest first."""
    return _profile_list(request, username, "followers")


@require_GET
def following(request: HttpRequest, username: str) -> HttpResponse:
    """Whom ``username`` follows, newest first."""
    return _profile_list(request, username, "following")


@require_GET
def connections_of(request: HttpRequest, username: str) -> HttpResponse:
    """Who ``username`` is connected to, newest first."""
    return _profile_list(request, username, "connections")


# The viewer's own lists: (query, page title, intro, empty-state title, empty-state text, icon).
MY_LISTS: dict[str, tuple[Callable[..., queries.AccountPage], str, str, str, str, str]] = {
    "invitations": (
        queries.received_connection_requests_page,
        "Invitations",
        "People who asked to connect with you.",
        "No invitations",
        "When someone asks to connect, you'll answer here.",
        "users",
    ),
    "follow_requests": (
        queries.received_follow_requests_page,
        "Follow requests",
        "Your account approves followers. These people are waiting.",
        "No follow requests",
        "When someone asks to follow you, you'll approve or reject them here.",
        "lock",
    ),
    "sent": (
        queries.sent_connection_requests_page,
        "Sent invitations",
        "Connection requests you sent that are still pending.",
        "No pending invitations",
        "Connection requests you send will wait here until they're answered.",
        "mail",
    ),
    "sent_follow_requests": (
        queries.sent_follow_requests_page,
        "Sent follow requests",
        "Locked accounts you asked to follow.",
        "No pending follow requests",
        "When you ask to follow a locked account, the request waits here.",
        "lock",
    ),
    "blocks": (
        queries.blocks_page,
        "Blocked accounts",
        "You and these accounts can't see or reach each other. They aren't told.",
        "You haven't blocked anyone",
        "Blocking removes follows and connections both ways and hides each from the other.",
        "x",
    ),
    "mutes": (
        queries.mutes_page,
        "Muted accounts",
        "Their posts and notifications are hidden from you. They aren't told.",
        "You haven't muted anyone",
        "Mute someone from the ··· menu on their profile to quiet them without unfollowing.",
        "eye",
    ),
}


REQUEST_HALF = {
    "invitations": "connection",
    "sent": "connection",
    "follow_requests": "follow",
    "sent_follow_requests": "follow",
}


def _my_list(request: HttpRequest, kind: str) -> HttpResponse:
    viewer = _viewer(request)
    assert viewer is not None  # @login_required
    try:
        max_id = _max_id(request)
    except ValueError:
        return _bad_page_key()
    query, title, intro, empty_title, empty_text, icon = MY_LISTS[kind]
    page = query(viewer, max_id=max_id)
    next_url = f"{request.path}?max_id={page.next_max_id}" if page.next_max_id else ""
    context = {
        "kind": kind,
        "rows": page.rows,
        "next_url": next_url,
        "title": title,
        "intro": intro,
        "empty_title": empty_title,
        "empty_text": empty_text,
        "empty_icon": icon,
        "show_notes": kind in ("invitations", "sent"),
        # Request lists show only the buttons that answer the request (plus the ··· menu).
        "rel_only": REQUEST_HALF.get(kind, ""),
    }
    if _is_htmx(request) and max_id is not None:
        return render(request, "network/_account_rows.html", context)
    return render(request, "network/my_list.html", context)


def _my_list_view(kind: str) -> Callable[[HttpRequest], HttpResponse]:
    @require_GET
    @login_required
    def view(request: HttpRequest) -> HttpResponse:
        return _my_list(request, kind)

    view.__name__ = kind
    view.__doc__ = f"The viewer's {MY_LISTS[kind][1].lower()}, newest first."
    return view


invitations = _my_list_view("invitations")
follow_requests = _my_list_view("follow_requests")
sent_requests = _my_list_view("sent")
sent_follow_requests = _my_list_view("sent_follow_requests")
blocks = _my_list_view("blocks")
mutes = _my_list_view("mutes")


@require_GET
@login_required
def connections(request: HttpRequest) -> HttpResponse:
    """ "My network": requests waiting on either side, then the viewer's connections."""
    viewer = _viewer(request)
    assert viewer is not None  # @login_required
    try:
        max_id = _max_id(request)
    except ValueError:
        return _bad_page_key()
    hub = queries.network_hub(viewer, max_id=max_id)
    page = hub.connections
    next_url = (
        f"{reverse('network:connections')}?max_id={page.next_max_id}" if page.next_max_id else ""
    )
    if _is_htmx(request) and max_id is not None:
        return render(
            request, "network/_account_rows.html", {"rows": page.rows, "next_url": next_url}
        )
    context = {"hub": hub, "next_url": next_url, "first_page": max_id is None}
    return render(request, "network/connections.html", context)
