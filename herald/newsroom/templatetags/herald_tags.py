"""Template helpers for the reader site: responsive images, optional URLs, sharing."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.forms.utils import flatatt
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from wagtail.images.models import SourceImageIOError

from herald.core import keep

register = template.Library()
logger = logging.getLogger(__name__)

# Each preset is a list of Wagtail filter specs, narrowest first. Keeping the set
# small means few renditions per image, and all of them come with the prefetched
# ``renditions`` of a card (queries.with_cards), so rendering costs no query.
# ``fill`` crops around the image's focal point.
IMAGE_PRESETS: dict[str, list[str]] = {
    "card": [f"fill-{w}x{w * 9 // 16}|format-webp" for w in (400, 800, 1200)],
    "wide": [f"width-{w}|format-webp" for w in (400, 800, 1200)],
    "avatar": ["fill-96x96|format-webp", "fill-192x192|format-webp"],
    "logo": ["height-80|format-webp", "height-160|format-webp"],
}
DEFAULT_SIZES = {
    "card": "(min-width: 64em) 33vw, 100vw",
    "wide": "(min-width: 48em) 46rem, 100vw",
    "avatar": "48px",
    "logo": "(min-width: 48em) 360px, 70vw",
}


def _renditions(image: Any, preset: str) -> list[Any] | None:
    """The renditions of ``preset``, or None when the picture's file is gone."""
    try:
        found = image.get_renditions(*IMAGE_PRESETS[preset])
    except (SourceImageIOError, OSError, ValueError) as exc:
        # A missing or unreadable original must not break the page: the page is
        # shown without this picture.
        logger.warning("Image %s cannot be rendered: %s", image.pk, exc)
        return None
    return list(found.values())


@register.simple_tag
def responsive_image(
    image: Any,
    preset: str = "wide",
    *,
    alt: str | None = None,
    sizes: str | None = None,
    loading: str = "lazy",
    fetchpriority: str | None = None,
    css_class: str = "",
) -> SafeString:
    """An ``<img>`` with srcset, sizes, width and height; empty if it can't render.

    ``loading="eager"`` for the picture above the fold (never lazy-load the lead).
    """
    if not image:
        return mark_safe("")
    renditions = _renditions(image, preset)
    if not renditions:
        return mark_safe("")
    base = renditions[1] if len(renditions) > 2 else renditions[0]
    if preset == "avatar" or preset == "logo":
        base = renditions[0]
    attrs: dict[str, Any] = {
        "src": base.url,
        "width": base.width,
        "height": base.height,
        "alt": image.description if alt is None else alt,
        "decoding": "async",
    }
    if len(renditions) > 1:
        if preset in ("avatar", "logo"):
            attrs["srcset"] = ", ".join(
                f"{r.url} {i + 1}x" for i, r in enumerate(renditions)
            )
        else:
            attrs["srcset"] = ", ".join(f"{r.url} {r.width}w" for r in renditions)
            attrs["sizes"] = sizes or DEFAULT_SIZES.get(preset, "100vw")
    if loading == "lazy":
        attrs["loading"] = "lazy"
    if fetchpriority:
        attrs["fetchpriority"] = fetchpriority
    if css_class:
        attrs["class"] = css_class
    return format_html("<img{}>", flatatt(attrs))


@register.simple_tag
def image_ok(image: Any, preset: str = "wide") -> bool:
    """Whether ``image`` can be shown (its file exists), so a figure can be skipped."""
    return bool(image) and bool(_renditions(image, preset))


@register.simple_tag(takes_context=True)
def site_logo(context: Any, publication: Any) -> SafeString:
    """The publication's logo, with its dark-mode variant; cached, so no query.

    With a dark variant, a ``<picture>`` lets the browser fetch only the one
    that fits the reader's colour scheme. Without one, the logo carries the
    ``logo-plate`` class: in dark mode it sits on a light plate, so a dark
    wordmark never disappears into a dark page.
    """
    logo_id = getattr(publication, "logo_id", None)
    if not logo_id:
        return mark_safe("")
    dark_id = getattr(publication, "logo_dark_id", None)
    html = keep.get_or_build(
        f"logo:{logo_id}:{dark_id}:{publication.pk}",
        lambda: _logo_html(publication, dark_id),
        shared=True,
    )
    return mark_safe(html)  # noqa: S308 - built with format_html


def _logo_html(publication: Any, dark_id: int | None) -> str:
    light = str(
        responsive_image(
            publication.logo,
            "logo",
            alt=publication.name,
            loading="eager",
            css_class="logo" if dark_id else "logo logo-plate",
        )
    )
    dark = _renditions(publication.logo_dark, "logo") if dark_id else None
    if not light or not dark:
        if light and dark_id:  # the dark file is gone: fall back to the plate
            light = light.replace('class="logo"', 'class="logo logo-plate"')
        return light
    srcset = ", ".join(f"{r.url} {i + 1}x" for i, r in enumerate(dark))
    return str(
        format_html(
            '<picture><source media="screen and (prefers-color-scheme: dark)" '
            'srcset="{}" width="{}" height="{}">{}</picture>',
            srcset,
            dark[0].width,
            dark[0].height,
            mark_safe(light),  # noqa: S308 - built with format_html above
        )
    )


