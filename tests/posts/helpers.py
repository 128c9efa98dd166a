"""Real files for upload tests, made with Pillow (no fixtures checked into the repo)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(
    size: tuple[int, int] = (800, 600),
    fmt: str = "JPEG",
    *,
    color: tuple[int, int, int] = (200, 80, 40),
    exif: Image.Exif | None = None,
) -> bytes:
    image = Image.new("RGB", size, color)
    # A second colour so the blurhash has something to describe.
    image.paste((20, 90, 200), (0, 0, size[0] // 2, size[1] // 2))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    """EXIF with a camera model, an orientation and a GPS position (what must never leak)."""
    exif = Image.Exif()
    exif[0x0110] = "Plaza Test Camera"  # Model
    exif[0x0112] = orientation  # Orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.0)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 36.0)
    return exif


def upload(
    data: bytes, name: str, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_upload(
    size: tuple[int, int] = (800, 600), name: str = "photo.jpg", **kw: object
) -> SimpleUploadedFile:
    return upload(image_bytes(size, "JPEG", **kw), name, "image/jpeg")  # type: ignore[arg-type]


def pdf_bytes(pages: int = 3) -> bytes:
    frames = [Image.new("RGB", (595, 842), (255, 255, 255 - i * 40)) for i in range(pages)]
    out = io.BytesIO()
    frames[0].save(out, "PDF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def mp4_bytes() -> bytes:
    """The first boxes of an MP4 (enough for sniffing; we store videos as uploaded)."""
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    mdat = b"\x00\x00\x00\x10mdat" + b"\x00" * 8
    return ftyp + mdat
