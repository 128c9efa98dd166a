"""Mastodon API: media uploads (``/api/v2/media``, ``/api/v1/media``).

Uploads go through :mod:`posts.media` like the web composer's: the type is sniffed, limits
checked, small images and documents processed in the request (200), videos and large files
in the task queue (202, ``url`` null, then ``GET /api/v1/media/:id`` answers 206 until it is
ready and 200 after). ``focus`` ("x,y", each -1..1) is stored as the focal point that crops
keep in view (``meta.focus``); a custom ``thumbnail`` is ignored: Plaza makes its own previews.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django.urls import URLPattern, URLResolver, path

from mastodon.api import ApiError, ApiRequest, by_method, endpoint
from mastodon.entities.statuses import media_attachment
from mastodon.views.statuses import parse_focus, path_id
from posts import media as media_actions
from posts.models import MediaAttachment, MediaState


def _upload(request: ApiRequest) -> MediaAttachment:
    account = request.account
    assert account is not None
    upload = request.data.files.get("file")
    if upload is None:
        raise ApiError("file is required (multipart form data)", 422)
    focus = _focus(request)  # checked before anything is stored
    description = request.data.string("description", "") or ""
    media = media_actions.upload_media(account, upload, alt_text=description)
    if focus is not None:
        _set_focus(media, focus)
    return media


def _focus(request: ApiRequest) -> tuple[float, float] | None:
    raw = request.data.string("focus")
    return parse_focus(raw) if raw else None


def _set_focus(media: MediaAttachment, focus: tuple[float, float]) -> None:
    media_actions.set_focus(media.account, media, *focus)


def _respond(media: MediaAttachment, status: int) -> JsonResponse:
    return JsonResponse(media_attachment(media), status=status)


@endpoint("POST", scope="write:media")
def upload_v2(request: ApiRequest) -> Any:
    media = _upload(request)
    return _respond(media, 200 if media.state == MediaState.READY else 202)


@endpoint("POST", scope="write:media")
def upload_v1(request: ApiRequest) -> Any:
    # The legacy endpoint answers only once the file is usable: finish processing here.
    media = _upload(request)
    if media.state == MediaState.PROCESSING:
        media_actions.process_attachment(media.pk)
        media.refresh_from_db()
    if media.state == MediaState.FAILED:
        error = media.error or "This file could not be processed."
        media_actions.discard(media)
        raise ApiError(error, 422)
    return _respond(media, 200)


def _own(request: ApiRequest, media_id: str) -> MediaAttachment:
    media = MediaAttachment.objects.filter(pk=path_id(media_id), account=request.account).first()
    if media is None:
        raise ApiError("Record not found", 404)
    return media


@endpoint("GET", scope="write:media")
def get_media(request: ApiRequest, media_id: str) -> Any:
    media = _own(request, media_id)
    if media.state == MediaState.FAILED:
        raise ApiError(media.error or "This file could not be processed.", 422)
    return _respond(media, 206 if media.state == MediaState.PROCESSING else 200)


@endpoint("PUT", scope="write:media")
def update_media(request: ApiRequest, media_id: str) -> Any:
    media = _own(request, media_id)
    focus = _focus(request)  # checked before anything is written
    if request.data.has("description"):
        description = request.data.string("description", "") or ""
        assert request.account is not None
        media = media_actions.describe_media(request.account, media, description)
    if focus is not None:
        _set_focus(media, focus)
    return _respond(media, 200)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v2/media", upload_v2),
    path("api/v1/media", upload_v1),
    path("api/v1/media/<str:media_id>", by_method(get=get_media, put=update_media)),
]
