"""Times as the viewer reads them: in the viewer's zone (the browser's, from the ``tz`` cookie)
and locale (``lnk.web.locales``), by named display styles instead of strftime patterns.

``static/js/times.js`` formats the same style names with ``Intl.DateTimeFormat`` in the page's
``data-locale`` and the browser's zone, so a time rendered here and one re-labelled in the
browser (a pushed fragment is rendered in UTC) read the same. Each plain style is one CLDR
pattern that Babel and the browser's ICU both have (checked in tests/browser); the composite
styles are built from them the same way on both sides.

Plain styles (``Intl`` options in brackets):

- ``time``: the locale's short time, ``2:05 PM`` (en-US), ``14:05`` (en-GB, de) [timeStyle short]
- ``weekday`` / ``weekday-short``: ``Monday`` / ``Mon`` [weekday long / short]
- ``date``: ``Dec 3`` / ``3 Dec``, with the year when it is not this year [month short, day]
- ``weekday-date``: ``Wed, Dec 3`` / ``Wed 3 Dec``, likewise [weekday, month short, day]
- ``long-date``: ``December 3, 2025`` / ``3 December 2025`` [dateStyle long]
- ``day``: ``2025-12-03``, the locale-free key of the day separators

Composite styles: ``datetime`` (``date, time``), ``weekday-datetime`` (``weekday-date, time``),
``recent`` (the conversation list: the time today, the weekday this week, else the date),
``day-label`` (the day separators: Today, Yesterday, the weekday this week, else the long
date) and ``seen`` (presence: the time today, ``Mon 2:05 PM`` this week, else the date).

CLDR puts a narrow no-break space before ``AM``/``PM`` where browsers print a plain space (and
some a narrow one): both sides print a plain space.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_skeleton, format_time
from flask import current_app, g, has_app_context, request

from lnk.web.locales import viewer_locale

STYLES = (
    "time",
    "weekday",
    "weekday-short",
    "date",
    "weekday-date",
    "long-date",
    "day",
    "datetime",
    "weekday-datetime",
    "recent",
    "day-label",
    "seen",
)
WEEK_DAYS = 7  # within this many days back a weekday names the day unambiguously


def viewer_tz() -> ZoneInfo:
    """The browser's time zone, else UTC. The page script stores it URL-encoded in the ``tz``
    cookie (``America%2FNew_York``), so it is decoded here."""
    if "lnk_tz" not in g:
        g.lnk_tz = zone_named(unquote(request.cookies.get("tz") or ""))
    return g.lnk_tz


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone of that name, or UTC for an empty, unknown or malformed one."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def zone_label() -> str:
    """The viewer's zone as shown next to booking times: its IANA name (``America/New_York``)."""
    return getattr(viewer_tz(), "key", None) or "UTC"


def local(dt: datetime) -> datetime:
    return dt.astimezone(viewer_tz())


def time_text(dt: datetime | None, style: str, now: datetime | None = None) -> str:
    """``dt`` in the viewer's zone and locale, in one of ``STYLES`` (relative to ``now``, the
    app clock's by default, for the styles that depend on the day)."""
    if dt is None:
        return ""
    if style not in STYLES:
        raise ValueError(f"unknown time style {style!r}")
    here = local(dt)
    today = local(now or _now()).date()
    return _styled(here, style, (today - here.date()).days, here.year == today.year)


def _styled(here: datetime, style: str, days_ago: int, this_year: bool) -> str:
    locale = viewer_locale()
    this_week = 0 < days_ago < WEEK_DAYS
    if style == "time":
        text = format_time(here, "short", tzinfo=here.tzinfo, locale=locale)
    elif style == "weekday":
        text = format_date(here.date(), "cccc", locale=locale)
    elif style == "weekday-short":
        text = format_date(here.date(), "ccc", locale=locale)
    elif style in ("date", "weekday-date"):
        skeleton = ("" if this_year else "y") + ("MMMd" if style == "date" else "MMMEd")
        text = format_skeleton(skeleton, here, tzinfo=here.tzinfo, locale=locale)
    elif style == "long-date":
        text = format_date(here.date(), "long", locale=locale)
    elif style == "day":
        text = here.date().isoformat()
    else:
        return _composite(here, style, days_ago, this_year, this_week)
    return text.replace("\u202f", " ")


def _composite(here: datetime, style: str, days_ago: int, this_year: bool, week: bool) -> str:
    def part(name: str) -> str:
        return _styled(here, name, days_ago, this_year)

    if style == "datetime":
        return f"{part('date')}, {part('time')}"
    if style == "weekday-datetime":
        return f"{part('weekday-date')}, {part('time')}"
    if style == "recent":
        return part("time") if days_ago == 0 else part("weekday-short" if week else "date")
    if style == "day-label":
        if days_ago in (0, 1):
            return ("Today", "Yesterday")[days_ago]
        return part("weekday" if week else "long-date")
    # seen
    if days_ago == 0:
        return part("time")
    return f"{part('weekday-short')} {part('time')}" if week else part("date")


def _now() -> datetime:
    return current_app.extensions["lnk"].clock.now() if has_app_context() else datetime.now(UTC)


def day_label(dt: datetime, now: datetime) -> str:
    """The day separator's words: Today, Yesterday, a weekday this week, else the long date."""
    return time_text(dt, "day-label", now)


def short_time(dt: datetime | None, now: datetime | None = None) -> str:
    """The conversation list's time: the time today, a weekday this week, else a date."""
    return time_text(dt, "recent", now)
