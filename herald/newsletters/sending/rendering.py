"""Rendering a send: once per variant, then a cheap per-recipient substitution.

A send is rendered once for each *variant* of its recipients: ``full`` (the gate
lets them read the story) and ``preview`` (it does not: the preview parts and an
upgrade link, never the text below the cut). The article's body comes only
through ``newsroom.queries.article_body_for``, which asks
``members.access.can_read``. What differs per recipient (the unsubscribe and
preferences links, tracking links) is left as placeholders and filled in by
``personalise`` with plain string replacement.

The HTML is a 600 px table layout with its CSS inlined (``css-inline``), every
URL absolute, every image with ``alt`` and ``width``; the text part says the
same in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urljoin

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from herald.members.access import Reader, can_read

from .models import Send, SendKind, Variant

UNSUBSCRIBE = "%%herald-unsubscribe%%"
PREFERENCES = "%%herald-preferences%%"
OPEN_PIXEL = "%%herald-open%%"
CLICK = "%%herald-click%%"

_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
_ATTR_URL = re.compile(r'(?P<attr>\s(?:href|src))="(?P<url>/[^"/][^"]*|/)"')
_HREF = re.compile(r'href="(?P<url>https?://[^"]+)"')
_DROP = re.compile(
    r"<(script|iframe|form|object|embed)\b.*?</\1\s*>|<(script|iframe)\b[^>]*/?>",
    re.I | re.S,
)
_IMG = re.compile(r"<img\b(?P<attrs>[^>]*?)/?>", re.I)
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


@dataclass
class Rendering:
    """One variant of a send, ready for ``personalise``."""

    variant: str
    html: str
    text: str
    links: list[str] = field(default_factory=list)
    language: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "html": self.html,
            "text": self.text,
            "links": self.links,
            "language": self.language,
        }

    @classmethod
    def from_json(cls, variant: str, data: dict[str, Any]) -> Rendering:
        return cls(
            variant,
            data["html"],
            data["text"],
            list(data.get("links", [])),
            str(data.get("language") or ""),
        )


def base_url() -> str:
    return str(getattr(settings, "BASE_URL", "") or "http://localhost:8000").rstrip("/")


def absolute(url: str) -> str:
    """``url`` made absolute against the site's public address."""
    if not url:
        return url
    return urljoin(base_url() + "/", url)


def absolutize(html: str) -> str:
    """Make every site-relative ``href``/``src`` absolute."""
    return _ATTR_URL.sub(lambda m: f'{m["attr"]}="{absolute(m["url"])}"', html)


def _email_safe(html: str) -> str:
    """Drop what mail clients never run (scripts, frames, forms) and size images."""
    html = _DROP.sub("", html)

    def fix_img(match: re.Match[str]) -> str:
        attrs = match["attrs"]
        if " alt=" not in attrs:
            attrs += ' alt=""'
        if " width=" not in attrs:
            attrs += ' width="560"'
        if "style=" not in attrs:
            attrs += ' style="max-width:100%;height:auto"'
        return f"<img{attrs}>"

    return _IMG.sub(fix_img, html)


def variant_for(reader: Reader, send: Send) -> str:
    """Which rendering ``reader`` gets: the gate decides (``can_read``)."""
    if send.article is None:
        return Variant.FULL
    return Variant.FULL if can_read(reader, send.article) else Variant.PREVIEW


def _publication() -> Any:
    from wagtail.models import Site

    from herald.newsroom.models import PublicationSettings

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return PublicationSettings()
    return PublicationSettings.for_site(site)


def _hero(article: Any) -> dict[str, Any] | None:
    image = getattr(article, "hero_image", None)
    if image is None:
        return None
    rendition = image.get_rendition("width-1120")
    return {
        "url": absolute(rendition.url),
        "alt": image.description or image.title,
        "width": 560,
        "height": round(rendition.height * 560 / max(rendition.width, 1)),
        "credit": article.hero_credit or getattr(image, "credit", ""),
    }


def _story_context(send: Send, variant: str, reader: Reader) -> dict[str, Any]:
    from herald.newsroom.queries import article_body_for

    article = send.article
    publication = _publication()
    body = article_body_for(article, reader, publication=publication)
    # The variant was chosen with the same gate; they must agree, and a
    # preview must never carry the rest, whatever the caller passed.
    full = body.can_read and variant == Variant.FULL
    html = str(body.preview_html) + (str(body.rest_html or "") if full else "")
    return {
        "headline": article.title,
        "dek": article.dek,
        "story_url": absolute(article.url or ""),
        "hero": _hero(article),
        "body_html": mark_safe(_email_safe(absolutize(html))),  # noqa: S308 -- body blocks
        "gated": not full and body.is_gated,
        "upgrade_url": absolute(reverse("members:plans")),
    }


