"""Deciding a file's type from its bytes, against the allow-list of what chats may carry.

Signatures come from ``puremagic`` (pure Python, maintained signature database). Its candidates
are tried in confidence order and the first one naming an allowed type wins. Containers get a
closer look: a ZIP must be an Office Open XML or OpenDocument file (checked in its directory), and
an OLE2 compound file is one of the legacy Office formats named by the file's extension (the only
place the name matters, and only among those three). When no signature matches, valid UTF-8
without NUL characters is plain text. Everything else is refused (415).
"""

from __future__ import annotations

import codecs
import zipfile
from typing import BinaryIO

import puremagic

from lnk.errors import PayloadTooLarge, UnsupportedMediaType

HEAD_BYTES = 8192
TEXT_CHUNK = 1 << 16
WEAK = 0.3  # below this a signature is a guess; text may still win
MAX_ARCHIVE_ENTRIES = 20_000  # office documents hold hundreds; 150,000 take seconds to list
EOCD_SEARCH = 22 + 65_535  # the end-of-central-directory record and the longest comment

IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}

# extension puremagic reports -> the type we store and serve
BY_EXTENSION = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jfif": "image/jpeg",
    ".jpe": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".mp3": "audio/mpeg",
    ".mpga": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".f4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".aac": "audio/aac",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
}
ZIP_EXTENSIONS = {".zip", ".docx", ".xlsx", ".pptx", ".xlsb", ".odt", ".ods", ".odp", ".jar"}

OOXML = "application/vnd.openxmlformats-officedocument."
OOXML_PARTS = {
    "word/document.xml": OOXML + "wordprocessingml.document",
    "xl/workbook.xml": OOXML + "spreadsheetml.sheet",
    "ppt/presentation.xml": OOXML + "presentationml.presentation",
}
OPENDOCUMENT_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
LEGACY_OFFICE = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}

ALLOWED = (
    set(BY_EXTENSION.values())
    | set(OOXML_PARTS.values())
    | OPENDOCUMENT_TYPES
    | set(LEGACY_OFFICE.values())
    | {"text/plain"}
)


def sniff(stream: BinaryIO, filename: str) -> str:
    """The allowed MIME type of the seekable ``stream``'s bytes; 415 if it is not allowed.

    Leaves the stream at position 0."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head:
        raise UnsupportedMediaType("the file is empty")
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    extensions = [m.extension.lower() for m in matches]
    if any(ext in ZIP_EXTENSIONS for ext in extensions) and head.startswith(b"PK\x03\x04"):
        return _office_zip(stream)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _legacy_office(filename)
    for match in matches:
        mime = BY_EXTENSION.get(match.extension.lower())
        if mime is not None:
            return mime
    if not any(m.confidence >= WEAK for m in matches) and is_utf8_text(stream):
        return "text/plain"
    raise UnsupportedMediaType("this type of file is not accepted")


def is_utf8_text(stream: BinaryIO) -> bool:
    """Valid UTF-8 from start to end, with no NUL character (read in chunks)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    try:
        while chunk := stream.read(TEXT_CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def archive_entries(stream: BinaryIO) -> int | None:
    """The entry count the ZIP's end-of-central-directory record declares (None if there is no
    such record; 65,535 stands for "more", as in ZIP64), read from the file's tail alone."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - EOCD_SEARCH))
    tail = stream.read()
    stream.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    return int.from_bytes(tail[at + 10 : at + 12], "little")


def _office_zip(stream: BinaryIO) -> str:
    """Office Open XML or OpenDocument, recognised by the archive's directory (nothing is
    decompressed but the tiny ``mimetype`` entry). Reading a directory costs Python time per
    entry, so archives declaring more than ``MAX_ARCHIVE_ENTRIES`` are refused (413) first."""
    entries = archive_entries(stream)
    if entries is not None and entries > MAX_ARCHIVE_ENTRIES:
        raise PayloadTooLarge(f"documents are limited to {MAX_ARCHIVE_ENTRIES:,} archive entries")
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            for part, mime in OOXML_PARTS.items():
                if part in names and "[Content_Types].xml" in names:
                    return mime
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared in OPENDOCUMENT_TYPES:
                    return declared
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, EOFError):
        pass
    finally:
        stream.seek(0)
    raise UnsupportedMediaType("archives are not accepted, only office documents")


def _legacy_office(filename: str) -> str:
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    mime = LEGACY_OFFICE.get(extension)
    if mime is None:
        raise UnsupportedMediaType("this compound file is not a .doc, .xls or .ppt document")
    return mime
