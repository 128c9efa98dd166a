"""Web pages of direct messages: inbox, requests, new conversation, thread, and the POSTs.

Every POST is a plain form with a redirect back (works without JavaScript). Requests made
by ``static/js/messaging.js`` (``HX-Request: true``) get a partial or an empty 204 instead,
and errors as ``{"error": ...}`` with the action's status. Everything is read through
:mod:`messaging.queries`: a conversation the viewer is not in is a 404 on every path.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Account
from messaging import actions, queries
from messaging.models import MAX_MESSAGE_CHARS, MAX_PARTICIPANTS, MAX_TITLE_CHARS
from plaza import ratelimit
from plaza.errors import ActionError, NotFound
from plaza.ids import is_digits
from posts.media import upload_media
from posts.models import MediaAttachment

MAX_ID = 2**63 - 1
QUICK_REACTIONS = ("👍", "❤️", "😂", "😮", "😢", "🎉")
_USERNAME = re.compile(r"^@?([A-Za-z0-9_]{1,30})$")


def _account(request: HttpRequest) -> Account:
    return request.user.account  # type: ignore[union-attr]


def _is_live(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _id(raw: str) -> int:
    if not is_digits(raw) or len(raw) > 19 or int(raw) > MAX_ID:
        raise Http404("No such conversation.")
    return int(raw)


def _key(raw: str | None) -> int | None:
    """A page key from the query string; anything malformed is ignored (first page)."""
    if raw and is_digits(raw) and len(raw) <= 19 and int(raw) <= MAX_ID:
        return int(raw)
    return None


def _view_for(request: HttpRequest, conversation_id: str) -> queries.ConversationView:
    try:
        return queries.get_conversation_for(_account(request), _id(conversation_id))
    except NotFound:
        raise Http404("No such conversation.") from None


def _message_for(request: HttpRequest, view: queries.ConversationView, message_id: str) -> Any:
    try:
        return queries.get_message_for(_account(request), view, _id(message_id))
    except NotFound:
        raise Http404("No such message.") from None


def _thread_url(conversation_id: int) -> str:
    return reverse("messaging:thread", args=[conversation_id])


def handles_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn an action's refusal into a message and a redirect back to the thread (or, for
    script requests, ``{"error": ...}`` with its status)."""

    @wraps(view)
    def wrapper(
        request: HttpRequest, conversation_id: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        try:
            return view(request, conversation_id, *args, **kwargs)
        except NotFound as exc:
            if _is_live(request):
                return JsonResponse({"error": exc.message}, status=404)
            raise Http404(exc.message) from None
        except ActionError as exc:
            if _is_live(request):
                return JsonResponse({"error": exc.message}, status=exc.status)
            messages.error(request, exc.message)
            return redirect(_thread_url(_id(conversation_id)))

    return wrapper


# --- inbox ----------------------------------------------------------------------------------


def _inbox(request: HttpRequest, *, requests: bool) -> HttpResponse:
    viewer = _account(request)
    page = queries.inbox(viewer, requests=requests, max_key=_key(request.GET.get("max_key")))
    base = reverse("messaging:requests" if requests else "messaging:inbox")
    next_url = f"{base}?max_key={page.next_max_key}" if page.next_max_key is not None else ""
    context = {"page": page, "next_url": next_url, "requests": requests}
    if _is_live(request):
        return render(request, "messaging/_conversation_list.html", context)
    context["requests_count"] = queries.requests_count(viewer)
    return render(request, "messaging/inbox.html", context)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The viewer's conversations, most recent first, with unread counts."""
    return _inbox(request, requests=False)


@login_required
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    """Message requests: conversations from people the viewer does not know yet."""
    return _inbox(request, requests=True)


# --- starting a conversation ----------------------------------------------------------------


def _recipients(raw: str) -> list[Account]:
    names = [n for n in re.split(r"[\s,]+", raw.strip()) if n]
    if not names:
        raise ActionError("Choose at least one person to message.", field="to")
    if len(names) >= MAX_PARTICIPANTS:
        raise ActionError(
            f"A conversation can have at most {MAX_PARTICIPANTS} people, you included.",
            field="to",
        )
    wanted: dict[str, None] = {}
    for name in names:
        match = _USERNAME.match(name)
        if match is None:
            raise ActionError(f"“{name[:40]}” is not a username.", field="to")
        wanted.setdefault(match.group(1).lower(), None)
    found = {
        a.lname: a
        for a in Account.objects.annotate(lname=Lower("username")).filter(lname__in=list(wanted))
    }
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ActionError(f"Nobody here is called @{missing[0]}.", field="to")
    return [found[n] for n in wanted]


def _uploads(request: HttpRequest) -> list[MediaAttachment]:
    files = request.FILES.getlist("media")
    if len(files) > actions.MAX_IMAGES:
        raise ActionError("A message can have at most 4 images.", field="media")
    return [upload_media(_account(request), f) for f in files]


def _existing_one_to_one(viewer: Account, to: str) -> int | None:
    """The viewer's open one-to-one conversation with ``to`` (the Message button goes
    straight there), if there is one."""
    try:
        people = _recipients(to)
    except ActionError:
        return None
    if len(people) != 1 or people[0].pk == viewer.pk:
        return None
    key = actions.pair_key(viewer, people[0])
    found = queries.one_to_one_id(viewer, key)
    return found


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Start a conversation: ``?to=username`` prefills; several names make a group."""
    viewer = _account(request)
    form = {
        "to": request.POST.get("to", request.GET.get("to", "")),
        "title": request.POST.get("title", ""),
        "text": request.POST.get("text", ""),
    }
    error: ActionError | None = None
    if request.method == "GET" and form["to"]:
        existing = _existing_one_to_one(viewer, form["to"])
        if existing is not None:
            return redirect(_thread_url(existing))
    if request.method == "POST":
        try:
            people = _recipients(form["to"])
            ratelimit.hit("message", viewer)
            conversation = actions.start_conversation(
                viewer, people, title=form["title"], text=form["text"], media=_uploads(request)
            )
        except ActionError as exc:
            error = exc
        else:
            return redirect(_thread_url(conversation.pk))
    context = {
        "form": form,
        "error": error,
        "max_people": MAX_PARTICIPANTS - 1,
        "max_chars": MAX_MESSAGE_CHARS,
        "max_title": MAX_TITLE_CHARS,
    }
    return render(request, "messaging/new.html", context, status=422 if error else 200)


# --- a thread -------------------------------------------------------------------------------


def _thread_context(
    request: HttpRequest, view: queries.ConversationView, page: queries.ThreadPage
) -> dict[str, Any]:
    items = page.items
    last_mine = next((i.message for i in reversed(items) if i.mine), None)
    return {
        "view": view,
        "conversation": view.conversation,
        "items": items,
        "quick_reactions": QUICK_REACTIONS,
        "older_url": (
            f"{_thread_url(view.conversation.pk)}?max_id={page.next_max_id}"
            if page.next_max_id is not None
            else ""
        ),
        "seen_by": view.read_by(last_mine.pk) if last_mine and items[-1].mine else [],
        "last_id": items[-1].message.pk if items else 0,
    }


@login_required
@require_GET
def thread(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """A conversation: its messages (newest at the bottom) and the composer. Opening it
    marks it read (requests stay unread until accepted)."""
    viewer = _account(request)
    view = _view_for(request, conversation_id)
    page = queries.thread(viewer, view, max_id=_key(request.GET.get("max_id")))
    if _is_live(request):
        return render(request, "messaging/_messages.html", _thread_context(request, view, page))
    if not view.is_request and view.me.unread_count and "max_id" not in request.GET:
        actions.mark_read(viewer, view.conversation)
    return _render_thread(request, view, page, reply_id=_key(request.GET.get("reply_to")))


def _render_thread(
    request: HttpRequest,
    view: queries.ConversationView,
    page: queries.ThreadPage,
    *,
    reply_id: int | None = None,
    draft: str = "",
    error: str = "",
) -> HttpResponse:
    """The thread page; after a refused message, with the error and what was typed (422)."""
    context = _thread_context(request, view, page)
    if reply_id is not None:
        with contextlib.suppress(NotFound):
            context["replying_to"] = queries.get_message_for(_account(request), view, reply_id)
    context.update(
        max_chars=MAX_MESSAGE_CHARS,
        max_title=MAX_TITLE_CHARS,
        max_people=MAX_PARTICIPANTS,
        is_owner=view.me.role == "owner",
        draft=draft,
        error=error,
    )
    return render(request, "messaging/thread.html", context, status=422 if error else 200)


@login_required
@require_GET
def updates(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """What came after ``?after=<message id>`` (for the live page), as message partials."""
    viewer = _account(request)
    view = _view_for(request, conversation_id)
    after = _key(request.GET.get("after")) or 0
    page = queries.thread(viewer, view, after_id=after, limit=100)
    context = _thread_context(request, view, page)
    return render(request, "messaging/_messages.html", {**context, "older_url": ""})


@login_required
@require_GET
def seen(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """The thread's "Seen by …" line (the live page redraws it on ``read`` events and after
    new messages): who has read the viewer's last message, if the newest one is theirs."""
    viewer = _account(request)
    view = _view_for(request, conversation_id)
    return render(request, "messaging/_seen.html", {"seen_by": queries.seen_by(viewer, view)})


