"""Highlighted search snippets, built only from text every reader may see."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from herald.members.models import AccessLevel

from .rendering import block_text, raw_block_text, split_body

SNIPPET_LENGTH = 240
LEAD_IN = 80
_WORD = re.compile(r"\w+", re.UNICODE)
_WS = re.compile(r"\s+")


def query_terms(query: str) -> list[str]:
    """The words of ``query`` worth marking (longest first, so overlaps mark whole)."""
    terms = {t.lower() for t in _WORD.findall(query) if len(t) > 1}
    return sorted(terms, key=len, reverse=True)


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape ``text`` and wrap each occurrence of a term in ``<mark>``."""
    pattern = _pattern(terms)
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped just here
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
    pattern = _pattern(terms)
    if pattern is not None:
        found = pattern.search(text)
        if found and found.start() > LEAD_IN:
            start = text.rfind(" ", 0, found.start() - LEAD_IN) + 1
    end = start + length
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    piece = text[start:end].strip()
    return f"{'… ' if start else ''}{piece}{' …' if end < len(text) else ''}"


def preview_lengths() -> list[tuple[str, int]]:
    """(site root page path, preview paragraphs) of every site, deepest first.

    One query. The preview length is a per-site publication setting, and the
    search index and snippets must cut gated stories where the page does.
    """
    from .models import PublicationSettings

    rows = PublicationSettings.objects.values_list(
        "site__root_page__path", "preview_paragraphs"
    )
    return sorted(((p or "", n) for p, n in rows), key=lambda r: -len(r[0]))


def preview_length_of(article: Any, lengths: list[tuple[str, int]]) -> int:
    """The preview length of the site ``article`` lives on (``preview_lengths``)."""
    from .models import PublicationSettings

    path = getattr(article, "path", "") or ""
    for root, paragraphs in lengths:
        if root and path.startswith(root):
            return paragraphs
    # A site without settings yet gets the defaults when they are first read.
    default: int = PublicationSettings._meta.get_field("preview_paragraphs").default
    return default


def public_pieces(article: Any, *, preview_paragraphs: int) -> Iterator[str]:
    """The plain text of each block every reader may see, in order, one at a time.

    The blocks of ``rendering.public_text``: all of a public article, the
    preview (``preview_paragraphs`` long when there is no paywall break) of any
    other; joined with spaces they are that text. Gated blocks are never read.
    """
    if article.access_level == AccessLevel.PUBLIC:
        # The stored JSON: no block values built, no image looked up.
        texts = (
            raw_block_text(item.get("type", ""), item.get("value"))
            for item in article.body.raw_data
        )
    else:
        preview = split_body(article, preview_paragraphs=preview_paragraphs).preview
        texts = (block_text(block) for block in preview)
    for raw in texts:
        text = _WS.sub(" ", unescape(raw)).strip()
        if text:
            yield text


def _public_text_around_match(
    article: Any, pattern: re.Pattern[str] | None, *, preview_paragraphs: int
) -> tuple[str, bool]:
    """Public text up to a window past the first match, and whether it matched.

    Turning a block into plain text is the costly part of a snippet, so blocks
    are read only until the snippet's window is covered (one or two on a
    typical hit); without a match, all of them are.
    """
    text, matched = "", False
    for piece in public_pieces(article, preview_paragraphs=preview_paragraphs):
        text = f"{text} {piece}" if text else piece
        if pattern is None:
            if len(text) > SNIPPET_LENGTH:
                break
            continue
        found = pattern.search(text)
        if found is not None:
            matched = True
            # One character past the window, so excerpt() still sees there is more.
            if len(text) > found.start() + SNIPPET_LENGTH:
                break
    return text, matched


def search_snippet(
    article: Any, query: str, *, preview_paragraphs: int | None = None
) -> SafeString:
    """The snippet of ``article`` for ``query``: public text first, else the dek.

    Gated text is never read: only the blocks of ``public_text`` are, cut at
    ``preview_paragraphs`` (looked up for the article's site when not given).
    """
    if preview_paragraphs is None:
        preview_paragraphs = preview_length_of(article, preview_lengths())
    terms = query_terms(query)
    pattern = _pattern(terms)
    text, matched = _public_text_around_match(
        article, pattern, preview_paragraphs=preview_paragraphs
    )
    dek = getattr(article, "dek", "") or ""
    if pattern is not None and not matched and pattern.search(dek):
        text = dek
    return highlight(excerpt(text or dek, terms), terms)
