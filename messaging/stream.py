"""``GET /messages/live``: server-sent events for the messages pages (session log-in).

An async view like Mastodon's streaming SSE (:mod:`mastodon.views.streaming`): it listens
on the viewer's ``messages:<account id>`` bus stream (:mod:`messaging.live`) and writes each
event as ``event: message`` / ``data: {"conversation", "message", "action"}``. Before an
event goes out, the viewer's access to its conversation is checked again, so someone who
left (or was never in) a conversation hears nothing of it. ``?conversation=<id>`` narrows
the stream to one conversation and must name one the viewer is in (404 otherwise).

Served by Django's ASGI handler the stream stays open (``:thump`` every 15 seconds). Under
the WSGI thread pool (which cannot hold a connection open without tying up a thread) the
answer is a single ``retry:`` line: the browser reconnects every few seconds and the page
catches up on each reconnect, so the page stays current either way, only slower.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from django.core.handlers.asgi import ASGIRequest
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_GET

from messaging import live, queries
from plaza import events
from plaza.events import in_thread
from plaza.ids import is_digits

HEARTBEAT_SECONDS = 15.0
POLL_RETRY_MS = 4000


def _viewer_id(request: HttpRequest) -> int | None:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    account = getattr(user, "account", None)
    return account.pk if account is not None else None


def _still_in(viewer_id: int, conversation_id: int) -> bool:
    return queries.can_access(viewer_id, conversation_id)


def _still_active(viewer_id: int) -> bool:
    from accounts.models import Account

    return Account.objects.filter(pk=viewer_id, user__is_active=True).exists()


async def _events(viewer_id: int, only: int | None) -> AsyncIterator[str]:
    sub = await events.subscribe(live.stream(viewer_id))
    try:
        yield ":)\n\n"
        while True:
            event = await sub.get(HEARTBEAT_SECONDS)
            if event is None:
                if not await in_thread(_still_active)(viewer_id):
                    return
                yield ":thump\n\n"
                continue
            if event.event != live.EVENT:
                continue
            raw = str(event.payload.get("conversation") or "")
            if not is_digits(raw):
                continue
            conversation_id = int(raw)
            if only is not None and conversation_id != only:
                continue
            # "request" and "members" events may be about losing access: always let the
            # viewer's own page hear them so it can go back to the inbox.
            action = event.payload.get("action")
            if action not in ("request", "members") and not await in_thread(_still_in)(
                viewer_id, conversation_id
            ):
                continue
            yield f"event: message\ndata: {json.dumps(event.payload)}\n\n"
    finally:
        sub.close()


@require_GET
async def live_events(request: HttpRequest) -> HttpResponseBase:
    """The viewer's message events as ``text/event-stream``."""
    viewer_id = await in_thread(_viewer_id)(request)
    if viewer_id is None:
        return JsonResponse({"error": "Log in to receive messages."}, status=401)
    only: int | None = None
    raw = request.GET.get("conversation", "")
    if raw:
        if (
            not is_digits(raw)
            or len(raw) > 19
            or not await in_thread(queries.can_access)(viewer_id, int(raw))
        ):
            return JsonResponse({"error": "No such conversation."}, status=404)
        only = int(raw)
    if not isinstance(request, ASGIRequest):
        response: HttpResponseBase = HttpResponse(
            f"retry: {POLL_RETRY_MS}\n\n", content_type="text/event-stream"
        )
    else:
        response = StreamingHttpResponse(_events(viewer_id, only), content_type="text/event-stream")
        response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    response["Cache-Control"] = "no-store"
    return response
