"""Images over HTTP: refused from their headers when they would cost too much to decode (the
bombs are built here, a few bytes to a few KB each), stored byte for byte when they carry no
metadata, and stripped of metadata without their pixels changing when they do."""

from __future__ import annotations

import io
import struct
import threading
import zipfile
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, ImageOps

from lnk.workers import WorkerPool
from tests.api.test_uploads import upload, uploaded

GPS = ExifTags.IFD.GPSInfo
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# --- building files -------------------------------------------------------------------------


def saved(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def gradient(size=(96, 64)) -> Image.Image:
    image = Image.new("RGB", size)
    image.putdata(
        [(x * 2 % 256, y * 3 % 256, (x + y) % 256) for y in range(size[1]) for x in range(size[0])]
    )
    return image


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a canvas and carries almost no pixel data: only its header may be
    read before it is refused."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # RGBA
    idat = zlib.compress(b"\x00" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def gif_of_tiny_frames(width: int, height: int, frames: int) -> bytes:
    """A GIF with a ``width``×``height`` canvas and ``frames`` one-pixel frames (2.8 KB for
    120 frames): every frame is composed on the whole canvas when decoded."""
    head = (
        b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    )
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = (
        b"\x21\xf9\x04\x04\x0a\x00\x00\x00"  # graphic control: 100 ms
        + b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
        + b"\x02\x02\x44\x01\x00"  # LZW: clear, pixel 0, end
    )  # fmt: skip
    return head + loop + frame * frames + b"\x3b"


def jpeg_header_only(width: int, height: int) -> bytes:
    """A baseline JPEG frame header for a huge canvas, with an empty scan."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + sof + sos + b"\x00" * 16 + b"\xff\xd9"


def webp_canvas(width: int, height: int) -> bytes:
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    tiny = saved(Image.new("RGB", (4, 4)), "WEBP")[12:]
    body = b"WEBP" + vp8x + tiny
    return b"RIFF" + struct.pack("<I", len(body)) + body


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "LeakyCam"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(GPS).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)})
    return exif


def served(client, user, meta) -> bytes:
    response = client.get(meta["url"], headers=user.headers)
    assert response.status_code == 200
    return response.data


def pixels(data: bytes) -> list:
    """Every frame's decoded pixels."""
    with Image.open(io.BytesIO(data)) as image:
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(image.convert("RGBA").tobytes())
        return frames


@pytest.fixture
def alice(make_user):
    return make_user("alice")


# --- bombs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, body, limit",
    [
        ("tall.png", png_header_only(1, 39_000_000), "12000 pixels on each side"),
        ("wide.jpg", jpeg_header_only(13_000, 100), "12000 pixels on each side"),
        ("huge.png", png_header_only(7_000, 7_000), "40,000,000 pixels"),
        ("canvas.webp", webp_canvas(12_000, 12_000), "40,000,000 pixels"),
        ("flipbook.gif", gif_of_tiny_frames(10, 10, 201), "200 frames"),
        ("bomb.gif", gif_of_tiny_frames(2000, 2000, 120), "frames × width × height"),
    ],
)
def test_images_beyond_the_limits_are_413_from_their_headers(
    app, client, alice, tmp_path, name, body, limit
):
    assert len(body) < 5000  # a few KB
    response = upload(client, alice, (name, body))
    assert response.status_code == 413, response.get_json()
    problem = response.get_json()
    assert problem["code"] == "payload_too_large" and limit in problem["detail"]
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not any(uploads.rglob("*"))  # nothing stored


def test_a_document_archive_with_too_many_entries_is_413_before_its_directory_is_read(
    client, alice
):
    from lnk.services.sniffing import MAX_ARCHIVE_ENTRIES

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for i in range(MAX_ARCHIVE_ENTRIES - 2):  # exactly at the limit
            archive.writestr(f"p{i}", "")
    assert uploaded(client, alice, "big.docx", docx.getvalue())["size"] == len(docx.getvalue())
    with zipfile.ZipFile(docx, "a") as archive:
        archive.writestr("one-more", "")
    response = upload(client, alice, ("bigger.docx", docx.getvalue()))
    assert response.status_code == 413
    assert f"{MAX_ARCHIVE_ENTRIES:,} archive entries" in response.get_json()["detail"]


def test_images_at_the_limits_are_accepted(client, alice):
    frames = [Image.new("P", (100, 100), i) for i in range(200)]
    animation = saved(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=20)
    meta = uploaded(client, alice, "limit.gif", animation)
    assert (meta["width"], meta["height"]) == (100, 100)
    assert served(client, alice, meta) == animation


# --- byte for byte --------------------------------------------------------------------------

frames = [gradient().convert("P"), Image.new("P", (96, 64), 3), Image.new("P", (96, 64), 9)]
CLEAN = {
    "plain.png": saved(gradient(), "PNG"),
    "plain.jpg": saved(gradient(), "JPEG", quality=85),
    "progressive.jpg": saved(gradient(), "JPEG", progressive=True, icc_profile=SRGB),
    "profile.png": saved(gradient(), "PNG", icc_profile=SRGB),
    "plain.gif": saved(gradient().convert("P"), "GIF"),
    "animated.gif": saved(frames[0], "GIF", save_all=True, append_images=frames[1:], loop=0),
    "plain.webp": saved(gradient(), "WEBP", quality=80),
    "lossless.webp": saved(gradient().convert("RGBA"), "WEBP", lossless=True),
    "animated.webp": saved(
        gradient(), "WEBP", save_all=True, append_images=[Image.new("RGB", (96, 64))]
    ),
    "animated.png": saved(
        gradient(), "PNG", save_all=True, append_images=[Image.new("RGB", (96, 64))]
    ),
    "invoice.pdf": PDF,
}


@pytest.mark.both_engines
@pytest.mark.parametrize("name", sorted(CLEAN))
def test_files_without_metadata_come_back_byte_for_byte(client, alice, name):
    meta = uploaded(client, alice, name, CLEAN[name])
    assert meta["size"] == len(CLEAN[name])
    assert served(client, alice, meta) == CLEAN[name]


# --- metadata removed, pixels kept ----------------------------------------------------------


def test_a_jpeg_loses_gps_xmp_iptc_and_comments_but_keeps_pixels_profile_and_orientation(
    client, alice
):
    original = saved(
        gradient(), "JPEG", exif=exif_with_gps(orientation=6), comment=b"home", icc_profile=SRGB
    )
    xmp = jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>Berlin</x>")
    iptc = jpeg_segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04Berlin")
    original = original[:2] + xmp + iptc + original[2:]
    with Image.open(io.BytesIO(original)) as premise:  # what the test starts from
        assert premise.getexif().get_ifd(GPS) and premise.info.get("comment") == b"home"
    meta = uploaded(client, alice, "holiday.jpg", original)
    assert (meta["width"], meta["height"]) == (64, 96)  # as displayed: turned a quarter
    body = served(client, alice, meta)
    for secret in (b"LeakyCam", b"home", b"Berlin", b"xap/1.0", b"Photoshop"):
        assert secret not in body
    with Image.open(io.BytesIO(body)) as image:
        assert image.getexif().get_ifd(GPS) == {}
        assert dict(image.getexif()) == {ExifTags.Base.Orientation: 6}
        assert image.info["icc_profile"] == SRGB
        assert ImageOps.exif_transpose(image).size == (64, 96)
    assert pixels(body) == pixels(original)
    thumb = client.get(meta["thumbnailUrl"], headers=alice.headers).data
    with Image.open(io.BytesIO(thumb)) as small:
        assert small.width < small.height  # upright
        assert b"LeakyCam" not in thumb


def test_a_png_loses_text_time_and_exif_chunks_but_keeps_pixels_and_profile(client, alice):
    clean = saved(gradient(), "PNG", icc_profile=SRGB)
    extra = (
        png_chunk(b"tEXt", b"Author\x00Alice Example")
        + png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"at home"))
        + png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00<gps>52.5</gps>")
        + png_chunk(b"tIME", struct.pack(">HBBBBB", 2026, 12, 4, 10, 0, 0))
        + png_chunk(b"eXIf", exif_with_gps().tobytes())
    )
    at = 8 + 25  # after the signature and IHDR
    original = clean[:at] + extra + clean[at:]
    body = served(client, alice, uploaded(client, alice, "screen.png", original))
    assert body == clean  # exactly the file without the metadata chunks
    assert pixels(body) == pixels(original)


