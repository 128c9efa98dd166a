"""Mastodon API: a media attachment's focal point (``focus``) is stored."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from posts.models import MediaAttachment
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile("red.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_focus_on_upload_and_update(api_for: Any) -> None:
    api = api_for(make_account("ana"))
    response = api.post("/api/v2/media", {"file": _jpeg(), "focus": "-0.5,0.3"})
    assert response.status_code in (200, 202)
    media = MediaAttachment.objects.get(pk=int(response.json()["id"]))
    assert (media.focus_x, media.focus_y) == (-0.5, 0.3)
    response = api.put_json(f"/api/v1/media/{media.pk}", {"focus": "0.69,0.69"})
    assert response.status_code == 200
    media.refresh_from_db()
    assert (media.focus_x, media.focus_y) == (0.69, 0.69)


def test_bad_focus_writes_nothing(api_for: Any) -> None:
    api = api_for(make_account("ana"))
    assert api.post("/api/v2/media", {"file": _jpeg(), "focus": "2,0"}).status_code == 422
    assert not MediaAttachment.objects.exists()
    media_id = api.post("/api/v2/media", {"file": _jpeg()}).json()["id"]
    response = api.put_json(f"/api/v1/media/{media_id}", {"focus": "x,y", "description": "new"})
    assert response.status_code == 422
    media = MediaAttachment.objects.get()
    assert (media.focus_x, media.focus_y, media.alt_text) == (None, None, "")
