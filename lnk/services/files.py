"""Chat files: checking uploads, cleaning images, storing bytes, and who may read them.

Images are decoded with Pillow and re-encoded before anything is stored, so EXIF (camera
location included), XMP and comments never reach another user, and a file that only claims to be
an image is refused. Only the colour profile and animation timing survive. Every image also gets
a thumbnail. Other files are stored byte for byte.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import unicodedata
from dataclasses import dataclass, replace
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from lnk.domain.models import FileMeta, User
from lnk.errors import (
    NotFound,
    PayloadTooLarge,
    QuotaExceeded,
    UnsupportedMediaType,
    ValidationFailed,
)
from lnk.services.context import ServiceContext
from lnk.services.sniffing import IMAGE_TYPES, sniff

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # ~ 160 MB decoded as RGBA: the most one upload may cost in memory
THUMBNAIL_BOX = (320, 320)
KEPT_IMAGE_INFO = ("icc_profile", "transparency", "duration", "loop", "background", "disposal")
MAX_NAME_CHARS = 200


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
    return [ctx.store.files.create(item.meta) for item in prepared]


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
    for meta in released:
        _delete_bytes(ctx, meta)
    return len(released)


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
    mime = sniff(upload.stream, name)
    file_id = new_file_id()
    meta = FileMeta(file_id, actor.id, name, 0, mime, file_id, created_at=ctx.clock.now())
    if mime not in IMAGE_TYPES:
        upload.stream.seek(0)
        return _Prepared(meta, upload.stream)
    body, width, height, thumb, thumb_mime = _clean_image(upload.stream, IMAGE_TYPES[mime])
    meta = replace(meta, width=width, height=height, thumbnail_key=f"{file_id}-thumb")
    return _Prepared(meta, io.BytesIO(body), thumb, thumb_mime)


def _decode(stream: BinaryIO, expected_format: str) -> Image.Image:
    try:
        stream.seek(0)
        with Image.open(stream) as probe:
            probe.verify()
        stream.seek(0)
        image = Image.open(stream)
        if image.format != expected_format:
            raise UnsupportedMediaType("the image does not match its signature")
        if image.width * image.height > MAX_PIXELS:
            raise PayloadTooLarge(f"images are limited to {MAX_PIXELS} pixels")
        image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as error:
        raise UnsupportedMediaType("the file is not a valid image") from error
    return image


def _clean_image(stream: BinaryIO, fmt: str) -> tuple[bytes, int, int, bytes, str]:
    """Re-encoded image bytes without metadata, its size, and a thumbnail with its type."""
    image = _decode(stream, fmt)
    animated = getattr(image, "n_frames", 1) > 1
    if not animated:
        image = ImageOps.exif_transpose(image)  # keep the orientation the camera recorded
    image.info = {k: v for k, v in image.info.items() if k in KEPT_IMAGE_INFO}
    params: dict = {}
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        params["quality"] = 90
    elif fmt == "WEBP":
        params.update(quality=90, save_all=animated)
    elif fmt == "GIF":
        params.update(save_all=animated)
    if image.info.get("icc_profile"):
        params["icc_profile"] = image.info["icc_profile"]
    out = io.BytesIO()
    image.save(out, fmt, **params)
    if animated:
        image.seek(0)
    thumb, thumb_mime = _thumbnail(image, fmt)
    return out.getvalue(), image.width, image.height, thumb, thumb_mime


def _thumbnail(image: Image.Image, fmt: str) -> tuple[bytes, str]:
    """A small first-frame preview: PNG for formats that may be transparent, else JPEG."""
    small = image.copy()
    small.thumbnail(THUMBNAIL_BOX)
    out = io.BytesIO()
    if fmt in ("PNG", "GIF"):
        small = small.convert("RGBA") if small.mode not in ("RGB", "RGBA", "L", "LA") else small
        small.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    small.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue(), "image/jpeg"
