"""WebP: the RIFF chunks, kept when rendering needs them.

Kept: the image data (VP8, VP8L, ALPH), the extended header (VP8X), animation (ANIM, ANMF) and
the ICC profile (ICCP). Left out: EXIF, XMP, unknown chunks and bytes after the RIFF payload;
the VP8X flags and the RIFF size are updated to match. An orientation other than upright is kept
as an EXIF chunk holding that one tag.
"""

from __future__ import annotations

import struct

from lnk.media.common import ImageInfo, MediaError, exif_orientation, orientation_tiff

KEPT = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
EXIF_FLAG, XMP_FLAG = 0x08, 0x04


def _chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """``(fourcc, start, end)`` of each chunk, padding included."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise MediaError("not a WebP file")
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end_of_riff = 8 + riff_size
    if end_of_riff > len(data):
        raise MediaError("the WebP file is truncated")
    out: list[tuple[bytes, int, int]] = []
    pos = 12
    while pos < end_of_riff:
        if pos + 8 > end_of_riff:
            raise MediaError("a WebP chunk header is truncated")
        fourcc, length = struct.unpack_from("<4sI", data, pos)
        end = pos + 8 + length + (length & 1)
        if end > end_of_riff + (length & 1):
            raise MediaError("a WebP chunk runs past the end of the file")
        out.append((fourcc, pos, min(end, end_of_riff)))
        pos = end
    if not out:
        raise MediaError("the WebP file is empty")
    return out


def _u24(data: bytes, pos: int) -> int:
    return int.from_bytes(data[pos : pos + 3], "little")


def inspect(data: bytes) -> ImageInfo:
    chunks = _chunks(data)
    fourcc, start, end = chunks[0]
    body = start + 8
    frames, orientation = 1, 1
    if fourcc == b"VP8X" and end - start >= 18:
        width, height = _u24(data, body + 4) + 1, _u24(data, body + 7) + 1
        frames = sum(1 for kind, _, _ in chunks if kind == b"ANMF") or 1
        for kind, s, e in chunks:
            if kind == b"EXIF":
                orientation = exif_orientation(data[s + 8 : e])
    elif fourcc == b"VP8 " and end - start >= 18 and data[body + 3 : body + 6] == b"\x9d\x01\x2a":
        w, h = struct.unpack_from("<HH", data, body + 6)
        width, height = w & 0x3FFF, h & 0x3FFF
    elif fourcc == b"VP8L" and end - start >= 13 and data[body] == 0x2F:
        (bits,) = struct.unpack_from("<I", data, body + 1)
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    else:
        raise MediaError("the WebP file has no usable image header")
    if not width or not height:
        raise MediaError("the WebP image is empty")
    return ImageInfo(width, height, frames, orientation)


def _chunk(fourcc: bytes, payload: bytes) -> bytes:
    return struct.pack("<4sI", fourcc, len(payload)) + payload + b"\x00" * (len(payload) & 1)


def strip(data: bytes) -> bytes:
    chunks = _chunks(data)
    orientation = inspect(data).orientation
    (riff_size,) = struct.unpack_from("<I", data, 4)
    removed = 8 + riff_size != len(data)
    parts: list[bytes] = []
    for fourcc, start, end in chunks:
        if fourcc in KEPT:
            parts.append(data[start:end])
        else:
            removed = True
    if not removed:
        return data
    if parts[0].startswith(b"VP8X"):
        flags = parts[0][8] & ~(EXIF_FLAG | XMP_FLAG)
        if orientation != 1:
            flags |= EXIF_FLAG
            parts.append(_chunk(b"EXIF", orientation_tiff(orientation)))
        parts[0] = parts[0][:8] + bytes([flags]) + parts[0][9:]
    payload = b"WEBP" + b"".join(parts)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload
