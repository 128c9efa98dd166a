"""Media uploads: real files, sniffed types, limits, metadata stripped, previews made."""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

import pytest
from PIL import Image

from plaza.errors import ActionError
from posts import actions
from posts.media import process_attachment, upload_media
from posts.models import MediaAttachment, MediaKind, MediaState
from tests.factories import make_account
from tests.posts.helpers import gps_exif, image_bytes, jpeg_upload, mp4_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _open(field: Any) -> Image.Image:
    with field.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
        return image


def test_image_is_reencoded_without_exif_or_gps_resized_and_thumbnailed() -> None:
    alice = make_account("alice")
    media = upload_media(
        alice, jpeg_upload((4000, 3000), exif=gps_exif()), alt_text="  A red roof  "
    )
    assert media.state == MediaState.READY
    assert media.kind == MediaKind.IMAGE
    assert media.alt_text == "A red roof"
    assert (media.width, media.height) == (2560, 1920)
    stored = _open(media.file)
    assert stored.size == (2560, 1920)
    assert not stored.getexif()
    assert "exif" not in stored.info
    with media.file.open("rb") as f:
        raw = f.read()
    assert b"Plaza Test Camera" not in raw and b"Exif" not in raw
    thumb = _open(media.thumbnail)
    assert max(thumb.size) == 640
    assert not thumb.getexif()
    assert media.blurhash and len(media.blurhash) > 10
    assert media.content_type == "image/jpeg"


def test_exif_orientation_is_applied_before_it_is_dropped() -> None:
    alice = make_account("alice")
    # Orientation 6: the camera was turned; the pixels are stored sideways.
    media = upload_media(alice, jpeg_upload((400, 200), exif=gps_exif(orientation=6)))
    assert (media.width, media.height) == (200, 400)
    assert not _open(media.file).getexif()


def test_png_with_alpha_stays_png_and_small_images_are_not_upscaled() -> None:
    alice = make_account("alice")
    out = io.BytesIO()
    Image.new("RGBA", (120, 80), (0, 128, 0, 100)).save(out, "PNG")
    media = upload_media(alice, upload(out.getvalue(), "dot.png", "image/png"))
    assert media.content_type == "image/png"
    assert (media.width, media.height) == (120, 80)
    assert _open(media.file).mode == "RGBA"


def test_gif_keeps_its_first_frame() -> None:
    alice = make_account("alice")
    frames = [Image.new("P", (64, 64), i) for i in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    media = upload_media(alice, upload(out.getvalue(), "anim.gif", "image/gif"))
    assert media.state == MediaState.READY
    assert (media.width, media.height) == (64, 64)


def test_text_file_named_png_is_rejected_and_nothing_stored() -> None:
    alice = make_account("alice")
    fake = upload(b"<script>alert(1)</script> hello, not an image", "cat.png", "image/png")
    with pytest.raises(ActionError) as err:
        upload_media(alice, fake)
    assert err.value.field == "media"
    assert MediaAttachment.objects.count() == 0


def test_html_named_pdf_and_mp4_are_rejected() -> None:
    alice = make_account("alice")
    for name in ("paper.pdf", "clip.mp4"):
        with pytest.raises(ActionError):
            upload_media(alice, upload(b"<html><body>hi</body></html>", name, "application/pdf"))
    assert MediaAttachment.objects.count() == 0


def test_oversize_image_is_rejected(settings: Any) -> None:
    alice = make_account("alice")
    data = image_bytes((300, 300))
    settings.PLAZA.max_image_bytes, saved = len(data) - 1, settings.PLAZA.max_image_bytes
    try:
        with pytest.raises(ActionError, match="at most"):
            upload_media(alice, upload(data, "big.jpg"))
    finally:
        settings.PLAZA.max_image_bytes = saved
    assert MediaAttachment.objects.count() == 0


def test_oversize_document_is_rejected(settings: Any) -> None:
    alice = make_account("alice")
    data = pdf_bytes(1)
    settings.PLAZA.max_document_bytes, saved = 100, settings.PLAZA.max_document_bytes
    try:
        with pytest.raises(ActionError, match="A document can be at most"):
            upload_media(alice, upload(data, "paper.pdf"))
    finally:
        settings.PLAZA.max_document_bytes = saved


def test_pixel_bomb_is_rejected_from_its_header() -> None:
    alice = make_account("alice")
    out = io.BytesIO()
    # 48 megapixels of one colour: a few kilobytes on disk, far over the 40 MP limit.
    Image.new("1", (8000, 6000)).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ActionError, match="too large"):
        upload_media(alice, upload(out.getvalue(), "bomb.png"))
    assert MediaAttachment.objects.count() == 0


