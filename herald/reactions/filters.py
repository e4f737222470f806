"""The word filter: lines of words or phrases a moderator wants to see first."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _fold(text: str) -> str:
    """Lower-case, accents off, so "Café" and "cafe" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=32)
def _pattern(words_text: str) -> re.Pattern[str] | None:
    words = sorted(
        {" ".join(_fold(line).split()) for line in words_text.splitlines()} - {""},
        key=len,
        reverse=True,
    )
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def matched_word(text: str, words_text: str) -> str | None:
    """The first filtered word or phrase ``text`` contains (whole words), or None."""
    pattern = _pattern(words_text or "")
    if pattern is None:
        return None
    found = pattern.search(_fold(text))
    return " ".join(found.group(0).split()) if found else None
