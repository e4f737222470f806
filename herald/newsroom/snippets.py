"""Highlighted search snippets, built only from text every reader may see."""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .rendering import public_text

SNIPPET_LENGTH = 240
LEAD_IN = 80
_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """The words of ``query`` worth marking (longest first, so overlaps mark whole)."""
    terms = {t.lower() for t in _WORD.findall(query) if len(t) > 1}
    return sorted(terms, key=len, reverse=True)


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape ``text`` and wrap each occurrence of a term in ``<mark>``."""
    if not terms:
        return mark_safe(escape(text))  # noqa: S308 - escaped just here
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, pos = [], 0
    for found in pattern.finditer(text):
        out.append(escape(text[pos : found.start()]))
        out.append(f"<mark>{escape(found.group())}</mark>")
        pos = found.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def excerpt(text: str, terms: list[str], *, length: int = SNIPPET_LENGTH) -> str:
    """A window of ``text`` around the first term found (or its start)."""
    start = 0
    if terms:
        pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
        found = pattern.search(text)
        if found and found.start() > LEAD_IN:
            start = text.rfind(" ", 0, found.start() - LEAD_IN) + 1
    end = start + length
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    piece = text[start:end].strip()
    return f"{'… ' if start else ''}{piece}{' …' if end < len(text) else ''}"


def search_snippet(article: Any, query: str) -> SafeString:
    """The snippet of ``article`` for ``query``: public text first, else the dek.

    Gated text is never read: ``public_text`` stops at the paywall break.
    """
    terms = query_terms(query)
    text = public_text(article)
    dek = getattr(article, "dek", "") or ""
    pattern = (
        re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
        if terms
        else None
    )
    if pattern and not pattern.search(text) and pattern.search(dek):
        text = dek
    return highlight(excerpt(text or dek, terms), terms)