@login_required
@require_GET
def message_partial(request: HttpRequest, conversation_id: str, message_id: str) -> HttpResponse:
    """One message as the thread shows it (the live page swaps it in after an edit)."""
    viewer = _account(request)
    view = _view_for(request, conversation_id)
    message = _message_for(request, view, message_id)
    item = queries.items_for(viewer, [message])[0]
    return render(
        request,
        "messaging/_message.html",
        {"item": item, "view": view, "quick_reactions": QUICK_REACTIONS},
    )


def _done(request: HttpRequest, conversation_id: int, note: str = "") -> HttpResponse:
    if _is_live(request):
        return HttpResponse(status=204)
    if note:
        messages.success(request, note)
    return redirect(_thread_url(conversation_id))


@login_required
@require_POST
@handles_errors
def send(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """Send a message (with ``reply_to`` and ``media`` files optional)."""
    viewer = _account(request)
    view = _view_for(request, conversation_id)
    reply_to = None
    reply_id = request.POST.get("reply_to", "").strip()
    if reply_id:
        reply_to = queries.get_message_for(viewer, view, _id(reply_id))
    text = request.POST.get("text", "")
    try:
        ratelimit.hit("message", viewer)
        actions.send_message(
            viewer, view.conversation, text=text, media=_uploads(request), reply_to=reply_to
        )
    except ActionError as exc:
        if _is_live(request):
            raise
        # The page again, with the error and what was typed (a redirect would lose it).
        page = queries.thread(viewer, view)
        reply = reply_to.pk if reply_to is not None else None
        return _render_thread(request, view, page, reply_id=reply, draft=text, error=exc.message)
    return _done(request, view.conversation.pk)


@login_required
@require_POST
@handles_errors
def edit(request: HttpRequest, conversation_id: str, message_id: str) -> HttpResponse:
    viewer = _account(request)
    view = _view_for(request, conversation_id)
    actions.edit_message(
        viewer, _message_for(request, view, message_id), request.POST.get("text", "")
    )
    return _done(request, view.conversation.pk)


@login_required
@require_POST
@handles_errors
def delete(request: HttpRequest, conversation_id: str, message_id: str) -> HttpResponse:
    """``scope=everyone`` (one's own, within the window) or ``scope=me`` (any, any time)."""
    viewer = _account(request)
    view = _view_for(request, conversation_id)
    message = _message_for(request, view, message_id)
    if request.POST.get("scope") == "everyone":
        actions.delete_for_everyone(viewer, message)
    else:
        actions.delete_for_me(viewer, message)
    return _done(request, view.conversation.pk)


@login_required
@require_POST
@handles_errors
def react(request: HttpRequest, conversation_id: str, message_id: str) -> HttpResponse:
    """Toggle a reaction."""
    viewer = _account(request)
    view = _view_for(request, conversation_id)
    actions.toggle_reaction(
        viewer, _message_for(request, view, message_id), request.POST.get("emoji", "")
    )
    return _done(request, view.conversation.pk)


@login_required
@require_POST
@handles_errors
def accept(request: HttpRequest, conversation_id: str) -> HttpResponse:
    view = _view_for(request, conversation_id)
    actions.accept_request(_account(request), view.conversation)
    return _done(
        request, view.conversation.pk, "Request accepted: this conversation is in your inbox."
    )


@login_required
@require_POST
@handles_errors
def decline(request: HttpRequest, conversation_id: str) -> HttpResponse:
    view = _view_for(request, conversation_id)
    actions.decline_request(_account(request), view.conversation)
    if _is_live(request):
        return HttpResponse(status=204)
    messages.success(request, "Request declined. They can't message you again unless you connect.")
    return redirect("messaging:requests")


@login_required
@require_POST
@handles_errors
def read(request: HttpRequest, conversation_id: str) -> HttpResponse:
    view = _view_for(request, conversation_id)
    if not view.is_request:
        actions.mark_read(_account(request), view.conversation, _key(request.POST.get("up_to")))
    return _done(request, view.conversation.pk)


@login_required
@require_POST
@handles_errors
def mute(request: HttpRequest, conversation_id: str) -> HttpResponse:
    view = _view_for(request, conversation_id)
    muted = request.POST.get("muted", "1") == "1"
    actions.set_muted(_account(request), view.conversation, muted)
    return _done(
        request, view.conversation.pk, "Conversation muted." if muted else "Conversation unmuted."
    )


@login_required
@require_POST
@handles_errors
def leave(request: HttpRequest, conversation_id: str) -> HttpResponse:
    view = _view_for(request, conversation_id)
    actions.leave(_account(request), view.conversation)
    if _is_live(request):
        return HttpResponse(status=204)
    messages.success(request, f"You left “{view.title}”.")
    return redirect("messaging:inbox")


@login_required
@require_POST
@handles_errors
def add(request: HttpRequest, conversation_id: str) -> HttpResponse:
    view = _view_for(request, conversation_id)
    added = actions.add_people(
        _account(request), view.conversation, _recipients(request.POST.get("to", ""))
    )
    return _done(
        request, view.conversation.pk, f"Added {added} {'person' if added == 1 else 'people'}."
    )


@login_required
@require_POST
@handles_errors
def rename(request: HttpRequest, conversation_id: str) -> HttpResponse:
    view = _view_for(request, conversation_id)
    actions.rename(_account(request), view.conversation, request.POST.get("title", ""))
    return _done(request, view.conversation.pk, "Conversation renamed.")
