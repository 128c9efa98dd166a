"""Pictures for the demo community, drawn locally with Pillow (nothing is downloaded).

Avatars (initials on a colour, or geometric art for brands), profile headers, post images
(charts and abstract art) and small multi-page PDF "white papers" with a first-page preview.
Every function returns encoded bytes plus what a :class:`~posts.models.MediaAttachment` needs.
"""

from __future__ import annotations

import io
import math
import random
import warnings
from dataclasses import dataclass
from functools import cache

import blurhash
from PIL import Image, ImageDraw, ImageFilter, ImageFont

PALETTES = [
    ("#1f6feb", "#79c0ff"),
    ("#8250df", "#d2a8ff"),
    ("#bf3989", "#ff9bce"),
    ("#cf222e", "#ffa198"),
    ("#bc4c00", "#ffb77c"),
    ("#9a6700", "#f2cc60"),
    ("#1a7f37", "#6fdd8b"),
    ("#0a7b83", "#76e3ea"),
    ("#3d5a80", "#98c1d9"),
    ("#6d4c41", "#d7ccc8"),
]
THUMB_MAX = 400


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _blurhash(image: Image.Image, x: int, y: int) -> str:
    small = image.convert("RGB")
    small.thumbnail((32, 32))
    with warnings.catch_warnings():
        # blurhash-python reads pixels with Image.getdata, which Pillow 12 deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        return str(blurhash.encode(small, x, y))  # encode() closes the image it is given


