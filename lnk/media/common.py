"""What the container modules share: the result type, the error, and EXIF orientation."""

from __future__ import annotations

import struct
from dataclasses import dataclass

ORIENTATION_TAG = 0x0112


class MediaError(ValueError):
    """The bytes are not a well-formed container of the expected format."""


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    frames: int = 1
    orientation: int = 1  # EXIF orientation, 1 (upright) to 8

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height once the orientation is applied (5-8 turn the image a quarter)."""
        if self.orientation in (5, 6, 7, 8):
            return self.height, self.width
        return self.width, self.height


def exif_orientation(tiff: bytes) -> int:
    """The orientation tag of the first IFD of a TIFF-structured EXIF block (1 when absent or
    unreadable). ``tiff`` may start with the ``Exif\\0\\0`` header."""
    if tiff.startswith(b"Exif\x00\x00"):
        tiff = tiff[6:]
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return 1
    order = "<" if tiff[:2] == b"II" else ">"
    try:
        (offset,) = struct.unpack_from(order + "I", tiff, 4)
        (count,) = struct.unpack_from(order + "H", tiff, offset)
        for i in range(min(count, 512)):
            tag, kind, n = struct.unpack_from(order + "HHI", tiff, offset + 2 + 12 * i)
            if tag == ORIENTATION_TAG and kind == 3 and n == 1:
                (value,) = struct.unpack_from(order + "H", tiff, offset + 2 + 12 * i + 8)
                return value if 1 <= value <= 8 else 1
    except struct.error:
        return 1
    return 1


def orientation_tiff(orientation: int) -> bytes:
    """A TIFF-structured EXIF body holding only the orientation tag (26 bytes)."""
    entry = struct.pack(">HHIHH", ORIENTATION_TAG, 3, 1, orientation, 0)
    return b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00\x01" + entry + b"\x00\x00\x00\x00"
