"""Avatar and header uploads: sniff, check limits, re-encode.

Uploads are never stored as sent. Decoding and re-encoding with Pillow is what makes an upload
safe to serve: the real type is sniffed from the bytes (not the name or the browser's claimed
content type), metadata such as EXIF GPS positions is dropped because the new file is written
without it, and the pixel limit is checked from the header before any pixels are decoded.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError, features

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
AVATAR_SIZE = (400, 400)
HEADER_MAX = (1500, 500)


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded image ready to hand to an ``ImageField``."""

    content: ContentFile[bytes]
    width: int
    height: int


def process_avatar(upload: IO[bytes], *, account_id: int) -> ProcessedImage:
    """Validate an avatar upload and return a square 400x400 re-encoded copy."""
    image = _open_checked(upload, field="avatar")
    image = ImageOps.fit(image, AVATAR_SIZE, method=Image.Resampling.LANCZOS)
    return _encode(image, prefix=f"{account_id}-avatar")


def process_header(upload: IO[bytes], *, account_id: int) -> ProcessedImage:
    """Validate a header upload and return a 3:1 copy no larger than 1500x500."""
    image = _open_checked(upload, field="header")
    max_w, max_h = HEADER_MAX
    ratio = max_w / max_h
    # Crop to the banner's aspect ratio, and only ever scale down: upscaling a small photo
    # would just make it blurry.
    width = min(max_w, image.width, int(image.height * ratio))
    height = max(1, int(width / ratio))
    image = ImageOps.fit(image, (max(1, width), height), method=Image.Resampling.LANCZOS)
    return _encode(image, prefix=f"{account_id}-header")


def _open_checked(upload: IO[bytes], *, field: str) -> Image.Image:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {field: "This image is larger than 8 MB. Please choose a smaller file."}
        )
    if size == 0:
        raise ValidationError({field: "This file is empty."})
    try:
        with warnings.catch_warnings():
            # Pillow warns (and above 2x its own limit, raises) on huge images; we apply our
            # own, stricter limit below from the header, before decoding any pixels.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(upload)
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    {field: "Please upload a JPEG, PNG, WebP or GIF image."}, code="format"
                )
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    {
                        field: (
                            f"This image is {image.width}x{image.height} pixels; the limit is "
                            "40 megapixels."
                        )
                    },
                    code="pixels",
                )
            image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError({field: "This image has too many pixels (limit 40 megapixels)."})
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            {field: "This file isn't an image we can read. Please upload a JPEG, PNG or WebP."},
            code="invalid",
        )
    # Respect the camera's orientation flag before throwing the EXIF block away.
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    return upright.convert("RGBA" if has_alpha else "RGB")


def _encode(image: Image.Image, *, prefix: str) -> ProcessedImage:
    buffer = io.BytesIO()
    if features.check("webp"):
        image.save(buffer, format="WEBP", quality=86, method=4)
        ext = "webp"
    elif image.mode == "RGBA":
        image.save(buffer, format="PNG", optimize=True)
        ext = "png"
    else:
        image.save(buffer, format="JPEG", quality=88, optimize=True, progressive=True)
        ext = "jpg"
    # A random suffix busts caches when someone replaces their picture.
    name = f"{prefix}-{secrets.token_hex(6)}.{ext}"
    return ProcessedImage(
        content=ContentFile(buffer.getvalue(), name=name), width=image.width, height=image.height
    )
