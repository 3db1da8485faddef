"""PNG: the chunks, kept when rendering needs them.

Kept: the critical chunks, transparency, colour (gAMA, cHRM, sRGB, iCCP, cICP, mDCv, cLLi, sBIT),
bKGD, hIST, pHYs, sPLT and the APNG animation chunks. Left out: text (tEXt, zTXt, iTXt), tIME,
eXIf, every private or unknown chunk, and bytes after IEND. An orientation other than upright
is kept as an eXIf chunk holding that one tag.
"""

from __future__ import annotations

import struct
import zlib

from lnk.media.common import ImageInfo, MediaError, exif_orientation, orientation_tiff

SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP",
    b"mDCv", b"cLLi", b"sBIT", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def _chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """``(type, start, end)`` of each chunk up to and including IEND."""
    if not data.startswith(SIGNATURE):
        raise MediaError("not a PNG file")
    out: list[tuple[bytes, int, int]] = []
    pos, size = len(SIGNATURE), len(data)
    while True:
        if pos + 12 > size:
            raise MediaError("the PNG file is truncated")
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > size:
            raise MediaError("a PNG chunk runs past the end of the file")
        out.append((kind, pos, end))
        pos = end
        if kind == b"IEND":
            return out


def inspect(data: bytes) -> ImageInfo:
    chunks = _chunks(data)
    kind, start, end = chunks[0]
    if kind != b"IHDR" or end - start < 20:
        raise MediaError("a PNG file starts with its header chunk")
    width, height = struct.unpack_from(">II", data, start + 8)
    frames, orientation = 1, 1
    for kind, start, end in chunks:
        if kind == b"acTL" and end - start >= 16:
            (frames,) = struct.unpack_from(">I", data, start + 8)
        elif kind == b"eXIf":
            orientation = exif_orientation(data[start + 8 : end - 4])
    return ImageInfo(width, height, max(frames, 1), orientation)


def strip(data: bytes) -> bytes:
    chunks = _chunks(data)
    orientation = inspect(data).orientation
    parts = [data[: len(SIGNATURE)]]
    removed = chunks[-1][2] != len(data)
    for kind, start, end in chunks:
        if kind in KEPT:
            parts.append(data[start:end])
        else:
            removed = True
    if not removed:
        return data
    if orientation != 1:
        body = orientation_tiff(orientation)
        chunk = struct.pack(">I", len(body)) + b"eXIf" + body
        parts.insert(2, chunk + struct.pack(">I", zlib.crc32(chunk[4:])))  # after IHDR
    return b"".join(parts)
