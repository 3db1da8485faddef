"""Static files: content-hashed URLs cached for a year; anything else is revalidated."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lnk.web.assets import IMMUTABLE, StaticManifest

STATIC = Path(__file__).resolve().parents[2] / "static"


def _digest(relative: str) -> str:
    return hashlib.sha256((STATIC / relative).read_bytes()).hexdigest()[:16]


def test_pages_link_assets_and_the_sprite_by_the_digest_of_their_content(pair):
    alice, _, conversation_id = pair
    page = alice.get(f"/chat/{conversation_id}").text
    for asset in ("js/chat.js", "js/live.js", "css/app.css", "vendor/htmx/htmx.min.js"):
        assert f"/static/{asset}?v={_digest(asset)}" in page
    sprites = set(re.findall(r'href="(/static/icons/sprite\.svg[^"#]*)#', page))
    assert sprites == {f"/static/icons/sprite.svg?v={_digest('icons/sprite.svg')}"}


def test_a_hashed_url_is_immutable_for_a_year(client):
    url = f"/static/icons/sprite.svg?v={_digest('icons/sprite.svg')}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert response.data == (STATIC / "icons/sprite.svg").read_bytes()


def test_a_stale_or_missing_digest_is_revalidated_not_cached_for_a_year(client):
    for url in ("/static/js/chat.js", "/static/js/chat.js?v=0123456789abcdef"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/js/nothing-here.js?v=x").status_code == 404


def test_a_watched_manifest_follows_a_changed_file(tmp_path):
    (tmp_path / "a.css").write_text("body{}")
    fixed, watched = StaticManifest(str(tmp_path)), StaticManifest(str(tmp_path), watch=True)
    before = watched.digest("a.css")
    assert before == fixed.digest("a.css")
    (tmp_path / "a.css").write_text("body{color:red}")
    assert watched.digest("a.css") != before
    assert fixed.digest("a.css") == before
    assert watched.digest("missing.css") is None and fixed.digest(None) is None
