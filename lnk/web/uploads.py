"""Receiving multipart uploads with bounded memory.

``UploadRequest`` is the app's request class. Werkzeug's multipart parser asks it for a container
for every file part and writes the part into it chunk by chunk (64 KiB) as the body is read. The
container, ``CappedSpool``, keeps up to 512 KiB in memory, then spills to a temporary file, and
counts bytes: the write that crosses ``Settings.max_upload_bytes`` raises 413 at once, so the rest
of the body is never read. Every 256 KiB it lets the loop's other requests run. More file parts
than an upload may carry are refused (422) when the first extra part starts, before its bytes are
read.
"""

from __future__ import annotations

import time
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from babel.units import format_unit
from flask import Request, current_app

from lnk.errors import PayloadTooLarge, ValidationFailed

SPOOL_IN_MEMORY = 512 * 1024
YIELD_EVERY = 256 * 1024


def size_text(size: int) -> str:
    """A byte count as people read it: ``25 MB``, ``512 kB``."""
    if size >= 1024 * 1024:
        return format_unit(round(size / 1024 / 1024, 1), "digital-megabyte", "short", locale="en")
    return format_unit(round(size / 1024, 1), "digital-kilobyte", "short", locale="en")


class CappedSpool(SpooledTemporaryFile):
    """A spooled temporary file that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(max_size=SPOOL_IN_MEMORY, mode="w+b")
        self.limit = limit
        self.written = 0

    def write(self, data: Any) -> int:  # type: ignore[override]
        before = self.written
        self.written += len(data)
        if self.written > self.limit:
            self.close()
            raise PayloadTooLarge(f"files are limited to {size_text(self.limit)} each")
        if before // YIELD_EVERY != self.written // YIELD_EVERY:
            # Over loopback a large body is already buffered, so reading it never waits and the
            # parser would hold the loop for the whole body: let other requests run meanwhile.
            time.sleep(0)  # gevent.sleep(0) once monkey-patched
        return super().write(data)


class UploadRequest(Request):
    file_parts = 0

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        self.file_parts += 1
        max_files = current_app.extensions["lnk"].rules.max_attachments
        if self.file_parts > max_files:
            raise ValidationFailed.field("files", f"at most {max_files} files per upload")
        limit = current_app.config["LNK_SETTINGS"].max_upload_bytes
        if content_length is not None and content_length > limit:
            raise PayloadTooLarge(f"files are limited to {size_text(limit)} each")
        return CappedSpool(limit)  # type: ignore[return-value]
