"""Display styles of times (lnk/web/times.py) in the viewer's zone and locale, and the page's
``lang``/``data-locale`` that the browser formats with. tests/browser/test_times_browser.py
checks that Chromium's Intl prints the same text for the same styles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lnk.web.locales import locale_named, page_lang
from lnk.web.times import STYLES, time_text

AT = datetime(2025, 12, 3, 13, 5, tzinfo=UTC)  # Wednesday 14:05 in Berlin
BERLIN = {"Cookie": "tz=Europe%2FBerlin"}

# locale -> style -> text, read two hours later the same day
SAME_DAY = {
    "en-US": {
        "time": "2:05 PM",
        "weekday": "Wednesday",
        "weekday-short": "Wed",
        "date": "Dec 3",
        "weekday-date": "Wed, Dec 3",
        "long-date": "December 3, 2025",
        "day": "2025-12-03",
        "datetime": "Dec 3, 2:05 PM",
        "weekday-datetime": "Wed, Dec 3, 2:05 PM",
        "recent": "2:05 PM",
        "day-label": "Today",
        "seen": "2:05 PM",
    },
    "en-GB": {
        "time": "14:05",
        "weekday": "Wednesday",
        "weekday-short": "Wed",
        "date": "3 Dec",
        "weekday-date": "Wed 3 Dec",
        "long-date": "3 December 2025",
        "day": "2025-12-03",
        "datetime": "3 Dec, 14:05",
        "weekday-datetime": "Wed 3 Dec, 14:05",
        "recent": "14:05",
        "day-label": "Today",
        "seen": "14:05",
    },
    "de-DE": {
        "time": "14:05",
        "weekday": "Mittwoch",
        "weekday-short": "Mi",
        "date": "3. Dez.",
        "weekday-date": "Mi., 3. Dez.",
        "long-date": "3. Dezember 2025",
        "day": "2025-12-03",
        "datetime": "3. Dez., 14:05",
        "weekday-datetime": "Mi., 3. Dez., 14:05",
        "recent": "14:05",
        "day-label": "Today",
        "seen": "14:05",
    },
    "fr-FR": {
        "time": "14:05",
        "weekday": "mercredi",
        "weekday-short": "mer.",
        "date": "3 déc.",
        "weekday-date": "mer. 3 déc.",
        "long-date": "3 décembre 2025",
        "day": "2025-12-03",
        "datetime": "3 déc., 14:05",
        "weekday-datetime": "mer. 3 déc., 14:05",
        "recent": "14:05",
        "day-label": "Today",
        "seen": "14:05",
    },
}

# (locale, days later, style, text): the styles that depend on how long ago it was
RELATIVE = [
    ("en-US", 1, "recent", "Wed"),
    ("en-US", 1, "day-label", "Yesterday"),
    ("en-US", 1, "seen", "Wed 2:05 PM"),
    ("en-US", 3, "day-label", "Wednesday"),
    ("en-US", 10, "recent", "Dec 3"),
    ("en-US", 10, "day-label", "December 3, 2025"),
    ("en-US", 10, "seen", "Dec 3"),
    ("en-US", 40, "date", "Dec 3, 2025"),
    ("en-US", 40, "datetime", "Dec 3, 2025, 2:05 PM"),
    ("en-US", 40, "weekday-datetime", "Wed, Dec 3, 2025, 2:05 PM"),
    ("en-GB", 1, "seen", "Wed 14:05"),
    ("en-GB", 10, "seen", "3 Dec"),
    ("en-GB", 40, "recent", "3 Dec 2025"),
    ("en-GB", 40, "weekday-datetime", "Wed, 3 Dec 2025, 14:05"),
    ("de-DE", 2, "recent", "Mi"),
    ("de-DE", 2, "day-label", "Mittwoch"),
    ("de-DE", 40, "datetime", "3. Dez. 2025, 14:05"),
    ("fr-FR", 2, "seen", "mer. 14:05"),
    ("fr-FR", 40, "date", "3 déc. 2025"),
]


@pytest.mark.parametrize("lang", sorted(SAME_DAY))
def test_every_style_in_the_viewers_locale_and_zone(app, lang):
    assert set(SAME_DAY[lang]) == set(STYLES)
    with app.test_request_context("/", headers={**BERLIN, "Accept-Language": lang}):
        shown = {style: time_text(AT, style, AT + timedelta(hours=2)) for style in STYLES}
    assert shown == SAME_DAY[lang]


@pytest.mark.parametrize(("lang", "days", "style", "text"), RELATIVE)
def test_styles_relative_to_now(app, lang, days, style, text):
    with app.test_request_context("/", headers={**BERLIN, "Accept-Language": lang}):
        assert time_text(AT, style, AT + timedelta(days=days)) == text


def test_the_day_is_the_viewers_day(app):
    late = datetime(2025, 12, 3, 23, 30, tzinfo=UTC)  # already Thursday in Berlin
    with app.test_request_context("/", headers={**BERLIN, "Accept-Language": "en-GB"}):
        assert time_text(late, "day") == "2025-12-04"
        assert time_text(late, "weekday") == "Thursday"
        assert time_text(late, "day-label", late + timedelta(minutes=40)) == "Today"
    with app.test_request_context("/", headers={"Accept-Language": "en-GB"}):  # no cookie: UTC
        assert time_text(late, "day") == "2025-12-03"
        assert time_text(late, "day-label", late + timedelta(minutes=40)) == "Yesterday"


def test_no_narrow_space_no_time_and_no_unknown_style(app):
    with app.test_request_context("/", headers={"Accept-Language": "en-US"}):
        assert "\u202f" not in time_text(AT, "time")  # CLDR has one before PM; browsers a space
        assert time_text(None, "time") == ""
        with pytest.raises(ValueError):
            time_text(AT, "%H:%M")


def test_a_locale_formats_the_same_whatever_was_formatted_before(app):
    """Babel 2.18 writes aliases resolved for pt-PT into data pt-BR shares: pt-BR would print
    ``quarta`` instead of ``qua.`` for the rest of the process."""
    texts = []
    for lang in ("pt-BR", "pt-PT", "pt-BR"):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            texts.append(time_text(AT, "weekday-short"))
    assert texts == ["qua.", "quarta", "qua."]
    assert locale_named("EN-gb") is locale_named("en-GB")


@pytest.mark.parametrize(
    ("accept", "lang", "locale"),
    [
        ("en-GB,en;q=0.9", "en-GB", "en-GB"),
        ("de-DE,de;q=0.9,en;q=0.5", "en", "de-DE"),  # English words, German dates
        ("xx-YY, fr-FR;q=0.8", "en", "fr-FR"),  # the first language Babel knows
        ("", "en-US", "en-US"),
        ("*", "en-US", "en-US"),
    ],
)
def test_every_page_carries_its_language_locale_and_zone(client, accept, lang, locale):
    client.set_cookie("tz", "Europe%2FBerlin")
    for path in ("/login", "/no-such-page"):
        page = client.get(path, headers={"Accept-Language": accept}).text
        html = re.search(r"<html [^>]*>", page).group(0)
        assert f'lang="{lang}"' in html
        if path == "/login":
            assert html == f'<html lang="{lang}" data-locale="{locale}" data-zone="Europe/Berlin">'


def test_page_lang_outside_a_request_is_us_english():
    assert page_lang() == "en-US"


def test_no_template_or_script_formats_times_itself():
    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("templates/**/*.html"), *root.glob("static/js/*.js")]
    offenders = [
        str(p.relative_to(root))
        for p in sources
        if re.search(r"%-?[HMAaBbdYyIp]\b|local_time|toLocale(Time|Date)String", p.read_text())
    ]
    assert offenders == []
