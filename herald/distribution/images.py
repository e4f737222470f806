"""Renditions used by structured data, social cards and oEmbed thumbnails."""

from __future__ import annotations

import logging
from typing import Any

from .queries import ImageRef, SiteInfo

log = logging.getLogger("herald.distribution.images")

# Google wants 16:9, 4:3 and 1:1 crops of at least 50,000 px; Open Graph and X
# want 1200×630. Asking for all four at once costs one query.
SQUARE = "fill-1200x1200"
FOUR_THREE = "fill-1200x900"
WIDE = "fill-1200x675"
SOCIAL = "fill-1200x630"
HEAD_SPECS = (SQUARE, FOUR_THREE, WIDE, SOCIAL)
THUMBNAIL_WIDTHS = (1200, 600, 300, 150)


def renditions(
    image: Any, site: SiteInfo, specs: tuple[str, ...]
) -> dict[str, ImageRef]:
    """Absolute renditions of ``image`` by spec ({} when its file is unreadable)."""
    if image is None:
        return {}
    try:
        found = image.get_renditions(*specs)
    except Exception as exc:  # a missing original must not break the page
        log.warning("Image %s cannot be rendered: %s", getattr(image, "pk", None), exc)
        return {}
    alt = getattr(image, "description", "") or image.title
    return {
        spec: ImageRef(
            url=site.absolute(r.url), width=r.width, height=r.height, alt=alt
        )
        for spec, r in found.items()
    }


def thumbnail(image: Any, site: SiteInfo, *, maxwidth: int | None) -> ImageRef | None:
    """A 16:9 thumbnail no wider than ``maxwidth``."""
    width = next(
        (w for w in THUMBNAIL_WIDTHS if maxwidth is None or w <= maxwidth), None
    )
    if width is None:
        return None
    spec = f"fill-{width}x{width * 9 // 16}"
    ref = renditions(image, site, (spec,)).get(spec)
    if ref is not None and maxwidth is not None and ref.width > maxwidth:
        return None
    return ref
