"""Files API: uploading chat files and serving them to those allowed to see them."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, send_file

from lnk.domain.models import User
from lnk.errors import UnsupportedMediaType
from lnk.presenters import file_json
from lnk.services import files
from lnk.web.api import marketplace_schemas as ms
from lnk.web.api.routing import endpoint
from lnk.web.context import ctx

bp = Blueprint("api_files", __name__, url_prefix="/api")
TAG = "files"
INLINE_TYPES = ("image/", "audio/", "video/")
PDF = "application/pdf"  # opened in a new tab, not downloaded
MAX_AGE = 24 * 3600  # a file id's bytes never change
# What a download can be: the type sniffed at upload (see the allow-list in the README). Generic
# binary comes first: client generators read a download's bytes as the first type they know.
FILE_TYPES = (
    "application/octet-stream",
    "image/*",
    "audio/*",
    "video/*",
    "application/*",
    "text/plain",
)
THUMBNAIL_TYPES = ("image/png", "image/jpeg")
CONDITIONAL = {
    206: "The requested byte range (audio and video answer `Range` requests).",
    304: "Not modified since the `ETag` given in `If-None-Match`.",
}


@endpoint(
    bp,
    "/upload/chat-files",
    "POST",
    summary="Upload chat files",
    tag=TAG,
    operation_id="uploadChatFiles",
    status=201,
    response=ms.UploadOut,
    multipart=ms.UPLOAD_FORM,
    limit="60/minute",
    errors=(413, 415, 422, 503),
)
def upload(user: User):
    """Up to 10 ``files`` parts (more: 422). The type is decided from the bytes; types outside
    the allow-list (images, PDF, plain text, common audio/video and office documents) get 415; a
    file over the size limit (25 MB by default) gets 413, and so (code ``quota_exceeded``) does
    an upload that would take the caller past its storage quota (1 GiB by default), and an
    image whose headers exceed 12,000 px on a side, 40 MP, 200 frames or 200 MP over all frames
    (the detail names the limit). Uploads never attached to a message are removed after 24
    hours. Files are stored as sent, except that image metadata (EXIF with GPS, XMP, IPTC,
    comments, text chunks) is cut out of the container without re-encoding; orientation and
    colour profile stay. Images get a thumbnail. 503 ``overloaded`` (with ``Retry-After``) when
    the worker pool is full. Attach the returned ids to a message with ``attachmentIds``."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("send the files as multipart/form-data")
    uploads = [
        files.Upload(part.filename or "file", part.stream)
        for part in request.files.getlist("files")
    ]
    saved = files.save_uploads(ctx(), user, uploads)
    return jsonify({"files": [file_json(meta) for meta in saved]}), 201


@endpoint(
    bp,
    "/files/<id>",
    "GET",
    summary="A file's bytes",
    tag=TAG,
    operation_id="downloadFile",
    binary=FILE_TYPES,
    also=CONDITIONAL,
    errors=(404, 416),
)
def download(user: User, id: str):
    """For the uploader and participants who can currently see a message carrying the file (not
    deleted for everyone, not hidden for them, sent after their join or clear point); anyone
    else gets 404. File ids are random. Audio and video answer range requests."""
    return _serve(files.open_file(ctx(), user, id))


@endpoint(
    bp,
    "/files/<id>/thumbnail",
    "GET",
    summary="An image's thumbnail",
    tag=TAG,
    operation_id="downloadThumbnail",
    binary=THUMBNAIL_TYPES,
    also=CONDITIONAL,
    errors=(404, 416),
)
def thumbnail(user: User, id: str):
    """A small PNG or JPEG; 404 for a file that is not an image."""
    return _serve(files.open_file(ctx(), user, id, thumbnail=True), suffix="-thumbnail")


def _serve(opened: files.Opened, suffix: str = ""):
    response = send_file(
        opened.stream,
        mimetype=opened.mime_type,  # text/plain gets "; charset=utf-8" from Flask
        download_name=opened.name,
        as_attachment=not (opened.mime_type.startswith(INLINE_TYPES) or opened.mime_type == PDF),
        conditional=False,
        etag=False,
        max_age=MAX_AGE,
    )
    response.content_length = opened.size
    response.set_etag(opened.meta.id + suffix)
    response.cache_control.public = None
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A PDF opens in the browser's own viewer, which a sandboxed document may not load; it still
    # gets no script, style or connection of the page's origin.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'" if opened.mime_type == PDF else "default-src 'none'; sandbox"
    )
    return response.make_conditional(
        request.environ, accept_ranges=True, complete_length=opened.size
    )
