"""Unit tests of the marketplace and files services' building blocks: exact prices, overlaps,
the expiry sweep's batching and exactly-once announcements, and type sniffing of formats the API
tests do not upload."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from lnk.domain.events import MessageUpdated
from lnk.domain.models import ServiceOffer
from lnk.domain.rules import overlaps
from lnk.errors import UnsupportedMediaType, ValidationFailed
from lnk.services.expiry import expire_due
from lnk.services.files import clean_name
from lnk.services.packages import parse_currency, parse_price
from lnk.services.sniffing import sniff
from lnk.store.base import NewMessage


@pytest.mark.parametrize(
    "raw, exact",
    [
        (19.99, "19.99"),
        ("19.9", "19.90"),
        (0, "0.00"),
        ("1e2", "100.00"),
        (0.1, "0.10"),
        (Decimal("5.5"), "5.50"),
        ("  7 ", "7.00"),
        ("19.900", "19.90"),
    ],
)
def test_prices_are_read_exactly(raw, exact):
    assert parse_price(raw) == Decimal(exact)
    assert str(parse_price(raw)) == exact


@pytest.mark.parametrize(
    "raw", [19.999, "0.001", -0.01, True, None, "NaN", "Infinity", "", "12e-3", [1]]
)
def test_bad_prices_are_422(raw):
    with pytest.raises(ValidationFailed):
        parse_price(raw)


def test_currencies_come_from_iso_4217():
    assert parse_currency(None) == "USD" and parse_currency(" jpy ") == "JPY"
    for code in ("EUR", "CHF", "XOF", "INR"):
        assert parse_currency(code) == code
    for code in ("ABC", "XTS", "EURO", "US"):
        with pytest.raises(ValidationFailed):
            parse_currency(code)


def test_back_to_back_bookings_do_not_overlap():
    t = datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert not overlaps(t, 60, t + timedelta(minutes=60), 30)
    assert overlaps(t, 60, t + timedelta(minutes=59), 30)
    assert overlaps(t + timedelta(minutes=10), 5, t, 60)


@pytest.mark.both_engines
def test_the_sweep_expires_everything_due_in_batches_and_announces_each_once(
    ctx, events, make_user, client
):
    alice, bob = make_user("alice"), make_user("bob")
    cid = client.post(
        "/api/conversations",
        json={"type": "direct", "participantIds": [bob.id]},
        headers=alice.headers,
    ).get_json()["id"]
    now = ctx.clock.now()
    ids = []
    for i in range(7):
        offer = ServiceOffer(
            "0" * 24,
            f"O{i}",
            "",
            Decimal("1.00"),
            "USD",
            30,
            None,
            "pending",
            now + timedelta(minutes=i),
        )
        ids.append(
            ctx.store.messages.append(
                NewMessage(cid, alice.id, "service_offer", service_offer=offer, preview="o"), now
            ).id
        )
    ctx.clock.advance(timedelta(minutes=5, seconds=1))  # six are due, the last is not
    events.clear()
    assert expire_due(ctx, batch=2) == 6
    assert expire_due(ctx, batch=2) == 0
    expired = [e.message.id for e in events.of_type(MessageUpdated)]
    assert sorted(expired) == sorted(ids[:6])
    assert ctx.store.messages.get(ids[6]).service_offer.status == "pending"
    assert expire_due(ctx, batch=2, max_batches=1) == 0


SAMPLES = {
    "audio/mpeg": b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 200,
    "audio/ogg": b"OggS\x00\x02" + b"\x00" * 200,
    "audio/flac": b"fLaC\x00\x00\x00\x22" + b"\x00" * 200,
    "audio/mp4": b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00" * 200,
    "video/mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200,
    "video/quicktime": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 200,
    "video/webm": bytes.fromhex("1A45DFA3") + b"\x00" * 200,
}


@pytest.mark.parametrize("mime", sorted(SAMPLES))
def test_audio_and_video_are_recognised_by_their_signatures(mime):
    assert sniff(io.BytesIO(SAMPLES[mime]), "whatever.bin") == mime


def test_legacy_office_files_need_an_office_extension():
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600
    assert sniff(io.BytesIO(ole), "report.DOC") == "application/msword"
    assert sniff(io.BytesIO(ole), "sheet.xls") == "application/vnd.ms-excel"
    with pytest.raises(UnsupportedMediaType):
        sniff(io.BytesIO(ole), "setup.msi")


def test_file_names_are_cleaned_for_display():
    assert clean_name("C:\\Users\\me\\photo.png") == "photo.png"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("bad\x00\nname.txt") == "badname.txt"
    assert clean_name("") == "file" and clean_name("...") == "file"
    assert len(clean_name("a" * 500 + ".pdf")) == 200
