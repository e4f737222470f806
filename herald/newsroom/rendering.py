"""Turning an article's body into what a given reader may see.

The body is split at the paywall break (or after the publication's preview
paragraphs when there is none). Gated text is rendered only for readers the gate
lets through; nothing below the cut is ever rendered for anyone else, so it
cannot leak through hidden markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from herald.core import keep

PREVIEW_CLASS = "article-preview"
GATED_CLASS = "paywall"  # CSS class of the gated part, named in JSON-LD hasPart.

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class BodyParts:
    """The blocks of a body split at the cut."""

    preview: list[Any]
    rest: list[Any]
    has_break: bool


def split_body(article: Any, *, preview_paragraphs: int = 3) -> BodyParts:
    """Split ``article.body`` at its paywall break, or after N paragraphs."""
    blocks = list(article.body)
    for i, block in enumerate(blocks):
        if block.block_type == "paywall":
            return BodyParts(blocks[:i], blocks[i + 1 :], True)
    count = 0
    for i, block in enumerate(blocks):
        if block.block_type == "paragraph":
            count += 1
            if count >= preview_paragraphs:
                return BodyParts(blocks[: i + 1], blocks[i + 1 :], False)
    return BodyParts(blocks, [], False)


def body_images(blocks: list[Any]) -> list[Any]:
    images = []
    for block in blocks:
        if block.block_type == "image":
            images.append(block.value.get("image"))
        elif block.block_type == "gallery":
            images.extend(item.get("image") for item in block.value.get("images", []))
    return [image for image in images if image is not None]


def _render_blocks(blocks: list[Any]) -> str:
    # One query for the renditions of every picture in the body, not one each.
    images = body_images(blocks)
    if images:
        prefetch_related_objects(images, "renditions")
    return "".join(str(block.render(context={})) for block in blocks)


def body_part_key(article: Any, preview_paragraphs: int, part: str) -> str:
    """The key under which ``core.keep`` keeps one part of the body."""
    return keep.rendering_key("body", article, preview_paragraphs, part)


def render_body_parts(
    article: Any,
    *,
    full: bool,
    preview_paragraphs: int = 3,
    request: Any = None,
    durable: bool = False,
) -> tuple[SafeString, SafeString | None]:
    """Return (preview_html, rest_html or None when ``full`` is False).

    The parts are rendered for nobody in particular (no request in their
    context), so ``core.keep`` may keep them for the live revision; the gate
    (``full``) decides which of them this reader gets, and the key names the
    part, so a kept gated part is only ever read when ``full`` is True.
    """
    parts: BodyParts | None = None

    def get_parts() -> BodyParts:
        nonlocal parts
        if parts is None:
            parts = split_body(article, preview_paragraphs=preview_paragraphs)
        return parts

    wanted = ("preview", "rest") if full else ("preview",)
    keys: dict[str, str] = {}
    if keep.may_keep(request, article):
        keys = {
            part: body_part_key(article, preview_paragraphs, part) for part in wanted
        }
    # One shared-cache round trip (and on a miss one query) for the parts this
    # reader gets; the article page has usually asked for them already.
    # ``durable``: the article's own page asks (its parts are kept in the
    # database too); lists of many articles (feeds) use the caches only.
    page = article if durable else None
    found = keep.get_many(list(keys.values()), page=page) if keys else {}
    made: dict[str, str] = {}
    since = keep.durable.begin(article) if durable and len(found) < len(keys) else None

    def part_html(part: str, blocks_of: Any) -> SafeString:
        key = keys.get(part)
        html = found.get(key) if key else None
        if html is None:
            html = _render_blocks(blocks_of(get_parts()))
            if key:
                made[key] = html
        return mark_safe(html)  # noqa: S308 - rendered by Wagtail's block templates

    preview = part_html("preview", lambda p: p.preview)
    rest = part_html("rest", lambda p: p.rest) if full else None
    keep.set_many(made, page=page, since=since)
    return preview, rest


def block_text(block: Any) -> str:
    """Plain text of one body block (for search, excerpts, reading time)."""
    kind = block.block_type
    value = block.value
    if kind == "paragraph":
        return strip_tags(value.source if hasattr(value, "source") else str(value))
    if kind == "heading":
        return value.get("text", "")
    if kind in ("blockquote", "pullquote"):
        return value.get("quote", "")
    if kind == "factbox":
        body = value.get("body")
        return f"{value.get('title', '')} {strip_tags(getattr(body, 'source', ''))}"
    if kind == "image":
        return value.get("caption", "") or ""
    return ""


_TAG = re.compile(r"<[^>]*>")


def raw_block_text(kind: str, value: Any) -> str:
    """Plain text of one body block as stored (the JSON of the StreamField).

    The same text as ``block_text``, read without building the block's value
    (rich text objects, images fetched from the database): what search snippets
    use to scan many articles. Stored rich text is well-formed HTML whose own
    ``<`` are escaped, so dropping every tag leaves the text, still escaped.
    """
    if kind == "paragraph":
        return _TAG.sub("", value) if isinstance(value, str) else ""
    if not isinstance(value, dict):
        return ""
    if kind == "heading":
        return str(value.get("text") or "")
    if kind in ("blockquote", "pullquote"):
        return str(value.get("quote") or "")
    if kind == "factbox":
        body = value.get("body")
        body_text = _TAG.sub("", body) if isinstance(body, str) else ""
        return f"{value.get('title', '')} {body_text}"
    if kind == "image":
        return str(value.get("caption") or "")
    return ""


def text_of(blocks: list[Any]) -> str:
    return _WS.sub(" ", unescape(" ".join(block_text(b) for b in blocks))).strip()


def public_text(article: Any, *, preview_paragraphs: int | None = None) -> str:
    """Text that every reader may see: all of a public article, else the preview.

    The preview is cut where the article's page cuts it: at the paywall break,
    else after the publication's preview paragraphs for the article's site,
    looked up when not given (the search index is built outside a request).
    """
    from herald.members.models import AccessLevel

    if article.access_level == AccessLevel.PUBLIC:
        return text_of(list(article.body))
    if preview_paragraphs is None:
        from .snippets import preview_length_of, preview_lengths

        preview_paragraphs = preview_length_of(article, preview_lengths())
    return text_of(split_body(article, preview_paragraphs=preview_paragraphs).preview)


def word_count(article: Any) -> int:
    return len(text_of(list(article.body)).split())


def reading_minutes(article: Any, request: Any = None) -> int:
    """Estimated reading time at 230 words a minute, at least one minute.

    Counting needs the text of every block, so the count is kept for the live
    revision like the rendered body.
    """
    if not keep.may_keep(request, article):
        return max(1, round(word_count(article) / 230))
    words = keep.get_or_build(
        keep.rendering_key("words", article), lambda: word_count(article), shared=True
    )
    return max(1, round(words / 230))


def excerpt(article: Any, length: int = 200) -> str:
    """A short public teaser: the dek, or the opening of the public text."""
    if article.dek:
        return article.dek
    text = text_of(split_body(article, preview_paragraphs=1).preview)
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