@register.simple_tag
def optional_url(*names: str, **kwargs: Any) -> str:
    """Reverse the first URL name that exists, or return "" when none does.

    Lets the reader templates link to views that other apps add later (sign-up,
    sign-in, plans) without breaking while those apps are absent.
    """
    key = (get_urlconf(), get_script_prefix(), names, tuple(sorted(kwargs.items())))
    url = _optional_urls.get(key)
    if url is None:
        url = ""
        for name in names:
            try:
                url = reverse(name, kwargs=kwargs or None)
                break
            except NoReverseMatch:
                continue
        if len(_optional_urls) < 256:  # the templates name a handful
            _optional_urls[key] = url
    return url


# URL patterns do not change while a process runs; the masthead asks for the
# same few on every page.
_optional_urls: dict[Any, str] = {}


@register.simple_tag(takes_context=True)
def public_url(context: Any, page: Any) -> str:
    """Absolute public URL of a page (the canonical override when one is set)."""
    override = getattr(page, "canonical_url", "")
    if override:
        return str(override)
    request = context.get("request")
    url = page.get_url(request)
    if url and url.startswith("/"):
        return settings.BASE_URL + url
    return url or ""


@register.simple_tag
def share_links(url: str, title: str) -> list[dict[str, str]]:
    """Plain share links (no third-party scripts), URL-encoded."""
    text = f"{title} {url}"
    return [
        {
            "network": "x",
            "label": "X",
            "href": "https://x.com/intent/post?"
            + urlencode({"url": url, "text": title}),
        },
        {
            "network": "facebook",
            "label": "Facebook",
            "href": "https://www.facebook.com/sharer/sharer.php?"
            + urlencode({"u": url}),
        },
        {
            "network": "linkedin",
            "label": "LinkedIn",
            "href": "https://www.linkedin.com/sharing/share-offsite/?"
            + urlencode({"url": url}),
        },
        {
            "network": "whatsapp",
            "label": "WhatsApp",
            "href": "https://wa.me/?" + urlencode({"text": text}),
        },
        {
            "network": "telegram",
            "label": "Telegram",
            "href": "https://t.me/share/url?" + urlencode({"url": url, "text": title}),
        },
        {
            "network": "email",
            "label": _("Email"),
            "href": f"mailto:?subject={quote(title)}&body={quote(text)}",
        },
    ]


@register.filter
def machine_datetime(value: Any) -> str:
    """``value`` for a ``<time datetime>``: ISO 8601 to the second, with its offset.

    The date filter's ``c`` keeps microseconds, which HTML does not allow (at
    most three digits of a fraction); readers never need less than a second.
    """
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return ""


@register.filter
def author_names(article: Any) -> list[Any]:
    """Authors of a card in byline order (uses the prefetched article_authors)."""
    return [aa.author for aa in article.article_authors.all()]


@register.simple_tag
def query_string(request: Any, **changes: Any) -> str:
    """The current query string with ``changes`` applied (None removes a key)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return "?" + encoded if encoded else "?"


# Aspect-ratio boxes the stylesheet reserves for embeds (no inline styles: the CSP
# forbids them), nearest first.
EMBED_RATIOS = (
    (16 / 9, "ratio-16x9"),
    (4 / 3, "ratio-4x3"),
    (1.0, "ratio-1x1"),
    (9 / 16, "ratio-9x16"),
)


@register.simple_tag
def embed_frame(embed_value: Any) -> dict[str, Any] | None:
    """The embed's HTML and a ratio class, or None when it cannot be shown.

    Fetching can fail in many ways (provider down, network blocked, unsupported
    URL, empty HTML); the template then shows a plain link instead.
    """
    if not embed_value or not getattr(embed_value, "url", ""):
        return None
    from wagtail.embeds.embeds import get_embed

    try:
        embed = get_embed(
            embed_value.url,
            getattr(embed_value, "max_width", None),
            getattr(embed_value, "max_height", None),
        )
        html = (embed.html or "").strip()
    except Exception as exc:  # noqa: BLE001 - any failure means "show the link"
        logger.info("Embed %s not shown: %s", embed_value.url, exc)
        return None
    if not html:
        return None
    ratio_class = "ratio-auto"
    if embed.width and embed.height and embed.type in ("video", "photo"):
        ratio = embed.width / embed.height
        ratio_class = min(EMBED_RATIOS, key=lambda r: abs(r[0] - ratio))[1]
    return {
        # The provider's markup, as Wagtail's own embed template outputs it.
        "html": mark_safe(html),  # noqa: S308
        "ratio_class": ratio_class,
        "type": embed.type,
    }
