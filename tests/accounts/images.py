"""Real image files for upload tests, made with Pillow."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825


def image_with_gps(fmt: str = "JPEG", size: tuple[int, int] = (800, 600)) -> SimpleUploadedFile:
    """A photo carrying EXIF with a GPS position, like one straight from a phone."""
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.0)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 36.0)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, exif=exif)
    data = buffer.getvalue()
    # Guard the fixture itself: the GPS block must really be in the file we upload.
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    ext = {"JPEG": "jpg", "PNG": "png"}[fmt]
    return SimpleUploadedFile(f"photo.{ext}", data, content_type=f"image/{fmt.lower()}")


def huge_png(width: int = 7000, height: int = 6000) -> SimpleUploadedFile:
    """42 megapixels that compress to a few KB: a decompression-bomb shaped upload."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")


def text_as_png() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "totally-an-image.png", b"this is plain text, not a PNG\n" * 20, content_type="image/png"
    )
