"""What an uploaded photo must be, and what of it is stored (docs/photos-and-metrics.md).

The bytes decide, never the file name or the Content-Type: the upload is decoded with
Pillow and must be one still JPEG, PNG or WebP image of at most PHOTO_MAX_BYTES and
PHOTO_MAX_PIXELS, decoded to its last pixel (a truncated file is refused), with nothing
after the image's end (a polyglot: an image with a ZIP, HTML or script appended is
refused). SVG and other vector or markup files are refused by name of what they are.

What is stored carries no metadata: no EXIF (GPS, camera serial, time), no XMP, no
comments. A JPEG whose orientation is already upright is rewritten losslessly without its
metadata segments (fast: it is decoded at 1/8 scale only to prove it complete); a rotated
JPEG, a PNG and a WebP are re-encoded from their pixels with the orientation applied. Only
the colour profile (ICC) is kept, so colours look the same.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from rest_framework import status
from rest_framework.exceptions import APIException

from fitbud.api.exceptions import DomainError

# A truncated file is an error, never an image with a grey bottom half.
ImageFile.LOAD_TRUNCATED_IMAGES = False

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_SIZE = (480, 480)
ORIENTATION_TAG = 0x0112


class ImageRefused(DomainError):
    default_detail = "This file is not a photo we can accept."
    default_code = "invalid_image"


class ImageTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The photo is too large."
    default_code = "file_too_large"


def max_bytes() -> int:
    return settings.PHOTO_MAX_BYTES


def max_pixels() -> int:
    return settings.PHOTO_MAX_PIXELS


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def _refuse(code: str, detail: str) -> ImageRefused:
    return ImageRefused({"image": [detail]}, code=code)


def _too_large(code: str, detail: str) -> ImageTooLarge:
    return ImageTooLarge({"image": [detail]}, code=code)


ACCEPTED = "Upload a JPEG, PNG or WebP photo."


def _looks_like_markup(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") or b"<svg" in head


# JPEG -------------------------------------------------------------------------------------

# A marker inside entropy-coded data: 0xFF followed by anything but a stuffed 0x00, a
# restart marker (D0-D7) or another 0xFF (fill).
_NEXT_MARKER = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _keep_jpeg_segment(marker: int, body: bytes) -> bool:
    if marker == 0xE2:  # APP2: only the ICC colour profile
        return body.startswith(b"ICC_PROFILE\x00")
    if marker == 0xEE:  # APP14 "Adobe": the colour transform of CMYK/RGB files
        return body.startswith(b"Adobe")
    # APP0 (JFIF, may hold a thumbnail), APP1 (EXIF, XMP), APP3-APP15, COM: metadata.
    return not (0xE0 <= marker <= 0xEF or marker == 0xFE)


def jpeg_without_metadata(data: bytes) -> bytes:
    """The JPEG without its metadata segments, its coded image bytes untouched. Raises
    ImageRefused for bytes after the end-of-image marker (a polyglot) or broken structure."""
    broken = _refuse("image_corrupt", "The JPEG file is damaged. " + ACCEPTED)
    if not data.startswith(b"\xff\xd8"):
        raise broken
    out = [b"\xff\xd8"]
    pos, size = 2, len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise broken
        while pos < size and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= size:
            raise broken
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # end of image
            out.append(b"\xff\xd9")
            if data[pos:].strip(b"\x00"):
                raise _refuse(
                    "image_polyglot",
                    "The file has data after the end of the image (another file hidden in "
                    "it). " + ACCEPTED,
                )
            return b"".join(out)
        if marker in _STANDALONE:
            out.append(bytes((0xFF, marker)))
            continue
        if pos + 2 > size:
            raise broken
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > size:
            raise broken
        body = data[pos + 2 : pos + length]
        segment_end = pos + length
        if _keep_jpeg_segment(marker, body):
            out.append(bytes((0xFF, marker)) + data[pos:segment_end])
        pos = segment_end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            match = _NEXT_MARKER.search(data, pos)
            if match is None:
                raise _refuse("image_truncated", "The photo is incomplete (truncated). " + ACCEPTED)
            out.append(data[pos : match.start()])
            pos = match.start()
    raise _refuse("image_truncated", "The photo is incomplete (truncated). " + ACCEPTED)


# PNG and WebP: nothing may follow the image ---------------------------------------------


def _png_end(data: bytes) -> int:
    pos = 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos
    return len(data)


def _webp_end(data: bytes) -> int:
    riff_size = int.from_bytes(data[4:8], "little")
    return 8 + riff_size + (riff_size & 1)


def _check_trailing(fmt: str, data: bytes) -> None:
    end = _png_end(data) if fmt == "PNG" else _webp_end(data)
    if data[end:].strip(b"\x00"):
        raise _refuse(
            "image_polyglot",
            "The file has data after the end of the image (another file hidden in it). " + ACCEPTED,
        )


# The whole check -------------------------------------------------------------------------


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(
            "decompression_bomb",
            f"The image declares far more pixels than a photo (at most "
            f"{max_pixels() // 1_000_000} megapixels).",
        ) from None
    except UnidentifiedImageError:
        raise _refuse("not_an_image", "The file is not an image we can read. " + ACCEPTED) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _refuse("image_corrupt", "The image file is damaged. " + ACCEPTED) from None


def _decode(image: Image.Image, *, draft: bool) -> None:
    """Decode every pixel (a JPEG at 1/8 scale when `draft`, which still reads all of it)."""
    try:
        if draft:
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise _refuse(
            "image_truncated", "The photo is incomplete or damaged. " + ACCEPTED
        ) from None


def _reencode(image: Image.Image, fmt: str) -> tuple[bytes, int, int]:
    icc = image.info.get("icc_profile")
    # In place: without it Pillow returns a copy even when nothing turns (2x the pixels).
    ImageOps.exif_transpose(image, in_place=True)
    upright = image
    if fmt == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    options: dict = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        options.update(quality=90, optimize=False)
    elif fmt == "WEBP":
        options.update(quality=90, method=4)
    # No `exif=`/`pnginfo=`: Pillow writes no metadata unless given it.
    upright.save(out, fmt, **options)
    return out.getvalue(), upright.width, upright.height


def clean_image(data: bytes) -> CleanImage:
    """Check an upload and return what may be stored (see the module docstring)."""
    if len(data) > max_bytes():
        raise _too_large(
            "file_too_large", f"A photo may be at most {max_bytes() // (1024 * 1024)} MB."
        )
    if not data:
        raise _refuse("not_an_image", "The file is empty. " + ACCEPTED)
    if _looks_like_markup(data):
        raise _refuse(
            "svg_not_allowed",
            "Vector images (SVG) and markup are not accepted, only photos. " + ACCEPTED,
        )
    image = _open(data)
    fmt = image.format or ""
    if fmt not in CONTENT_TYPES:
        raise _refuse(
            "unsupported_format",
            f"{fmt or 'This'} images are not accepted (HEIC: export as JPEG). " + ACCEPTED,
        )
    if image.width * image.height > max_pixels():
        raise _too_large(
            "too_many_pixels",
            f"The photo has {image.width}x{image.height} pixels; at most "
            f"{max_pixels() // 1_000_000} megapixels are accepted.",
        )
    if getattr(image, "n_frames", 1) > 1:
        raise _refuse("image_animated", "Animated images are not accepted. " + ACCEPTED)

    if fmt == "JPEG":
        stripped = jpeg_without_metadata(data)  # also refuses polyglots
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
        if orientation in (0, 1):
            width, height = image.size  # before draft() scales them down
            _decode(image, draft=True)
            return CleanImage(stripped, fmt, width, height)
        _decode(image, draft=False)
        out, width, height = _reencode(image, fmt)
        return CleanImage(out, fmt, width, height)

    _check_trailing(fmt, data)
    _decode(image, draft=False)
    out, width, height = _reencode(image, fmt)
    return CleanImage(out, fmt, width, height)


def thumbnail(data: bytes) -> bytes:
    """A small JPEG of a stored (clean, upright) image, for lists and the admin."""
    with Image.open(io.BytesIO(data)) as image:
        if image.format == "JPEG":
            image.draft("RGB", THUMBNAIL_SIZE)
        image.thumbnail(THUMBNAIL_SIZE)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        return out.getvalue()
