"""Uploads and file access over HTTP with real bytes, on both storage engines (disk and GridFS):
type from the bytes, the allow-list, EXIF stripping, thumbnails, the streamed size limit, the
file count limit, ranges, and who may read a file. Also media and location messages."""

from __future__ import annotations

import io
import wave
import zipfile

import pytest
from PIL import ExifTags, Image, ImageOps

from tests.api.marketplace_support import direct

pytestmark = pytest.mark.both_engines

GPS = ExifTags.IFD.GPSInfo


def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "LeakyCam"
    exif[ExifTags.Base.Orientation] = 6  # rotated: the served image must be upright
    exif.get_ifd(GPS).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", (80, 40), (10, 120, 200)).save(out, "JPEG", exif=exif, comment=b"home")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def wav_bytes(frames: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x01\x00" * frames)
    return out.getvalue()


def upload(client, user, *files: tuple[str, bytes]):
    data = {"files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(
        "/api/upload/chat-files",
        data=data,
        headers=user.headers,
        content_type="multipart/form-data",
    )


def uploaded(client, user, name: str, body: bytes) -> dict:
    response = upload(client, user, (name, body))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["files"][0]


@pytest.fixture
def people(client, make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    return alice, bob, carol, direct(client, alice, bob)


def test_a_png_is_stored_with_its_size_and_a_thumbnail(client, people):
    alice = people[0]
    meta = uploaded(client, alice, "../../etc/red.png", png_bytes())
    assert meta["mimeType"] == "image/png" and meta["name"] == "red.png"
    assert (meta["width"], meta["height"]) == (64, 48)
    assert meta["url"] == f"/api/files/{meta['id']}"
    served = client.get(meta["url"], headers=alice.headers)
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert int(served.headers["Content-Length"]) == meta["size"] == len(served.data)
    assert Image.open(io.BytesIO(served.data)).size == (64, 48)
    thumb = client.get(meta["thumbnailUrl"], headers=alice.headers)
    assert thumb.status_code == 200 and thumb.mimetype in ("image/png", "image/jpeg")
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 320


def test_jpeg_exif_and_gps_never_reach_the_reader(client, people):
    alice = people[0]
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)  # the test's own premise
    meta = uploaded(client, alice, "holiday.JPG", original)
    assert meta["mimeType"] == "image/jpeg"
    assert (meta["width"], meta["height"]) == (40, 80)  # orientation applied
    served = client.get(meta["url"], headers=alice.headers).data
    image = Image.open(io.BytesIO(served))
    assert image.getexif().get_ifd(GPS) == {}
    assert dict(image.getexif()) == {ExifTags.Base.Orientation: 6}  # kept: shown upright
    assert ImageOps.exif_transpose(image).size == (40, 80)
    assert b"LeakyCam" not in served and b"home" not in served
    assert image.tobytes() == Image.open(io.BytesIO(original)).tobytes()  # pixels untouched
    thumb = client.get(meta["thumbnailUrl"], headers=alice.headers).data
    assert b"Exif" not in thumb and b"LeakyCam" not in thumb


def test_pdf_and_text_are_accepted_by_their_bytes(client, people):
    alice = people[0]
    pdf = uploaded(client, alice, "invoice.bin", PDF)
    assert pdf["mimeType"] == "application/pdf" and pdf["thumbnailUrl"] is None
    served = client.get(pdf["url"], headers=alice.headers)
    assert served.data == PDF and served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"] == "inline; filename=invoice.bin"  # a new tab
    assert "sandbox" not in served.headers["Content-Security-Policy"]  # the PDF viewer may load
    note = "Grüße – notes ✓\nline two\n".encode()
    text = uploaded(client, alice, "notes.txt", note)
    assert text["mimeType"] == "text/plain" and text["size"] == len(note)
    served = client.get(text["url"], headers=alice.headers)
    assert served.data == note and served.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert client.get(f"{text['url']}/thumbnail", headers=alice.headers).status_code == 404


def test_office_documents_are_recognised_but_other_archives_are_not(client, people):
    alice = people[0]
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    meta = uploaded(client, alice, "cv.docx", docx.getvalue())
    assert meta["mimeType"].endswith("wordprocessingml.document")
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("payload.exe", EXE)
    assert upload(client, alice, ("cv.docx", plain.getvalue())).status_code == 415