def test_truncated_image_fails_cleanly() -> None:
    alice = make_account("alice")
    data = image_bytes((600, 600))
    with pytest.raises(ActionError, match=r"damaged|processed"):
        upload_media(alice, upload(data[: len(data) // 3], "half.jpg"))
    assert MediaAttachment.objects.count() == 0


def test_pdf_gets_page_count_preview_and_thumbnail() -> None:
    alice = make_account("alice")
    media = upload_media(alice, upload(pdf_bytes(3), "white-paper.pdf", "image/png"))
    assert media.state == MediaState.READY
    assert media.kind == MediaKind.DOCUMENT
    assert media.content_type == "application/pdf"
    assert media.page_count == 3
    assert media.original_name == "white-paper.pdf"
    preview = _open(media.preview)
    assert max(preview.size) == 1280
    assert preview.height > preview.width  # A4 portrait
    assert max(_open(media.thumbnail).size) == 640
    with media.file.open("rb") as f:
        assert f.read(5) == b"%PDF-"


def test_video_is_stored_as_is_and_finished_by_its_task(run_tasks: Any) -> None:
    alice = make_account("alice")
    with run_tasks():
        media = upload_media(alice, upload(mp4_bytes(), "clip.bin", "text/plain"))
        assert media.state == MediaState.PROCESSING
    media.refresh_from_db()
    # No ffmpeg in the test environment, or a clip it can't decode: no preview, still ready.
    assert media.state == MediaState.READY
    assert media.kind == MediaKind.VIDEO
    assert media.content_type == "video/mp4"
    with media.file.open("rb") as f:
        assert f.read() == mp4_bytes()


def _real_clip(ffmpeg: str, tmp_path: Any) -> bytes:
    """Two seconds of ffmpeg's test pattern, 320x240, H.264 in MP4."""
    clip = tmp_path / "clip.mp4"
    subprocess.run(
        [ffmpeg, "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10",
         "-t", "2", "-pix_fmt", "yuv420p", str(clip)],
        check=True, timeout=60,
    )  # fmt: skip
    return clip.read_bytes()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (.ci/run installs it)")
def test_a_video_gets_a_poster_frame_when_ffmpeg_is_installed(
    run_tasks: Any, tmp_path: Any
) -> None:
    alice = make_account("alice")
    data = _real_clip(shutil.which("ffmpeg") or "", tmp_path)
    with run_tasks():
        media = upload_media(alice, upload(data, "clip.mp4", "video/mp4"))
    media.refresh_from_db()
    assert media.state == MediaState.READY and media.kind == MediaKind.VIDEO
    assert (media.width, media.height) == (320, 240)
    assert _open(media.preview).size == (320, 240)  # smaller than the preview size: as is
    assert max(_open(media.thumbnail).size) <= 640
    assert media.blurhash
    with media.file.open("rb") as f:
        assert f.read() == data  # the video itself is served as uploaded


def test_processing_is_idempotent() -> None:
    alice = make_account("alice")
    media = upload_media(alice, jpeg_upload((300, 200)))
    name = media.file.name
    process_attachment(media.pk)
    media.refresh_from_db()
    assert media.file.name == name and media.state == MediaState.READY


def test_five_images_are_refused() -> None:
    alice = make_account("alice")
    images = [upload_media(alice, jpeg_upload((100, 100))) for _ in range(5)]
    with pytest.raises(ActionError, match="at most 4 images"):
        actions.publish(alice, text="too many", media=images)
    post = actions.publish(alice, text="four", media=images[:4])
    assert list(post.media.order_by("position").values_list("pk", flat=True)) == [
        m.pk for m in images[:4]
    ]


def test_image_and_video_together_are_refused(run_tasks: Any) -> None:
    alice = make_account("alice")
    image = upload_media(alice, jpeg_upload((100, 100)))
    with run_tasks():
        video = upload_media(alice, upload(mp4_bytes(), "clip.mp4"))
    video.refresh_from_db()
    with pytest.raises(ActionError, match="one video"):
        actions.publish(alice, text="mixed", media=[image, video])
    document = upload_media(alice, upload(pdf_bytes(1), "a.pdf"))
    with pytest.raises(ActionError, match="one document"):
        actions.publish(alice, text="mixed", media=[document, image])


def test_someone_elses_media_cannot_be_attached() -> None:
    alice, bob = make_account("alice"), make_account("bob")
    media = upload_media(alice, jpeg_upload((100, 100)))
    with pytest.raises(ActionError):
        actions.publish(bob, text="stolen", media=[media])


def test_focus_is_set_by_its_owner_within_range_only() -> None:
    from plaza.errors import NotAllowed
    from posts.media import set_focus

    alice, bob = make_account(), make_account()
    media = upload_media(alice, jpeg_upload())
    set_focus(alice, media, 0.25, -1)
    media.refresh_from_db()
    assert (media.focus_x, media.focus_y) == (0.25, -1)
    with pytest.raises(NotAllowed):
        set_focus(bob, media, 0, 0)
    for x, y in ((1.5, 0), (0, -1.01)):
        with pytest.raises(ActionError):
            set_focus(alice, media, x, y)
    media.refresh_from_db()
    assert (media.focus_x, media.focus_y) == (0.25, -1)
