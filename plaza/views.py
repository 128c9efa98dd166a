"""Instance-wide endpoints that belong to no domain."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.views.static import serve
from huey.contrib.djhuey import HUEY

from plaza import __version__


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the task queue answer, 503 naming what failed otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        HUEY.pending_count()
        checks["tasks"] = "ok"
    except Exception as exc:
        checks["tasks"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "version": __version__, "checks": checks},
        status=200 if healthy else 503,
    )


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files, for the embedded default (production serves them from nginx or S3).

    ``MEDIA_ROOT`` is read per request, not bound at import, so it follows the settings.
    """
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))