def _digest_context(send: Send) -> dict[str, Any]:
    from herald.newsroom.models import ArticlePage
    from herald.newsroom.rendering import excerpt

    ids = [int(i) for i in send.digest_articles]
    pages = {
        p.pk: p
        for p in ArticlePage.objects.live()
        .filter(pk__in=ids)
        .select_related("hero_image")
        .defer("body")
    }
    stories = [
        {
            "headline": p.title,
            "teaser": p.dek or excerpt(p),
            "url": absolute(p.url or ""),
            "gated": p.access_level != "public",
        }
        for p in (pages.get(i) for i in ids)
        if p is not None
    ]
    return {"stories": stories}


def render(send: Send, variant: str, *, reader: Reader) -> Rendering:
    """Render ``send`` for the recipients of ``variant`` (``reader`` is one of them).

    Site-wide text only; per-recipient links are placeholders (``personalise``).
    In the publication's language (``PublicationSettings.language``), whatever
    language the worker runs in.
    """
    publication = _publication()
    language = publication.language or settings.LANGUAGE_CODE
    with translation.override(language):
        return _render(send, variant, reader=reader, publication=publication)


def _render(send: Send, variant: str, *, reader: Reader, publication: Any) -> Rendering:
    language = translation.get_language()
    newsletter = send.newsletter
    context: dict[str, Any] = {
        "send": send,
        "newsletter": newsletter,
        "publication_name": publication.name,
        "postal_address": publication.postal_address,
        "site_url": base_url() + "/",
        "unsubscribe_url": UNSUBSCRIBE,
        "preferences_url": PREFERENCES,
        "open_pixel": OPEN_PIXEL if send.track_opens else "",
        "kind": send.kind,
        "LANGUAGE_CODE": language,
        "LANGUAGE_BIDI": translation.get_language_bidi(),
    }
    if send.kind == SendKind.STORY and send.article is not None:
        context.update(_story_context(send, variant, reader))
    elif send.kind == SendKind.DIGEST:
        context.update(_digest_context(send))
    else:
        context.update(
            {
                "headline": send.title or send.subject,
                "body_html": mark_safe(  # noqa: S308 - editor's rich text
                    _email_safe(absolutize(str(_richtext(send.body))))
                ),
            }
        )
    html = render_to_string("newsletters/email/issue.html", context)
    html = _INLINER.inline(absolutize(html))
    text = render_to_string("newsletters/email/issue.txt", context)
    text = _BLANK_LINES.sub("\n\n", unescape(text)).strip() + "\n"
    links: list[str] = []
    if send.track_clicks:
        html, links = _track_links(html)
    return Rendering(
        variant=variant, html=html, text=text, links=links, language=language
    )


def _richtext(value: str) -> str:
    from wagtail.rich_text import expand_db_html

    return expand_db_html(value or "")


def _track_links(html: str) -> tuple[str, list[str]]:
    """Point every web link through the click counter (``CLICK``/<n>)."""
    links: list[str] = []

    def swap(match: re.Match[str]) -> str:
        url = unescape(match["url"])
        if url in (UNSUBSCRIBE, PREFERENCES) or "%%herald-" in url:
            return match.group(0)
        links.append(url)
        return f'href="{CLICK}/{len(links) - 1}"'

    return _HREF.sub(swap, html), links


def personalise(
    rendering: Rendering,
    *,
    unsubscribe_url: str,
    preferences_url: str,
    tracking_base: str = "",
) -> tuple[str, str]:
    """The (html, text) of one recipient's email."""
    html = rendering.html.replace(UNSUBSCRIBE, unsubscribe_url).replace(
        PREFERENCES, preferences_url
    )
    text = rendering.text.replace(UNSUBSCRIBE, unsubscribe_url).replace(
        PREFERENCES, preferences_url
    )
    if tracking_base:
        html = html.replace(OPEN_PIXEL, f"{tracking_base}/open.gif").replace(
            CLICK, f"{tracking_base}/c"
        )
    else:
        html = html.replace(OPEN_PIXEL, "")
    return html, text


def text_from_html(html: str) -> str:
    return strip_tags(html)
