"""One time format per locale on every screen (real Chromium): the server (Babel) and the page
(``lnk.times``, Intl) print the same text for every display style, so a message rendered by the
server, a pushed one, the conversation list and the presence line all read alike: 12-hour in
en-US, 24-hour in en-GB."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import expect

from lnk.web.times import STYLES, time_text
from tests.browser.conftest import PHONE
from tests.browser.test_chat_browser import open_conversation, pair  # noqa: F401

pytestmark = pytest.mark.slow

NEW_YORK, BERLIN = "America/New_York", "Europe/Berlin"
CLOCK = {"en-US": re.compile(r"^\d{1,2}:\d\d [AP]M$"), "en-GB": re.compile(r"^\d\d:\d\d$")}
# Beyond en-US, en-GB, de-DE and fr-FR: locales where Babel 2.18 and Chromium were seen to agree.
LOCALES = ["en-US", "en-GB", "de-DE", "fr-FR", "en", "en-AU", "es-ES", "it-IT", "nl-NL", "pl-PL"]

_flask = Flask(__name__)


def server_text(instant: datetime, style: str, lang: str, zone: str, now: datetime) -> str:
    """What the server renders for a reader with that Accept-Language and ``tz`` cookie."""
    headers = {"Accept-Language": lang, "Cookie": f"tz={quote(zone, safe='')}"}
    with _flask.test_request_context("/", headers=headers):
        return time_text(instant, style, now)


def instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)


def cases() -> list[tuple[datetime, datetime]]:
    """(time, now): every month, small hours, noon and late evening (New York's midnight falls on
    other UTC days), read the same day, the next, within the week, later and another year."""
    pairs = []
    for month in range(1, 13):
        for hour, minute in ((4, 30), (12, 5), (17, 0), (23, 59)):
            at = datetime(2025, month, month + 2, hour, minute, tzinfo=UTC)
            for later in (timedelta(minutes=1), timedelta(days=1), timedelta(days=3),
                          timedelta(days=12), timedelta(days=400)):  # fmt: skip
                pairs.append((at, at + later))
    return pairs


@pytest.mark.parametrize("lang", LOCALES)
def test_the_page_formats_every_style_as_the_server_does(browser, live_server, lang):
    context = browser.new_context(locale=lang, timezone_id=NEW_YORK)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login")
        assert page.evaluate("document.documentElement.dataset.locale") == lang
        pairs = cases()
        shown = page.evaluate(
            """([pairs, styles]) => pairs.map(([at, now]) => styles.map(
                 (s) => window.lnk.times.format(new Date(at), s, new Date(now))))""",
            [[[a.isoformat(), n.isoformat()] for a, n in pairs], list(STYLES)],
        )
    finally:
        context.close()
    differ = [
        (at.isoformat(), now.isoformat(), style, text, expected)
        for (at, now), texts in zip(pairs, shown, strict=True)
        for style, text in zip(STYLES, texts, strict=True)
        if text != (expected := server_text(at, style, lang, NEW_YORK, now))
    ]
    assert not differ, differ[:10]
    assert len(pairs) * len(STYLES) == 2880


def _times(page) -> list[tuple[str, str, str]]:
    """(datetime, text, title) of every time in the open conversation's messages."""
    return page.eval_on_selector_all(
        "#messages time",
        "els => els.map(t => [t.getAttribute('datetime'), t.textContent, t.title])",
    )


