"""Uploaded images: size limits from the headers, metadata removed without re-encoding, and a
thumbnail decoded at reduced size.

1. The container's headers give the canvas and the frame count (``lnk.media.inspect``); beyond
   the limits below the upload is refused with 413 naming the limit, before any decoder
   allocates memory for it. A 190 KB PNG may declare 1×39,000,000 pixels, a 3 KB GIF 120 frames
   of 2000×2000: decoding either holds a core for seconds and a gigabyte of memory.
2. Metadata blocks are dropped from the container (``lnk.media.strip``): EXIF (camera location
   included), XMP, IPTC, comments, text chunks, timestamps. The pixels are the uploaded bytes,
   and an image without metadata is stored exactly as sent. The ICC profile and the orientation
   stay, so a photo still shows upright.
3. The thumbnail is the first frame scaled into 320×320 and turned upright; JPEGs are decoded in
   draft mode (libjpeg's DCT scaling to 1/2, 1/4 or 1/8), so a 12 MP photo costs a fraction of
   a full decode. A file that Pillow cannot decode as its format is refused (415).

Everything here is CPU work for the worker pool; nothing touches the store.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from lnk import media
from lnk.errors import PayloadTooLarge, UnsupportedMediaType

MAX_SIDE = 12_000
MAX_PIXELS = 40_000_000
MAX_FRAMES = 200
MAX_ANIMATION_PIXELS = 200_000_000  # frames × width × height
THUMBNAIL_BOX = (320, 320)

# A second line of defence should a header check ever miss: Pillow refuses (rather than warns
# about) anything over twice this.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS // 2 + 1


@dataclass
class CleanImage:
    body: bytes
    width: int  # as displayed (orientation applied)
    height: int
    thumbnail: bytes
    thumbnail_mime: str


def check_limits(info: media.ImageInfo) -> None:
    """413 naming the first limit the image's headers exceed."""
    if max(info.width, info.height) > MAX_SIDE:
        raise PayloadTooLarge(f"images are limited to {MAX_SIDE} pixels on each side")
    if info.width * info.height > MAX_PIXELS:
        raise PayloadTooLarge(f"images are limited to {MAX_PIXELS:,} pixels (width × height)")
    if info.frames > MAX_FRAMES:
        raise PayloadTooLarge(f"animations are limited to {MAX_FRAMES} frames")
    if info.frames * info.width * info.height > MAX_ANIMATION_PIXELS:
        raise PayloadTooLarge(
            f"animations are limited to {MAX_ANIMATION_PIXELS:,} pixels in all"
            " (frames × width × height)"
        )


def clean_image(data: bytes, fmt: str) -> CleanImage:
    """The image without metadata, its displayed size and a thumbnail. ``fmt`` is Pillow's
    name of the format the bytes were sniffed as (JPEG, PNG, GIF, WEBP)."""
    try:
        info = media.inspect(data, fmt)
    except media.MediaError as error:
        raise UnsupportedMediaType(f"the file is not a valid image: {error}") from None
    check_limits(info)
    try:
        body = media.strip(data, fmt)
    except media.MediaError as error:
        raise UnsupportedMediaType(f"the file is not a valid image: {error}") from None
    thumbnail, thumbnail_mime = make_thumbnail(body, fmt)
    width, height = info.display_size
    return CleanImage(body, width, height, thumbnail, thumbnail_mime)


def make_thumbnail(data: bytes, fmt: str) -> tuple[bytes, str]:
    """The first frame within 320×320, upright: PNG for formats that may be transparent, else
    JPEG."""
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            image.thumbnail(THUMBNAIL_BOX)  # draft-mode decoding for JPEG
            small = ImageOps.exif_transpose(image)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as error:
        raise UnsupportedMediaType("the file is not a valid image") from error
    out = io.BytesIO()
    if fmt in ("PNG", "GIF"):
        if small.mode not in ("RGB", "RGBA", "L", "LA"):
            small = small.convert("RGBA")
        small.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    small.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue(), "image/jpeg"
