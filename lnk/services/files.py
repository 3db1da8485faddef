"""Chat files: checking uploads, storing bytes, and who may read them.

Files are stored byte for byte as uploaded, except that images lose their metadata blocks (EXIF
with the camera's location, XMP, comments; see ``lnk.services.images``) without their pixels
being re-encoded. Every image gets a thumbnail. Sniffing, archive inspection and all image work
run in the worker pool, one file at a time.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import unicodedata
from dataclasses import dataclass, replace
from tempfile import SpooledTemporaryFile
from typing import BinaryIO

from lnk.domain.models import FileMeta, User
from lnk.errors import (
    NotFound,
    QuotaExceeded,
    ValidationFailed,
)
from lnk.services import images
from lnk.services.context import ServiceContext
from lnk.services.sniffing import IMAGE_TYPES, sniff

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 200
SPOOL_IN_MEMORY = 512 * 1024


@dataclass
class Upload:
    """One received file: the client's file name and a seekable stream of its bytes."""

    name: str
    stream: BinaryIO


@dataclass
class Opened:
    """A stored file ready to be served."""

    meta: FileMeta
    stream: BinaryIO
    size: int
    mime_type: str
    name: str


@dataclass
class _Prepared:
    meta: FileMeta
    body: BinaryIO
    thumbnail: bytes | None = None
    thumbnail_mime: str = "image/jpeg"


def save_uploads(ctx: ServiceContext, actor: User, uploads: list[Upload]) -> list[FileMeta]:
    """Checks every file first (type 415, count 422), then stores them all: one bad file and
    nothing of the request is kept."""
    if not uploads:
        raise ValidationFailed.field("files", "send at least one file")
    if len(uploads) > ctx.rules.max_attachments:
        raise ValidationFailed.field(
            "files", f"at most {ctx.rules.max_attachments} files per upload"
        )
    prepared = [_prepare(ctx, actor, upload) for upload in uploads]
    _check_quota(ctx, actor, prepared)
    stored: list[str] = []
    try:
        for item in prepared:
            size = ctx.store.blobs.put(item.meta.storage_key, item.body, item.meta.mime_type)
            stored.append(item.meta.storage_key)
            item.meta = replace(item.meta, size=size)
            if item.thumbnail is not None and item.meta.thumbnail_key:
                ctx.store.blobs.put(
                    item.meta.thumbnail_key, io.BytesIO(item.thumbnail), item.thumbnail_mime
                )
                stored.append(item.meta.thumbnail_key)
    except BaseException:
        for key in stored:
            ctx.store.blobs.delete(key)
        raise
    return ctx.run_in_unit(lambda: [ctx.store.files.create(item.meta) for item in prepared])


def _check_quota(ctx: ServiceContext, actor: User, prepared: list[_Prepared]) -> None:
    """413 ``quota_exceeded`` when these files would take the uploader past its quota."""
    incoming = 0
    for item in prepared:
        item.body.seek(0, io.SEEK_END)
        incoming += item.body.tell()
        item.body.seek(0)
    quota = ctx.rules.upload_quota_bytes
    if ctx.store.files.bytes_used(actor.id) + incoming > quota:
        raise QuotaExceeded(
            f"your files may take at most {quota} bytes; delete messages with files to free space"
        )


def new_file_id() -> str:
    """Random, in the 24-hex form of every id: not guessable from another file's id."""
    return secrets.token_hex(12)


def open_file(ctx: ServiceContext, actor: User, file_id: str, *, thumbnail: bool = False) -> Opened:
    """For the uploader, and for participants who can currently see a message carrying it (not
    deleted for everyone, not hidden for them, after their join or clear point); else 404."""
    meta = ctx.store.files.get(file_id)
    if meta is None or (
        meta.owner_id != actor.id and not ctx.store.files.visible_to(file_id, actor.id)
    ):
        raise NotFound("file not found")
    key, mime = meta.storage_key, meta.mime_type
    if thumbnail:
        if not meta.thumbnail_key:
            raise NotFound("this file has no thumbnail")
        key = meta.thumbnail_key
        mime = "image/png" if meta.mime_type in ("image/png", "image/gif") else "image/jpeg"
    try:
        stream = ctx.store.blobs.open(key)
        size = ctx.store.blobs.size(key)
    except FileNotFoundError:
        raise NotFound("file not found") from None
    name = meta.name
    if thumbnail:
        name = (
            os.path.splitext(meta.name)[0]
            + "-thumbnail"
            + (".png" if mime == "image/png" else ".jpg")
        )
    return Opened(meta, stream, size, mime, name)


def release(ctx: ServiceContext, file_ids: list[str]) -> int:
    """Removes the files among ``file_ids`` that no message carries any longer, bytes and
    thumbnail included (after a delete for everyone); returns how many."""
    released = ctx.store.files.release(file_ids)
    delete_bytes(ctx, released)
    return len(released)


def delete_bytes(ctx: ServiceContext, released: list[FileMeta]) -> None:
    """Removes the bytes (and thumbnails) of released files: after the unit that released
    them has committed, since bytes cannot be rolled back."""
    for meta in released:
        _delete_bytes(ctx, meta)


def remove_unattached(ctx: ServiceContext, *, batch: int = 100, max_batches: int = 20) -> int:
    """Removes uploads never attached to a message within ``unattached_upload_ttl`` (24 hours);
    returns how many. A file attached meanwhile is kept (the release re-checks)."""
    cutoff = ctx.clock.now() - ctx.rules.unattached_upload_ttl
    removed = 0
    for _ in range(max_batches):
        due = ctx.store.files.unattached_before(cutoff, batch)
        count = release(ctx, [meta.id for meta in due])
        removed += count
        if len(due) < batch or count == 0:
            break
    return removed


def _delete_bytes(ctx: ServiceContext, meta: FileMeta) -> None:
    for key in filter(None, (meta.storage_key, meta.thumbnail_key)):
        try:
            ctx.store.blobs.delete(key)
        except OSError:  # already gone, or the disk refused: the metadata is gone either way
            log.warning("could not delete the bytes of file %s", meta.id, exc_info=True)


def clean_name(name: str | None) -> str:
    """A display name: last path segment, no control characters, at most 200 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    ).strip(" .")
    return base[-MAX_NAME_CHARS:] or "file"


def _prepare(ctx: ServiceContext, actor: User, upload: Upload) -> _Prepared:
    name = clean_name(upload.name)
    file_id = new_file_id()
    mime, body, image = ctx.workers.run(_inspect_and_clean, upload.stream, name)
    meta = FileMeta(file_id, actor.id, name, 0, mime, file_id, created_at=ctx.clock.now())
    if image is None:
        return _Prepared(meta, body)
    meta = replace(meta, width=image.width, height=image.height, thumbnail_key=f"{file_id}-thumb")
    return _Prepared(meta, body, image.thumbnail, image.thumbnail_mime)


def _inspect_and_clean(
    stream: BinaryIO, name: str
) -> tuple[str, BinaryIO, images.CleanImage | None]:
    """In a worker thread: the sniffed type, the bytes to store and, for an image, its cleaned
    form. Images are read whole (at most the upload size limit); their cleaned bytes go back to
    a spooled file so that ten large images do not sit in memory together."""
    mime = sniff(stream, name)
    if mime not in IMAGE_TYPES:
        stream.seek(0)
        return mime, stream, None
    stream.seek(0)
    image = images.clean_image(stream.read(), IMAGE_TYPES[mime])
    body = SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by the caller
    body.write(image.body)
    body.seek(0)
    image.body = b""
    return mime, body, image
