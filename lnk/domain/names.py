"""What a name a person types may hold: display names, group titles, package titles and
location names and addresses.

Names are shown next to system lines and other people's names, so control and formatting
characters (Unicode ``Cc`` and ``Cf``: newlines, bidi overrides and isolates, zero-width
spaces) are refused rather than silently stored: a right-to-left override can turn "Bob" into
something that reads like a system notice. The exceptions are the characters emoji sequences
need: the zero-width joiner (family and profession emoji), the variation selectors (text vs.
emoji presentation; these are ``Mn``, listed for clarity) and the tag characters of subdivision
flags. Names are NFC-normalised and trimmed, so the same name typed on two keyboards is stored
the same way.
"""

from __future__ import annotations

import unicodedata

from lnk.errors import ValidationFailed

EMOJI_JOINERS = frozenset(
    {"\u200d", "\ufe0e", "\ufe0f"} | {chr(c) for c in range(0xE0020, 0xE0080)}
)


def refused_characters(text: str) -> list[str]:
    """The distinct characters of ``text`` a name may not hold, as ``U+XXXX`` labels."""
    seen: dict[str, None] = {}
    for ch in text:
        if ch in EMOJI_JOINERS:
            continue
        if unicodedata.category(ch) in ("Cc", "Cf"):
            seen.setdefault(f"U+{ord(ch):04X}", None)
    return list(seen)


def clean_name(text: str | None, field: str) -> str:
    """NFC-normalised and trimmed; a 422 on ``field`` for control or formatting characters."""
    value = unicodedata.normalize("NFC", text or "")
    bad = refused_characters(value)
    if bad:
        raise ValidationFailed.field(
            field, "must not contain control or formatting characters (" + ", ".join(bad[:5]) + ")"
        )
    return value.strip()


# A regular expression (ECMA 262 and Python ``re`` alike) matching exactly the names that
# ``refused_characters`` accepts: the same rule, for the JSON Schema of the API documents.
NAME_PATTERN = (
    "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f"
    "\\u0890-\\u0891\\u08e2\\u180e\\u200b-\\u200c\\u200e-\\u200f\\u202a-\\u202e"
    "\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001]*$"
)


def name_pattern_from_unicode() -> str:
    """``NAME_PATTERN`` computed from this Python's Unicode database (a test compares them; too
    slow to run at every start)."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x110000):
        ch = chr(code)
        if ch in EMOJI_JOINERS or unicodedata.category(ch) not in ("Cc", "Cf"):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))

    def char(code: int) -> str:  # BMP as \uXXXX; others literally (one code point in Python)
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    parts = [char(a) if a == b else f"{char(a)}-{char(b)}" for a, b in ranges]
    return "^[^" + "".join(parts) + "]*$"
