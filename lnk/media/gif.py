"""GIF: the blocks after the screen descriptor, walked without decompressing a frame.

Kept: image descriptors with their data, graphic control and plain text extensions, the looping
application extensions (NETSCAPE2.0, ANIMEXTS1.0) and an ICC profile (ICCRGBG1012). Left out:
comments, XMP and every other application extension, and bytes after the trailer.

The canvas reported is the logical screen grown to cover every frame, as decoders draw it.
"""

from __future__ import annotations

import struct

from lnk.media.common import ImageInfo, MediaError

EXTENSION, IMAGE, TRAILER = 0x21, 0x2C, 0x3B
GRAPHIC_CONTROL, PLAIN_TEXT, APPLICATION = 0xF9, 0x01, 0xFF
KEPT_APPLICATIONS = (b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012")


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    """The position after a chain of data sub-blocks ending with a zero-length block."""
    size = len(data)
    while True:
        if pos >= size:
            raise MediaError("the GIF file is truncated")
        length = data[pos]
        pos += 1 + length
        if length == 0:
            return pos


def _table_size(packed: int) -> int:
    return 3 * (2 << (packed & 0x07)) if packed & 0x80 else 0


def _walk(data: bytes) -> tuple[ImageInfo, list[tuple[int, int, bool]], int]:
    """The image's info, ``(start, end, kept)`` of each block after the header, and where the
    trailer ends."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise MediaError("not a GIF file")
    width, height, packed = struct.unpack_from("<HHB", data, 6)
    pos = 13 + _table_size(packed)
    blocks: list[tuple[int, int, bool]] = [(0, pos, True)]
    frames = 0
    size = len(data)
    while True:
        if pos >= size:
            raise MediaError("the GIF file has no trailer")
        start, introducer = pos, data[pos]
        if introducer == TRAILER:
            blocks.append((start, pos + 1, True))
            break
        if introducer == IMAGE:
            if pos + 10 > size:
                raise MediaError("the GIF file is truncated")
            left, top, w, h, frame_packed = struct.unpack_from("<HHHHB", data, pos + 1)
            width, height = max(width, left + w), max(height, top + h)
            frames += 1
            pos = _skip_sub_blocks(data, pos + 10 + _table_size(frame_packed) + 1)
            blocks.append((start, pos, True))
        elif introducer == EXTENSION:
            if pos + 2 > size:
                raise MediaError("the GIF file is truncated")
            label = data[pos + 1]
            kept = label in (GRAPHIC_CONTROL, PLAIN_TEXT)
            if label == APPLICATION:
                kept = data[pos + 3 : pos + 14] in KEPT_APPLICATIONS and data[pos + 2] == 11
            pos = _skip_sub_blocks(data, pos + 2)
            blocks.append((start, pos, kept))
        else:
            raise MediaError("the GIF file holds an unknown block")
    if frames == 0 or not width or not height:
        raise MediaError("the GIF file has no image")
    return ImageInfo(width, height, frames), blocks, pos + 1


def inspect(data: bytes) -> ImageInfo:
    return _walk(data)[0]


def strip(data: bytes) -> bytes:
    _, blocks, end = _walk(data)
    if end == len(data) and all(kept for _, _, kept in blocks):
        return data
    return b"".join(data[start:stop] for start, stop, kept in blocks if kept)
