"""Media uploads for posts: sniff, check limits, then process into something safe to serve.

An upload is never trusted: its real type is sniffed from its first bytes (Pillow for images,
magic numbers for PDF and video), never from the file name or the browser's content type.
Limits are checked before any pixels are decoded, so a "pixel bomb" (a tiny file claiming a
huge canvas) is refused from its header alone.

Every attachment follows one state graph::

    processing ──▶ ready
         └───────▶ failed (with ``error``)

:func:`upload_media` validates and stores the upload in ``processing``; :func:`process_attachment`
(run inline for small images and documents, otherwise by the ``posts.tasks.process_media``
task) re-encodes images without metadata, renders document and video previews, and moves the
attachment to ``ready`` or ``failed``.
"""

from __future__ import annotations

import io
import logging
import secrets
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import blurhash
import pypdfium2
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import Account
from plaza.errors import ActionError, NotAllowed
from posts.models import MediaAttachment, MediaKind, MediaState

log = logging.getLogger(__name__)

MAX_LONG_SIDE = 2560
THUMBNAIL_LONG_SIDE = 640
PREVIEW_LONG_SIDE = 1280
MAX_ALT_TEXT = 1500
# Small uploads are processed in the request so the composer can show them at once; bigger
# ones (and every video) go to the task queue.
INLINE_LIMIT_BYTES = 8 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
# ISO base media brands that are still images (HEIF/AVIF), not video.
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"pnot"}
_SNIFF_BYTES = 64


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str
    extension: str


def sniff(head: bytes) -> Sniffed | None:
    """The media type of a file from its first bytes, for the non-image kinds we accept.

    Images are recognised by Pillow itself (see :func:`_open_image`), which knows many more
    signatures than a table here would.
    """
    if head.startswith(b"%PDF-"):
        return Sniffed(MediaKind.DOCUMENT, "application/pdf", "pdf")
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:_SNIFF_BYTES]:
        return Sniffed(MediaKind.VIDEO, "video/webm", "webm")
    atom = head[4:8]
    if atom == b"ftyp":
        brand = head[8:12]
        if brand in _IMAGE_BRANDS:
            return None
        if brand == b"qt  ":
            return Sniffed(MediaKind.VIDEO, "video/quicktime", "mov")
        return Sniffed(MediaKind.VIDEO, "video/mp4", "mp4")
    if atom in _QUICKTIME_ATOMS:
        return Sniffed(MediaKind.VIDEO, "video/quicktime", "mov")
    return None