@pytest.mark.parametrize(
    "name, body",
    [
        ("cat.png", EXE),
        ("photo.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("page.txt", b"<html><script>alert(1)</script></html>"),
        ("blob.txt", b"abc\x00def"),
        ("latin1.txt", "café".encode("latin-1")),
        ("empty.txt", b""),
    ],
)
def test_files_outside_the_allow_list_are_415(client, people, name, body):
    alice = people[0]
    response = upload(client, alice, ("fine.txt", b"ok"), (name, body))
    assert response.status_code == 415
    assert response.get_json()["code"] == "unsupported_media_type"


def test_ten_files_at_once_and_not_eleven(client, people):
    alice = people[0]
    files = [(f"n{i}.txt", f"note {i}".encode()) for i in range(10)]
    response = upload(client, alice, *files)
    assert response.status_code == 201
    assert [f["name"] for f in response.get_json()["files"]] == [n for n, _ in files]
    too_many = upload(client, alice, *files, ("n10.txt", b"one more"))
    assert too_many.status_code == 422 and "files" in too_many.get_json()["errors"]
    assert upload(client, alice).status_code == 422
    as_json = client.post("/api/upload/chat-files", json={"files": []}, headers=alice.headers)
    assert as_json.status_code == 415


class CountingStream(io.BytesIO):
    """The request body, remembering how much of it the server read."""

    consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def test_an_oversized_file_is_413_without_reading_the_rest(app, client, people):
    alice = people[0]
    limit = 64 * 1024
    app.config["LNK_SETTINGS"].max_upload_bytes = limit
    boundary = "lnkboundary"
    payload = b"x" * (4 * 1024 * 1024)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    stream = CountingStream(body)
    response = client.post(
        "/api/upload/chat-files",
        input_stream=stream,
        content_length=len(body),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=alice.headers,
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"
    assert stream.consumed < limit + 256 * 1024  # stopped at the limit, not at 4 MiB
    assert upload(client, alice, ("ok.txt", b"y" * limit)).status_code == 201


def test_audio_is_served_with_ranges(client, people):
    alice = people[0]
    audio = wav_bytes()
    meta = uploaded(client, alice, "voice.wav", audio)
    assert meta["mimeType"] == "audio/wav"
    part = client.get(meta["url"], headers={**alice.headers, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == audio[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(audio)}"
    assert part.headers["Accept-Ranges"] == "bytes"


def test_files_are_private_until_sent_in_a_conversation(client, people):
    alice, bob, carol, cid = people
    meta = uploaded(client, alice, "red.png", png_bytes())
    for user in (bob, carol):
        assert client.get(meta["url"], headers=user.headers).status_code == 404
        assert client.get(meta["thumbnailUrl"], headers=user.headers).status_code == 404
    sent = client.post(
        f"/api/conversations/{cid}/messages",
        json={"content": "look", "attachmentIds": [meta["id"]]},
        headers=alice.headers,
    )
    assert sent.status_code == 201
    message = sent.get_json()
    assert message["type"] == "media" and message["content"] == "look"
    assert [a["id"] for a in message["attachments"]] == [meta["id"]]
    assert client.get(meta["url"], headers=bob.headers).status_code == 200
    assert client.get(meta["thumbnailUrl"], headers=bob.headers).status_code == 200
    assert client.get(meta["url"], headers=carol.headers).status_code == 404
    assert client.get(f"/api/files/{'0' * 24}", headers=alice.headers).status_code == 404
    preview = client.get(f"/api/conversations/{cid}", headers=bob.headers).get_json()
    assert preview["lastMessage"]["preview"] == "📎 1 attachment: look"


def test_media_messages_attach_only_own_files_once(client, people):
    alice, bob, carol, cid = people
    mine = uploaded(client, alice, "a.txt", b"a")["id"]
    theirs = uploaded(client, bob, "b.txt", b"b")["id"]

    def send(ids, content=None):
        return client.post(
            f"/api/conversations/{cid}/messages",
            json={"content": content, "attachmentIds": ids},
            headers=alice.headers,
        )

    assert send([theirs]).status_code == 422
    assert send([mine, mine]).status_code == 422
    assert send([mine] * 11).status_code == 422
    only_file = send([mine])
    assert only_file.status_code == 201 and only_file.get_json()["content"] == ""


def test_location_messages_validate_coordinates(client, people):
    alice, bob, carol, cid = people
    url = f"/api/conversations/{cid}/messages/location"
    sent = client.post(
        url,
        json={
            "latitude": 52.52,
            "longitude": 13.405,
            "name": "Café",
            "address": "Unter den Linden 1",
        },
        headers=alice.headers,
    )
    assert sent.status_code == 201
    message = sent.get_json()
    assert message["type"] == "location"
    assert message["location"] == {
        "latitude": 52.52,
        "longitude": 13.405,
        "name": "Café",
        "address": "Unter den Linden 1",
    }
    assert (
        client.get(f"/api/conversations/{cid}", headers=bob.headers).get_json()["lastMessage"][
            "preview"
        ]
        == "📍 Café"
    )
    for body, field in (
        ({"latitude": 90.5, "longitude": 0}, "latitude"),
        ({"latitude": 0, "longitude": -180.01}, "longitude"),
        ({"latitude": "north", "longitude": 0}, "latitude"),
    ):
        response = client.post(url, json=body, headers=alice.headers)
        assert response.status_code == 422 and field in response.get_json()["errors"]
    edge = client.post(url, json={"latitude": -90, "longitude": 180}, headers=bob.headers)
    assert edge.status_code == 201
    assert (
        client.post(url, json={"latitude": 1, "longitude": 1}, headers=carol.headers).status_code
        == 404
    )
