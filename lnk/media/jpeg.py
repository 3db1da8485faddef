"""JPEG: the marker segments, kept or left out one by one.

Kept: everything that decoding needs (tables, frame and scan headers, restart intervals, the
entropy-coded data, whatever marker the format defines outside APPn/COM), the JFIF header, the
ICC profile (APP2 ``ICC_PROFILE``) and Adobe's colour-transform flag (APP14). Left out: EXIF,
XMP, IPTC/Photoshop, MPF (with the preview images it appends after the end of the image), JFXX
thumbnails, every other application segment, comments, and bytes after EOI. An orientation other
than upright is kept as a one-tag EXIF segment.
"""

from __future__ import annotations

import re
import struct

from lnk.media.common import ImageInfo, MediaError, exif_orientation, orientation_tiff

SOI, EOI, SOS, COM, APP0, APP1, APP2, APP14, APP15 = (
    0xD8,
    0xD9,
    0xDA,
    0xFE,
    0xE0,
    0xE1,
    0xE2,
    0xEE,
    0xEF,
)
STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length
FRAME_HEADERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# the end of entropy-coded data: 0xFF followed by a marker (not stuffing 00, RSTn or fill FF)
NEXT_MARKER = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")
SCAN_WINDOW = 1 << 18  # one regex call holds the GIL; scanning in windows lets the loop run


def _segments(data: bytes) -> list[tuple[int, int, int]]:
    """``(marker, start, end)`` of each segment after SOI up to and including EOI; the
    entropy-coded data after a scan header belongs to that SOS segment."""
    if not data.startswith(b"\xff\xd8"):
        raise MediaError("not a JPEG file")
    out: list[tuple[int, int, int]] = []
    pos, size = 2, len(data)
    while True:
        if pos + 1 >= size or data[pos] != 0xFF:
            raise MediaError("the JPEG file is truncated or malformed")
        while pos + 1 < size and data[pos + 1] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos + 1 >= size:
            raise MediaError("the JPEG file is truncated")
        marker = data[pos + 1]
        if marker == EOI:
            out.append((marker, pos, pos + 2))
            return out
        if marker in STANDALONE:
            out.append((marker, pos, pos + 2))
            pos += 2
            continue
        if pos + 4 > size:
            raise MediaError("the JPEG file is truncated")
        (length,) = struct.unpack_from(">H", data, pos + 2)
        end = pos + 2 + length
        if length < 2 or end > size:
            raise MediaError("a JPEG segment runs past the end of the file")
        if marker == SOS:
            end = _end_of_scan(data, end)
        out.append((marker, pos, end))
        pos = end


def _end_of_scan(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at ``pos`` ends (the next marker)."""
    size = len(data)
    while pos < size:
        found = NEXT_MARKER.search(data, pos, min(size, pos + SCAN_WINDOW + 1))
        if found is not None:
            return found.start()
        pos += SCAN_WINDOW
    raise MediaError("the JPEG file has no end-of-image marker")


def _payload(data: bytes, start: int, end: int) -> bytes:
    return data[start + 4 : end]


def inspect(data: bytes) -> ImageInfo:
    return _info(data, _segments(data))


def _info(data: bytes, segments: list[tuple[int, int, int]]) -> ImageInfo:
    width = height = 0
    orientation = 1
    for marker, start, end in segments:
        if marker in FRAME_HEADERS and not width:
            if end - start < 9:
                raise MediaError("a JPEG frame header is too short")
            height, width = struct.unpack_from(">HH", data, start + 5)
        elif marker == APP1 and orientation == 1:
            body = _payload(data, start, end)
            if body.startswith(b"Exif\x00"):
                orientation = exif_orientation(body)
        elif marker == SOS:
            break
    if not width or not height:
        raise MediaError("the JPEG file has no usable frame header")
    return ImageInfo(width, height, 1, orientation)


def _kept(marker: int, payload: bytes) -> bool:
    if marker == APP0:
        return payload.startswith(b"JFIF\x00")
    if marker == APP2:
        return payload.startswith(b"ICC_PROFILE\x00")
    if marker == APP14:
        return payload.startswith(b"Adobe")
    return not (APP0 <= marker <= APP15 or marker == COM)


def strip(data: bytes) -> bytes:
    segments = _segments(data)
    orientation = _info(data, segments).orientation
    parts = [data[:2]]
    removed = segments[-1][2] != len(data)  # bytes after EOI
    for marker, start, end in segments:
        if _kept(marker, _payload(data, start, end)):
            parts.append(data[start:end])
        else:
            removed = True
    if not removed:
        return data
    if orientation != 1:
        body = b"Exif\x00\x00" + orientation_tiff(orientation)
        exif = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
        # after the JFIF header when there is one (JFIF wants to come first), else first
        at = 2 if len(parts) > 1 and parts[1].startswith(b"\xff\xe0") else 1
        parts.insert(at, exif)
    return b"".join(parts)
