"""The worker pool inside the real server (``python app.py`` under gevent, where the pool is
gevent's thread pool and the loop must keep running while it works): logins, image uploads and
searches go through it and answer as before, and a full pool answers 503 ``overloaded``."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from PIL import ExifTags, Image, ImageOps

from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery-1"


def register(url: str, name: str) -> dict:
    response = requests.post(
        url + "/api/auth/register", json={"username": name, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return {"id": body["user"]["id"], "headers": {"Authorization": f"Bearer {body['accessToken']}"}}


def test_logins_uploads_and_search_work_through_the_pool_under_gevent(tmp_path):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (52.0, 31.0, 12.0)})
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 10, 10)).save(out, "JPEG", exif=exif)
    photo = out.getvalue()
    with LiveServer(tmp_path) as server:
        url = server.url
        alice, bob = register(url, "alice"), register(url, "bob")
        wrong = requests.post(
            url + "/api/auth/login", json={"username": "alice", "password": "nope-nope-1"}
        )
        assert wrong.status_code == 401
        right = requests.post(
            url + "/api/auth/login", json={"username": "alice", "password": PASSWORD}
        )
        assert right.status_code == 200
        sent = requests.post(
            url + "/api/upload/chat-files",
            files={"files": ("p.jpg", photo)},
            headers=alice["headers"],
        )
        assert sent.status_code == 201, sent.text
        meta = sent.json()["files"][0]
        assert (meta["width"], meta["height"]) == (80, 120)
        body = requests.get(url + meta["url"], headers=alice["headers"]).content
        with Image.open(io.BytesIO(body)) as image:
            assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
            assert ImageOps.exif_transpose(image).size == (80, 120)
        conversation = requests.post(
            url + "/api/conversations",
            json={"type": "direct", "participantIds": [bob["id"]]},
            headers=alice["headers"],
        ).json()["id"]
        message = requests.post(
            f"{url}/api/conversations/{conversation}/messages",
            json={"content": "the kitchen sink leaks"},
            headers=alice["headers"],
        )
        assert message.status_code == 201
        found = requests.get(
            url + "/api/messages/search", params={"q": "kitch"}, headers=bob["headers"]
        )
        assert found.status_code == 200
        assert [hit["id"] for hit in found.json()["items"]] == [message.json()["id"]]


def test_a_full_pool_answers_503_overloaded_and_the_rest_are_served(tmp_path):
    """One worker thread, no queue, production argon2 cost: of logins arriving together, the
    ones that find the thread busy are refused at once."""
    env = {"LNK_ENV": "development", "LNK_WORKER_THREADS": "1", "LNK_WORKER_QUEUE": "0"}
    with LiveServer(tmp_path, env=env) as server:
        register(server.url, "alice")

        def log_in(_: int) -> requests.Response:
            return requests.post(
                server.url + "/api/auth/login",
                json={"username": "alice", "password": "wrong-password-1"},
                timeout=60,
            )

        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(log_in, range(12)))
        codes = sorted(a.status_code for a in answers)
        assert set(codes) == {401, 503} and codes.count(401) >= 1, codes
        refused = next(a for a in answers if a.status_code == 503)
        assert refused.json()["code"] == "overloaded" and int(refused.headers["Retry-After"]) >= 1
        assert requests.get(server.url + "/api/users/me", timeout=10).status_code == 401  # alive
