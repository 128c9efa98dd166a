"""Mastodon API: media uploads, processing states, descriptions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import override_settings

from accounts.models import Account
from posts.models import MediaAttachment, MediaState
from tests.factories import make_account
from tests.mastodon.conftest import Api
from tests.posts.helpers import image_bytes, jpeg_upload, mp4_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

ApiFor = Callable[..., Api]


@pytest.fixture
def alice() -> Account:
    return make_account("alice")


def test_v2_image_is_processed_inline(api_for: ApiFor, alice: Account) -> None:
    r = api_for(alice).post(
        "/api/v2/media", {"file": jpeg_upload((320, 200)), "description": "a sunset"}
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["type"] == "image"
    assert data["url"].startswith("http://localhost:8000/")
    assert data["preview_url"]
    assert data["description"] == "a sunset"
    assert data["meta"]["original"]["width"] == 320
    assert data["blurhash"]
    media = MediaAttachment.objects.get()
    assert media.account == alice and media.post is None


def test_v2_video_is_202_then_ready(api_for: ApiFor, alice: Account, run_tasks: Callable) -> None:
    api = api_for(alice)
    with run_tasks() as callbacks:
        r = api.post("/api/v2/media", {"file": upload(mp4_bytes(), "clip.mp4", "video/mp4")})
        assert r.status_code == 202, r.content
        assert r.json()["url"] is None and r.json()["type"] == "video"
        media_id = r.json()["id"]
        assert api.get(f"/api/v1/media/{media_id}").status_code == 206
    assert callbacks  # the processing task was queued, and has now run
    r = api.get(f"/api/v1/media/{media_id}")
    assert r.status_code == 200
    assert r.json()["url"]


def test_v1_is_synchronous(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    r = api.post("/api/v1/media", {"file": upload(mp4_bytes(), "clip.mp4", "video/mp4")})
    assert r.status_code == 200, r.content
    assert r.json()["url"]
    r = api.post("/api/v1/media", {"file": upload(pdf_bytes(2), "doc.pdf", "application/pdf")})
    assert r.status_code == 200
    assert r.json()["type"] == "unknown" and r.json()["plaza"]["page_count"] == 2


def test_bad_uploads_are_422(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    for path in ("/api/v2/media", "/api/v1/media"):
        r = api.post(path, {"description": "no file"})
        assert r.status_code == 422 and "file" in r.json()["error"]
        disguised = upload(b"MZ\x90\x00 not really a picture" * 20, "cat.jpg", "image/jpeg")
        r = api.post(path, {"file": disguised})
        assert r.status_code == 422, r.content
        r = api.post(path, {"file": upload(b"", "empty.png", "image/png")})
        assert r.status_code == 422
        r = api.post(path, {"file": jpeg_upload(), "description": "x" * 1501})
        assert r.status_code == 422
        r = api.post(path, {"file": jpeg_upload(), "focus": "2,0"})
        assert r.status_code == 422
        r = api.post(path, {"file": jpeg_upload(), "focus": "left"})
        assert r.status_code == 422
    assert not MediaAttachment.objects.exists()


def test_oversized_upload_is_422(api_for: ApiFor, alice: Account, settings: object) -> None:
    from django.conf import settings as django_settings

    limits = django_settings.PLAZA.model_copy(update={"max_image_bytes": 1000})
    with override_settings(PLAZA=limits):
        r = api_for(alice).post("/api/v2/media", {"file": jpeg_upload((400, 400))})
    assert r.status_code == 422
    assert "at most" in r.json()["error"]
    assert not MediaAttachment.objects.exists()


def test_media_scope_and_auth(api_for: ApiFor, alice: Account) -> None:
    r = api_for(alice, scopes="read write:statuses").post("/api/v2/media", {"file": jpeg_upload()})
    assert r.status_code == 403
    assert api_for(False).post("/api/v2/media", {"file": jpeg_upload()}).status_code == 401
    r = api_for(alice, scopes="write:media").post("/api/v2/media", {"file": jpeg_upload()})
    assert r.status_code == 200
    assert MediaAttachment.objects.count() == 1


def test_get_and_update_own_media_only(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    media_id = api.post("/api/v2/media", {"file": jpeg_upload()}).json()["id"]
    assert api.get(f"/api/v1/media/{media_id}").status_code == 200
    r = api.put_json(f"/api/v1/media/{media_id}", {"description": "alt text", "focus": "0.5,-0.5"})
    assert r.status_code == 200 and r.json()["description"] == "alt text"
    r = api.put(
        f"/api/v1/media/{media_id}",
        "description=form+alt",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.json()["description"] == "form alt"
    assert api.put_json(f"/api/v1/media/{media_id}", {"description": "x" * 2000}).status_code == 422
    assert api.put_json(f"/api/v1/media/{media_id}", {"focus": "9,9"}).status_code == 422
    assert MediaAttachment.objects.get().alt_text == "form alt"
    mallory = api_for(make_account("mallory"))
    assert mallory.get(f"/api/v1/media/{media_id}").status_code == 404
    r = mallory.put_json(f"/api/v1/media/{media_id}", {"description": "mine now"})
    assert r.status_code == 404 and "error" in r.json()
    assert MediaAttachment.objects.get().alt_text == "form alt"
    for bad in ("nope", "123", "99999999999999999999999"):
        assert api.get(f"/api/v1/media/{bad}").status_code == 404


def test_failed_processing_reports_the_error(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    media_id = api.post("/api/v2/media", {"file": jpeg_upload()}).json()["id"]
    MediaAttachment.objects.filter(pk=media_id).update(state=MediaState.FAILED, error="Broken.")
    r = api.get(f"/api/v1/media/{media_id}")
    assert r.status_code == 422 and r.json()["error"] == "Broken."


def test_processing_media_cannot_be_attached_yet(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    r = api.post("/api/v2/media", {"file": upload(mp4_bytes(), "clip.mp4", "video/mp4")})
    assert r.status_code == 202
    r = api.post_json("/api/v1/statuses", {"status": "video", "media_ids": [r.json()["id"]]})
    assert r.status_code == 422
    assert "processing" in r.json()["error"]


def test_png_upload_with_json_client(api_for: ApiFor, alice: Account) -> None:
    png = upload(image_bytes((50, 50), "PNG"), "x.png", "image/png")
    r = api_for(alice).post("/api/v2/media", {"file": png})
    assert r.status_code == 200
    media_id = r.json()["id"]
    r = api_for(alice).post_json("/api/v1/statuses", {"media_ids": [media_id]})
    assert r.status_code == 200
    assert r.json()["media_attachments"][0]["id"] == media_id