def _check_page(page, lang: str, zone: str, conversation_id: str, ids: dict) -> dict[str, str]:
    """Every message time (server-rendered or pushed) and the list's time in the locale's clock,
    each exactly as the server renders it for this reader; the texts of the messages ``ids``."""
    for message_id in ids.values():
        expect(page.locator(f"#message-{message_id} .meta time")).to_have_text(CLOCK[lang])
    now = datetime.now(UTC)
    shown = _times(page)
    assert len(shown) >= len(ids)
    for stamp, text, title in shown:
        at = instant(stamp)
        assert CLOCK[lang].match(text), (lang, text)
        assert text == server_text(at, "time", lang, zone, now)
        if title:
            assert title == server_text(at, "weekday-datetime", lang, zone, now)
            assert CLOCK[lang].match(title.rsplit(", ", 1)[1]), title
    listed = page.locator(f"#conversation-{conversation_id} .conv-time")
    expect(listed).to_have_text(CLOCK[lang])
    stamp = listed.get_attribute("datetime")
    assert listed.text_content() == server_text(instant(stamp), "recent", lang, zone, now)
    expect(page.locator("#messages li.day").first).to_have_text("Today")
    return {
        key: page.locator(f"#message-{message_id} .meta time").text_content()
        for key, message_id in ids.items()
    }


def test_messages_list_and_presence_use_the_browsers_clock(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, _ = pair
    rendered = api.send(bob, conversation_id, "Rendered by the server")
    readers = {
        "en-US": (signed_in(alice, timezone_id=NEW_YORK, locale="en-US"), NEW_YORK),
        "en-GB": (signed_in(bob, timezone_id=BERLIN, locale="en-GB"), BERLIN),
    }
    for page, _zone in readers.values():
        open_conversation(page, conversation_id)
    pushed = api.send(bob, conversation_id, "Pushed to both pages")
    ids = {"rendered": rendered["id"], "pushed": pushed["id"]}
    shown = {}
    for lang, (page, zone) in readers.items():
        expect(page.locator(f"#message-{pushed['id']}")).to_be_visible()
        shown[lang] = _check_page(page, lang, zone, conversation_id, ids)

    # The pushed message reads the same once the server renders it (after a reload), and a
    # page rendered in another zone (a stale tz cookie) is shown in the browser's.
    alice_page = readers["en-US"][0]
    stale = {"name": "tz", "value": "Asia%2FTokyo", "domain": "127.0.0.1", "path": "/"}
    alice_page.context.add_cookies([stale])
    for rendered_in in ("Asia/Tokyo", NEW_YORK):
        alice_page.reload()
        assert alice_page.evaluate("document.documentElement.dataset.zone") == rendered_in
        assert _check_page(alice_page, "en-US", NEW_YORK, conversation_id, ids) == shown["en-US"]

    # Presence: "last seen" in the same clock as the messages, on each side.
    bob_page = readers["en-GB"][0]
    watching_alice = bob_page.locator("#conversation [data-presence-text]")
    expect(watching_alice).to_have_text("online")
    alice_page.close()
    expect(watching_alice).to_have_text(re.compile(r"^last seen \d\d:\d\d$"), timeout=20_000)

    alice_page = signed_in(alice, timezone_id=NEW_YORK, locale="en-US")
    open_conversation(alice_page, conversation_id)
    watching_bob = alice_page.locator("#conversation [data-presence-text]")
    expect(watching_bob).to_have_text("online")
    bob_page.close()
    expect(watching_bob).to_have_text(re.compile(r"^last seen \d{1,2}:\d\d [AP]M$"), timeout=20_000)


def test_a_booking_time_and_its_zone_fit_a_phone(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, package = pair
    day = (datetime.now(ZoneInfo(NEW_YORK)) + timedelta(days=400)).date()  # another year
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo(NEW_YORK))
    api.json(
        "POST",
        f"/api/conversations/{conversation_id}/messages/booking-request",
        bob,
        json={
            "servicePackageId": package["id"],
            "requestedStart": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
    page = signed_in(alice, PHONE, timezone_id=NEW_YORK, locale="en-US")
    open_conversation(page, conversation_id)
    when = page.locator(".card--booking dd").first
    expect(when).to_contain_text(re.compile(r", \d{4}, 10:00 AM America/New_York$"))
    overflowing = page.eval_on_selector(
        ".card--booking",
        """card => Array.from(card.querySelectorAll(".facts > div")).filter(
             e => e.getBoundingClientRect().right > card.getBoundingClientRect().right
           ).map(e => e.textContent)""",
    )
    assert overflowing == []
