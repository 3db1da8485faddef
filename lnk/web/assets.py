"""Content-hashed static URLs, cached for a year.

At start-up every file under ``static/`` is hashed once (a small manifest in memory).
``url_for("static", filename=...)`` then adds ``?v=<digest of the content>``, so a changed file
gets a new URL and an unchanged one never needs revalidating. A request whose ``v`` matches the
file's current digest is answered with ``Cache-Control: public, max-age=31536000, immutable``;
any other (no ``v``, or a stale one) with ``no-cache``, so it is revalidated. In debug mode a
file's digest is recomputed when its size or modification time changes.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, Response, request

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
DIGEST_CHARS = 16


class StaticManifest:
    """Relative path (as ``url_for`` names it) -> digest of the file's bytes."""

    def __init__(self, folder: str, *, watch: bool = False) -> None:
        self.folder = folder
        self.watch = watch
        self._digests: dict[str, tuple[str, tuple[int, int]]] = {}
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = os.path.join(root, name)
                self._add(os.path.relpath(path, folder).replace(os.sep, "/"), path)

    def _add(self, filename: str, path: str) -> str | None:
        try:
            stat = os.stat(path)
            with open(path, "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()[:DIGEST_CHARS]
        except OSError:
            self._digests.pop(filename, None)
            return None
        self._digests[filename] = (digest, (stat.st_size, stat.st_mtime_ns))
        return digest

    def digest(self, filename: str | None) -> str | None:
        if not filename:
            return None
        known = self._digests.get(filename)
        if not self.watch:
            return known[0] if known else None
        path = os.path.join(self.folder, *filename.split("/"))
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if known and known[1] == (stat.st_size, stat.st_mtime_ns):
            return known[0]
        return self._add(filename, path)


def init_assets(app: Flask) -> StaticManifest | None:
    """Hashes the static folder and wires the URL digests and the cache headers."""
    if not app.static_folder or not os.path.isdir(app.static_folder):
        return None
    manifest = StaticManifest(app.static_folder, watch=app.debug)
    app.extensions["lnk_assets"] = manifest

    @app.url_defaults
    def add_digest(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            digest = manifest.digest(values.get("filename"))
            if digest:
                values["v"] = digest

    @app.after_request
    def static_cache_headers(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 206, 304):
            filename = (request.view_args or {}).get("filename")
            wanted = request.args.get("v")
            fresh = wanted is not None and wanted == manifest.digest(filename)
            response.headers["Cache-Control"] = IMMUTABLE if fresh else REVALIDATE
            if fresh:
                response.headers.pop("Expires", None)
        return response

    return manifest
