"""The ASGI application: Django for HTTP, Mastodon's streaming socket for WebSockets.

Run by uvicorn (``scripts/run.sh``). The WebSocket route matches the path clients build from
``configuration.urls.streaming`` in ``/api/v2/instance`` (``wss://<host>`` + ``/api/v1/streaming``).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaza.settings")
django_application = get_asgi_application()  # sets Django up before the imports below

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from mastodon.streaming import StreamingConsumer  # noqa: E402


async def _no_such_socket(scope: dict, receive: object, send: object) -> None:
    """Any other WebSocket path: refuse the handshake (rather than an error in the log)."""
    await send({"type": "websocket.close", "code": 1000})  # type: ignore[operator]


application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter(
            [
                re_path(r"^api/v1/streaming/?$", StreamingConsumer.as_asgi()),
                re_path(r"^", _no_such_socket),  # type: ignore[arg-type]
            ]
        ),
    }
)