def _size_of(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    return int(size)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _check_size(kind: str, size: int) -> None:
    plaza = settings.PLAZA
    limits: dict[str, tuple[int, str]] = {
        MediaKind.IMAGE: (plaza.max_image_bytes, "An image"),
        MediaKind.VIDEO: (plaza.max_video_bytes, "A video"),
        MediaKind.DOCUMENT: (plaza.max_document_bytes, "A document"),
    }
    limit, noun = limits[kind]
    if size > limit:
        raise ActionError(f"{noun} can be at most {_mb(limit)} ({_mb(size)} given).", field="media")


def _open_image(upload: IO[bytes]) -> Image.Image:
    """Open an image lazily (header only) and refuse what we don't want to decode."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # We apply our own, stricter pixel limit from the header just below; Pillow's own
            # check would otherwise warn (or raise) first with a less helpful message.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ActionError(
            "This file is not an image, video or PDF we can use. "
            "Upload a JPEG, PNG, WebP or GIF image, an MP4, WebM or MOV video, or a PDF.",
            field="media",
        )
    except OSError:
        raise ActionError("This file could not be read.", field="media")
    if image.format not in IMAGE_FORMATS:
        raise ActionError("Upload a JPEG, PNG, WebP or GIF image.", field="media")
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ActionError("This image has no pixels.", field="media")
    if width * height > settings.PLAZA.max_image_pixels:
        raise ActionError(
            f"This image is too large ({width:,} x {height:,} pixels); "
            f"the limit is {settings.PLAZA.max_image_pixels / 1e6:g} megapixels.",
            field="media",
        )
    return image


def _random_name(extension: str) -> str:
    # Unguessable: the stored original is reachable under MEDIA_URL until it is processed.
    return f"{secrets.token_urlsafe(16)}.{extension}"


def upload_media(account: Account, uploaded_file: IO[bytes], alt_text: str = "") -> MediaAttachment:
    """Validate an upload and store it as a :class:`MediaAttachment` of ``account``.

    Raises :class:`ActionError` for anything that is not a JPEG/PNG/WebP/GIF image, an
    MP4/WebM/MOV video or a PDF (whatever its name says), is over the size limit of its kind,
    or is an image with too many pixels. Small images and documents are processed before
    this returns (``ready``); larger ones and videos are ``processing`` until their task runs.
    """
    alt_text = (alt_text or "").strip()
    if len(alt_text) > MAX_ALT_TEXT:
        raise ActionError(
            f"A description can have at most {MAX_ALT_TEXT:,} characters.", field="alt_text"
        )
    size = _size_of(uploaded_file)
    if size == 0:
        raise ActionError("This file is empty.", field="media")
    head = uploaded_file.read(_SNIFF_BYTES)
    uploaded_file.seek(0)
    found = sniff(head)
    if found is None:
        image = _open_image(uploaded_file)
        fmt = image.format or ""
        found = Sniffed(MediaKind.IMAGE, IMAGE_FORMATS[fmt], fmt.lower().replace("jpeg", "jpg"))
        # Not image.close(): that would close the upload itself, which we still store.
        del image
    _check_size(found.kind, size)
    uploaded_file.seek(0)
    original_name = str(getattr(uploaded_file, "name", "") or "")
    attachment = MediaAttachment(
        account=account,
        kind=found.kind,
        state=MediaState.PROCESSING,
        content_type=found.content_type,
        original_name=Path(original_name).name[:255],
        size_bytes=size,
        alt_text=alt_text,
    )
    attachment.file.save(_random_name(found.extension), File(uploaded_file), save=False)
    attachment.save()
    if found.kind != MediaKind.VIDEO and size <= INLINE_LIMIT_BYTES:
        process_attachment(attachment.pk)
        attachment.refresh_from_db()
        if attachment.state == MediaState.FAILED:
            error = attachment.error
            discard(attachment)
            raise ActionError(error, field="media")
    else:
        from posts.tasks import process_media

        media_id = attachment.pk
        transaction.on_commit(lambda: process_media(media_id))
    return attachment


def describe_media(account: Account, media: MediaAttachment, alt_text: str) -> MediaAttachment:
    """Set the description (alt text) screen readers announce for ``media``."""
    if media.account_id != account.pk:
        raise NotAllowed("You can only describe your own media.")
    alt_text = (alt_text or "").strip()
    if len(alt_text) > MAX_ALT_TEXT:
        raise ActionError(
            f"A description can have at most {MAX_ALT_TEXT:,} characters.", field="alt_text"
        )
    if alt_text != media.alt_text:
        media.alt_text = alt_text
        media.save(update_fields=["alt_text"])
    return media


def set_focus(account: Account, media: MediaAttachment, x: float, y: float) -> MediaAttachment:
    """Set the focal point crops keep in view: ``x`` from -1 (left) to 1 (right), ``y`` from
    -1 (bottom) to 1 (top), as Mastodon's ``meta.focus``."""
    if media.account_id != account.pk:
        raise NotAllowed("You can only change your own media.")
    if not (-1 <= x <= 1 and -1 <= y <= 1):
        raise ActionError("A focal point is two numbers between -1 and 1.", field="focus")
    if (media.focus_x, media.focus_y) != (x, y):
        media.focus_x, media.focus_y = x, y
        media.save(update_fields=["focus_x", "focus_y"])
    return media


def discard(media: MediaAttachment) -> None:
    """Delete an attachment and its files (unattached uploads someone removed or that failed)."""
    for f in (media.file, media.thumbnail, media.preview):
        if f:
            f.delete(save=False)
    media.delete()


# --- processing -----------------------------------------------------------------------------


class ProcessingError(Exception):
    """Processing could not finish; the message is shown to the uploader."""


def process_attachment(media_id: int) -> None:
    """Move an attachment from ``processing`` to ``ready`` (or ``failed`` with an error).

    Idempotent: an attachment that is no longer ``processing`` is left alone, so a retried
    task never re-encodes an already processed image.
    """
    media = MediaAttachment.objects.filter(pk=media_id, state=MediaState.PROCESSING).first()
    if media is None:
        return
    try:
        if media.kind == MediaKind.IMAGE:
            _process_image(media)
        elif media.kind == MediaKind.DOCUMENT:
            _process_document(media)
        else:
            _process_video(media)
    except ProcessingError as exc:
        _fail(media, str(exc))
        return
    except Exception:  # a corrupt file must end in ``failed``, never stuck in ``processing``
        log.exception("processing media %s failed", media_id)
        _fail(media, "This file could not be processed.")
        return
    media.state = MediaState.READY
    media.error = ""
    media.save()


def _fail(media: MediaAttachment, error: str) -> None:
    MediaAttachment.objects.filter(pk=media.pk).update(state=MediaState.FAILED, error=error[:300])


def _encode(image: Image.Image, *, alpha_ok: bool = True) -> tuple[bytes, str, str]:
    """Encode ``image`` as a fresh file with no metadata: JPEG, or PNG when it has alpha."""
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    # Copy only the pixels: a new image carries no EXIF, XMP, ICC or text chunks at all.
    if has_alpha and alpha_ok:
        pixels = image.convert("RGBA")
        fmt, ext, ctype = "PNG", "png", "image/png"
    else:
        pixels = image.convert("RGB")
        fmt, ext, ctype = "JPEG", "jpg", "image/jpeg"
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue(), ext, ctype


def _scaled(image: Image.Image, long_side: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return copy


def _blurhash(image: Image.Image) -> str:
    # A blurhash only needs a few colours: hash a tiny copy (encode() walks every pixel).
    small = _scaled(image, 64).convert("RGB")
    with warnings.catch_warnings():
        # blurhash-python 1.2 still calls Image.getdata, deprecated in Pillow 13.
        warnings.simplefilter("ignore", DeprecationWarning)
        return str(blurhash.encode(small, x_components=4, y_components=3))


def _store_stills(media: MediaAttachment, image: Image.Image, *, preview: bool) -> None:
    """Save a thumbnail (and for videos/documents a preview) from a decoded still image."""
    if preview:
        data, ext, _ = _encode(_scaled(image, PREVIEW_LONG_SIDE), alpha_ok=False)
        media.preview.save(f"{media.pk}-preview.{ext}", ContentFile(data), save=False)
    data, ext, _ = _encode(_scaled(image, THUMBNAIL_LONG_SIDE))
    media.thumbnail.save(f"{media.pk}-thumb.{ext}", ContentFile(data), save=False)
    media.blurhash = _blurhash(image)


def _process_image(media: MediaAttachment) -> None:
    with media.file.open("rb") as f:
        try:
            image = _open_image(f)
            image.seek(0)  # animated GIF/WebP: the first frame
            image.load()
        except ActionError as exc:
            raise ProcessingError(exc.message)
        except (OSError, SyntaxError, ValueError):
            raise ProcessingError("This image is damaged or truncated.")
    # Turn the pixels the way the camera meant them, before the EXIF that says so is dropped.
    image = ImageOps.exif_transpose(image) or image
    image = _scaled(image, MAX_LONG_SIDE)
    data, ext, ctype = _encode(image)
    original = media.file.name or ""
    media.file.save(f"{media.pk}.{ext}", ContentFile(data), save=False)
    if original:
        media.file.storage.delete(original)
    media.content_type = ctype
    media.size_bytes = len(data)
    media.width, media.height = image.size
    _store_stills(media, image, preview=False)


def _process_document(media: MediaAttachment) -> None:
    with media.file.open("rb") as f:
        data = f.read()
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise ProcessingError("This PDF could not be opened (damaged or password-protected).")
    try:
        media.page_count = len(pdf)
        if media.page_count == 0:
            raise ProcessingError("This PDF has no pages.")
        page = pdf[0]
        width_pt, height_pt = page.get_size()
        if width_pt <= 0 or height_pt <= 0:
            raise ProcessingError("The first page of this PDF is empty.")
        # Render the first page at about PREVIEW_LONG_SIDE pixels on its long side.
        scale = min(PREVIEW_LONG_SIDE / max(width_pt, height_pt), 4.0)
        still = page.render(scale=scale).to_pil()
        page.close()
    finally:
        pdf.close()
    _store_stills(media, still, preview=True)
    media.width, media.height = still.size


def _process_video(media: MediaAttachment) -> None:
    """Videos are served as uploaded; a poster frame is made only when ffmpeg is installed."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"source.{Path(media.file.name or '').suffix.lstrip('.') or 'mp4'}"
        with media.file.open("rb") as f, source.open("wb") as out:
            shutil.copyfileobj(f, out)
        frame = Path(tmp) / "frame.png"
        for seek in ("1", "0"):  # a frame one second in, or the first one for short clips
            command = [ffmpeg, "-nostdin", "-v", "error", "-y", "-ss", seek, "-i", str(source)]
            result = subprocess.run(
                [*command, "-frames:v", "1", str(frame)],
                capture_output=True,
                timeout=60,
                check=False,
            )
            if result.returncode == 0 and frame.exists():
                break
        if not frame.exists():
            return  # no preview "where possible": the video itself is still fine
        with Image.open(frame) as still:
            still.load()
            _store_stills(media, still, preview=True)
            media.width, media.height = still.size
