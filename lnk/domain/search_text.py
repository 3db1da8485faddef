"""The one tokeniser of message search: what both engines index and what a query looks for.

A word is a run of letters and digits (``_`` and punctuation separate words) of the text folded:
compatibility-decomposed, case-folded and stripped of accents, so ``Café``, ``CAFÉ`` and ``cafe``
are the same word and ``Straße`` is ``strasse``. A query term matches every word it starts.
Both engines index exactly ``words(text)`` and look up exactly ``terms(...)``, so the same
search finds the same messages whichever engine stores them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 8


def fold(text: str) -> str:
    """Compatibility-decomposed, case-folded, without combining marks (accents)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The index keys of a text: its folded words, sorted, each once."""
    return sorted(set(_WORD.findall(fold(text or ""))))


def query_terms(q: str) -> list[str]:
    """The terms of a search box's text: its folded words in order, each once, at most
    ``MAX_TERMS``."""
    return list(dict.fromkeys(_WORD.findall(fold(q or ""))))[:MAX_TERMS]


def terms(given: Iterable[str]) -> list[str]:
    """Terms handed to a store, normalised again (a term may split, e.g. around ``_``)."""
    return list(dict.fromkeys(w for term in given for w in _WORD.findall(fold(term))))