def test_a_webp_loses_exif_and_xmp_chunks_and_its_flags(client, alice):
    original = saved(gradient(), "WEBP", exif=exif_with_gps(), xmp=b"<x:xmpmeta>Berlin</x:xmpmeta>")
    assert b"EXIF" in original and b"XMP " in original
    body = served(client, alice, uploaded(client, alice, "shot.webp", original))
    assert b"EXIF" not in body and b"XMP " not in body and b"LeakyCam" not in body
    assert struct.unpack_from("<I", body, 4)[0] == len(body) - 8
    assert body[20] & 0x0C == 0  # VP8X: neither EXIF nor XMP announced
    assert pixels(body) == pixels(original)


def test_a_gif_loses_comments_and_xmp_but_keeps_its_frames(client, alice):
    clean = CLEAN["animated.gif"]
    comment = b"\x21\xfe\x08shot at \x04home\x00"
    xmp = b"\x21\xff\x0bXMP DataXMP\x06Berlin\x00"
    trailer = clean.rindex(b"\x3b")
    first = clean.index(b"\x21\xf9")
    original = clean[:first] + comment + xmp + clean[first:trailer] + comment + b"\x3b"
    body = served(client, alice, uploaded(client, alice, "loop.gif", original))
    assert body == clean
    assert pixels(body) == pixels(original)


# --- where the work runs --------------------------------------------------------------------


def test_a_jpeg_thumbnail_is_decoded_at_reduced_size(client, alice, monkeypatch):
    from PIL import JpegImagePlugin

    scales: list = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(self, mode, size):
        result = draft(self, mode, size)
        scales.append(result and result[1])
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    photo = saved(gradient((3000, 2000)), "JPEG", quality=90)
    meta = uploaded(client, alice, "camera.jpg", photo)
    assert (meta["width"], meta["height"]) == (3000, 2000)
    assert scales and scales[0] is not None  # libjpeg scaled the decode down
    assert served(client, alice, meta) == photo


def test_uploads_are_processed_in_the_worker_pool_and_refused_when_it_is_full(client, ctx, alice):
    """Sniffing, archive inspection and image work never run on the request's own thread: with
    the pool's one thread busy and no queue, an upload gets 503 and nothing is stored."""
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for i in range(3000):
            archive.writestr(f"word/media/part{i}.xml", "")
    ctx.workers = WorkerPool(threads=1, queue=0)
    release, started = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(10)

    holder = threading.Thread(target=ctx.workers.run, args=(hold,))
    holder.start()
    try:
        assert started.wait(10)
        for name, body in (("report.docx", docx.getvalue()), ("plain.png", CLEAN["plain.png"])):
            refused = upload(client, alice, (name, body))
            assert refused.status_code == 503
            assert refused.get_json()["code"] == "overloaded" and refused.headers["Retry-After"]
    finally:
        release.set()
        holder.join(10)
    meta = uploaded(client, alice, "report.docx", docx.getvalue())
    assert meta["mimeType"].endswith("wordprocessingml.document")
    ctx.workers.close()
