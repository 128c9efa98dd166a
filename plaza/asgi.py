"""The ASGI application: Django for HTTP, Mastodon's streaming socket for WebSockets.

Run by uvicorn (``scripts/run.sh``). The WebSocket route matches the path clients build from
``configuration.urls.streaming`` in ``/api/v2/instance`` (``wss://<host>`` + ``/api/v1/streaming``).

Ordinary HTTP requests (pages, the APIs) are synchronous Django views. Django's own ASGI
handler runs each of them in a fresh thread, so every request opens a new database
connection and pays for it (measured: about a quarter of a home-feed page). They are served
instead through Django's WSGI handler on a fixed pool of long-lived threads (a2wsgi), where
connections persist (``CONN_MAX_AGE``). Only the streaming endpoints, which are async views
that stay open, go through the ASGI handler.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaza.settings")
django_application = get_asgi_application()  # sets Django up before the imports below

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import re_path  # noqa: E402

from mastodon.streaming import StreamingConsumer  # noqa: E402


async def _no_such_socket(scope: dict, receive: object, send: object) -> None:
    """Any other WebSocket path: refuse the handshake (rather than an error in the log)."""
    await send({"type": "websocket.close", "code": 1000})  # type: ignore[operator]


sync_application = WSGIMiddleware(
    get_wsgi_application(),  # type: ignore[arg-type]  # Django returns an iterable response
    workers=settings.PLAZA.web_threads,
)
# Long-lived async views (server-sent events): Mastodon's streaming API and live messages.
STREAMING_PREFIXES = ("/api/v1/streaming", "/messages/live")


async def http_application(scope: dict, receive: object, send: object) -> None:
    """Streaming (long-lived, async) through Django's ASGI handler, the rest on the pool."""
    if scope["path"].startswith(STREAMING_PREFIXES):
        await django_application(scope, receive, send)  # type: ignore[arg-type]
    else:
        await sync_application(scope, receive, send)  # type: ignore[arg-type]


application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": URLRouter(
            [
                re_path(r"^api/v1/streaming/?$", StreamingConsumer.as_asgi()),
                re_path(r"^", _no_such_socket),  # type: ignore[arg-type]
            ]
        ),
    }
)