def _gradient(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A smooth mask from four random corner values (no rotation, so no hard edges)."""
    corners = Image.new("L", (2, 2))
    corners.putdata([rng.randint(0, 255) for _ in range(4)])
    return corners.resize(
        size, Image.Resampling.BILINEAR, reducing_gap=None, box=(0.5, 0.5, 1.5, 1.5)
    )


def _encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        image = image.convert("RGB")
    image.save(buf, fmt, **options)
    return buf.getvalue()


def initials(name: str) -> str:
    parts = [p for p in name.replace("&", " ").split() if p[:1].isalnum()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def avatar(rng: random.Random, name: str, *, geometric: bool = False, size: int = 256) -> bytes:
    """A square avatar: initials on a soft colour, or (for brands) simple geometric art."""
    dark, light = rng.choice(PALETTES)
    image = Image.new("RGB", (size, size), _hex(light if geometric else dark))
    draw = ImageDraw.Draw(image)
    if geometric:
        for _ in range(rng.randint(2, 4)):
            r = rng.randint(size // 6, size // 2)
            x, y = rng.randint(0, size), rng.randint(0, size)
            colour = _hex(rng.choice(PALETTES)[0])
            if rng.random() < 0.5:
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
            else:
                draw.regular_polygon((x, y, r), rng.choice([3, 4, 6]), fill=colour)
        text, fill = initials(name)[:1], (255, 255, 255)
    else:
        text, fill = initials(name), _hex(light)
    font = _font(size * 2 // 5)
    draw.text((size / 2, size / 2), text, font=font, fill=fill, anchor="mm")
    return _encode(image)


def header(rng: random.Random, size: tuple[int, int] = (1500, 500)) -> bytes:
    """A profile banner: a diagonal gradient with a few soft shapes."""
    w, h = size
    (a, b), (c, _) = rng.choice(PALETTES), rng.choice(PALETTES)
    base = _gradient(rng, (w, h))
    image = Image.composite(
        Image.new("RGB", (w, h), _hex(a)), Image.new("RGB", (w, h), _hex(b)), base
    )
    overlay = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(6):
        r = rng.randint(h // 4, h)
        x, y = rng.randint(0, w), rng.randint(0, h)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*_hex(c), rng.randint(40, 90)))
    image = Image.alpha_composite(
        image.convert("RGBA"), overlay.filter(ImageFilter.GaussianBlur(8))
    )
    return _encode(image, "JPEG", quality=82)


@dataclass(frozen=True)
class PostImage:
    """An encoded image with what its attachment row records."""

    data: bytes
    thumbnail: bytes
    width: int
    height: int
    blurhash: str
    alt_text: str


def _post_image(image: Image.Image, alt_text: str) -> PostImage:
    thumb = image.convert("RGB")
    thumb.thumbnail((THUMB_MAX, THUMB_MAX))
    return PostImage(
        data=_encode(image, "PNG", optimize=False),
        thumbnail=_encode(thumb, "JPEG", quality=80),
        width=image.width,
        height=image.height,
        blurhash=_blurhash(thumb, 4, 3),
        alt_text=alt_text,
    )


def chart(rng: random.Random, title: str, size: tuple[int, int] = (960, 600)) -> PostImage:
    """A bar or line chart of made-up weekly figures, like people post about their metrics."""
    w, h = size
    dark, light = rng.choice(PALETTES)
    image = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((40, 30), title, font=_font(34), fill=(36, 41, 47))
    left, top, right, bottom = 70, 110, w - 40, h - 60
    for i in range(5):
        y = bottom - i * (bottom - top) / 4
        draw.line((left, y, right, y), fill=(230, 232, 235), width=1)
    n = rng.randint(6, 12)
    values = [rng.uniform(0.2, 0.5)]
    for _ in range(n - 1):
        values.append(min(1.0, max(0.05, values[-1] + rng.uniform(-0.1, 0.18))))
    step = (right - left) / n
    labels = [f"W{i + 1}" for i in range(n)]
    if rng.random() < 0.5:
        kind = "bar chart"
        for i, v in enumerate(values):
            x0 = left + i * step + step * 0.15
            draw.rounded_rectangle(
                (x0, bottom - v * (bottom - top), x0 + step * 0.7, bottom), 6, fill=_hex(dark)
            )
    else:
        kind = "line chart"
        points = [
            (left + (i + 0.5) * step, bottom - v * (bottom - top)) for i, v in enumerate(values)
        ]
        draw.polygon([*points, (points[-1][0], bottom), (points[0][0], bottom)], fill=_hex(light))
        draw.line(points, fill=_hex(dark), width=5, joint="curve")
        for x, y in points:
            draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=_hex(dark))
    for i, label in enumerate(labels):
        draw.text(
            (left + (i + 0.5) * step, bottom + 24),
            label,
            font=_font(18),
            fill=(87, 96, 106),
            anchor="mm",
        )
    growth = round((values[-1] / values[0] - 1) * 100)
    return _post_image(image, f"A {kind} titled “{title}”, rising {growth}% over {n} weeks.")


def abstract_art(rng: random.Random, size: tuple[int, int] = (1080, 1080)) -> PostImage:
    """Colourful generative art: overlapping translucent shapes on a gradient."""
    w, h = size
    (a, b), (c, d) = rng.choice(PALETTES), rng.choice(PALETTES)
    base = _gradient(rng, (w, h))
    image = Image.composite(Image.new("RGB", size, _hex(a)), Image.new("RGB", size, _hex(d)), base)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(rng.randint(8, 16)):
        colour = (*_hex(rng.choice([b, c, "#ffffff", "#24292f"])), rng.randint(60, 170))
        x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(w // 16, w // 3)
        shape = rng.random()
        if shape < 0.4:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        elif shape < 0.7:
            draw.regular_polygon(
                (x, y, r), rng.choice([3, 4, 5, 6]), rotation=rng.randint(0, 90), fill=colour
            )
        else:
            angle = rng.uniform(0, math.pi)
            dx, dy = math.cos(angle) * r * 2, math.sin(angle) * r * 2
            draw.line((x - dx, y - dy, x + dx, y + dy), fill=colour, width=rng.randint(6, 30))
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    return _post_image(
        image, "Abstract generative art: overlapping translucent circles, polygons and lines."
    )


@dataclass(frozen=True)
class Document:
    """A small PDF and its first-page preview."""

    pdf: bytes
    preview: bytes
    page_count: int
    width: int
    height: int
    blurhash: str


def document(rng: random.Random, title: str, author: str, *, pages: int = 4) -> Document:
    """A multi-page PDF "white paper": a cover page and a few pages of headings and bars."""
    w, h = 850, 1100  # US letter at 100 dpi
    dark, light = rng.choice(PALETTES)
    images: list[Image.Image] = []
    cover = Image.new("RGB", (w, h), _hex(dark))
    draw = ImageDraw.Draw(cover)
    draw.rectangle((0, h * 0.62, w, h), fill=_hex(light))
    y = 260
    for line in _wrap(title, 18):
        draw.text((70, y), line, font=_font(64), fill=(255, 255, 255))
        y += 80
    draw.text((70, h * 0.62 + 60), author, font=_font(32), fill=_hex(dark))
    draw.text((70, h - 90), "WHITE PAPER · 2026", font=_font(22), fill=_hex(dark))
    images.append(cover)
    for n in range(2, pages + 1):
        page = Image.new("RGB", (w, h), (255, 255, 255))
        draw = ImageDraw.Draw(page)
        draw.text(
            (70, 70),
            f"{n - 1}. {rng.choice(['Why it matters', 'What we found', 'How to start', 'Next steps', 'Checklist'])}",
            font=_font(36),
            fill=_hex(dark),
        )
        y = 150
        while y < h - 140:
            width = rng.randint(int(w * 0.45), w - 140)
            draw.rounded_rectangle((70, y, 70 + width, y + 14), 7, fill=(208, 215, 222))
            y += rng.choice([28, 28, 28, 60])
        draw.text((w / 2, h - 50), str(n), font=_font(20), fill=(87, 96, 106), anchor="mm")
        images.append(page)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=100.0)
    preview = images[0].copy()
    preview.thumbnail((600, 800))
    return Document(
        pdf=buf.getvalue(),
        preview=_encode(preview, "JPEG", quality=82),
        page_count=len(images),
        width=w,
        height=h,
        blurhash=_blurhash(preview, 3, 4),
    )


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines
