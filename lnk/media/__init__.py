"""Image containers read and rewritten at the byte level, without decoding a pixel.

For each format we support (JPEG, PNG, GIF, WebP) a module walks the container's blocks (JPEG
segments, PNG chunks, GIF blocks, RIFF chunks) to give

- ``inspect(data) -> ImageInfo``: the canvas size and frame count from the headers alone, so a
  decompression bomb is refused before any decoder allocates for it;
- ``strip(data) -> bytes``: the same file with metadata blocks left out (EXIF, XMP, IPTC,
  comments, text chunks, timestamps, anything not needed to render the image). Every kept block
  is copied byte for byte, so the pixels cannot change, and a file with nothing to remove comes
  back identical. The ICC profile stays; so does the EXIF orientation, rewritten as an EXIF block
  holding that one tag.

Malformed containers raise ``MediaError``.
"""

from __future__ import annotations

from lnk.media import gif, jpeg, png, webp
from lnk.media.common import ImageInfo, MediaError

_FORMATS = {"JPEG": jpeg, "PNG": png, "GIF": gif, "WEBP": webp}

__all__ = ["ImageInfo", "MediaError", "inspect", "strip"]


def inspect(data: bytes, fmt: str) -> ImageInfo:
    """Size and frames of an image of format ``fmt`` (Pillow's name: JPEG, PNG, GIF, WEBP)."""
    return _FORMATS[fmt].inspect(data)


def strip(data: bytes, fmt: str) -> bytes:
    """``data`` without its metadata blocks (identical when it has none)."""
    return _FORMATS[fmt].strip(data)
