"""Mastodon API: streaming over server-sent events (``GET /api/v1/streaming/<stream>``).

The WebSocket side is :class:`mastodon.streaming.StreamingConsumer`, routed at
``/api/v1/streaming`` by :mod:`plaza.asgi`; both share :mod:`mastodon.streaming`.
An event is written as ``event: <name>`` and ``data: <payload>`` lines and a blank line; a
``:thump`` comment every 15 seconds keeps proxies from closing an idle connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_GET

from mastodon.streaming import (
    Session,
    Stream,
    StreamError,
    Viewer,
    authenticate_viewer,
    resolve,
    still_valid,
    token_from,
)
from plaza.events import in_thread


async def _events(viewer: Viewer, stream: Stream) -> AsyncIterator[str]:
    # The subscription is made here, on the server's event loop, when streaming starts; the
    # finally clause runs when the client goes away (Django cancels the response).
    session = Session(viewer)
    try:
        await session.open(stream)
        yield ":)\n"
        while True:
            batch = await session.next()
            if batch is None:
                if not await in_thread(still_valid)(viewer):
                    return  # the token was revoked: end the stream
                yield ":thump\n"
                continue
            for _, name, payload in batch:
                yield f"event: {name}\ndata: {payload if payload is not None else 'undefined'}\n\n"
    finally:
        session.close()


AsyncView = Callable[[HttpRequest], Coroutine[Any, Any, HttpResponseBase]]


def _stream_view(name: str) -> AsyncView:
    @require_GET
    async def view(request: HttpRequest) -> HttpResponseBase:
        query = {key: request.GET.get(key, "") for key in request.GET}
        raw, _ = token_from({"authorization": request.headers.get("Authorization", "")}, query)
        try:
            viewer = await in_thread(authenticate_viewer)(raw)
            stream = resolve(viewer, name, query)
        except StreamError as exc:
            return JsonResponse({"error": exc.message}, status=exc.status)
        response = StreamingHttpResponse(_events(viewer, stream), content_type="text/event-stream")
        response["Cache-Control"] = "no-store"
        response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
        return response

    view.__name__ = f"stream_{name.replace(':', '_')}"
    return view


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """``GET /api/v1/streaming/health``: ``OK`` while streaming works."""
    return HttpResponse("OK", content_type="text/plain")


def streaming_root(request: HttpRequest) -> HttpResponse:
    """Plain HTTP at the WebSocket's address: Mastodon answers 404 when streaming lives on
    the same host (it redirects only to a separate streaming host)."""
    return JsonResponse({"error": "Not found"}, status=404)


_STREAMS = {
    "user": "user",
    "user/notification": "user:notification",
    "public": "public",
    "public/local": "public:local",
    "public/remote": "public:remote",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "direct": "direct",
    "list": "list",
}

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/streaming", streaming_root),
    path("api/v1/streaming/health", health),
    *(path(f"api/v1/streaming/{p}", _stream_view(name)) for p, name in _STREAMS.items()),
]
