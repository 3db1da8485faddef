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
