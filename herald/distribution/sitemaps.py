"""Sitemaps: an index of paginated sitemaps, and the Google News sitemap.

The sitemap classes are Django's (``django.contrib.sitemaps.Sitemap``: items,
location, lastmod, ``limit`` and the paginator). The XML is written here as
plain strings from ``values_list`` rows, so a 10,000-URL page renders without
building model instances or a template context per URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any
from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.core.files.storage import default_storage
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.utils.timezone import get_current_timezone, localtime

from . import queries
from .queries import SiteInfo

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

# Well under the protocol's 50,000 URLs / 50 MB per file, so a page renders fast.
PAGE_SIZE = 10_000
NEWS_PAGE_SIZE = 1_000  # Google News reads at most 1,000 news:news per sitemap.

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def w3c(value: datetime | None, tz: tzinfo | None = None) -> str:
    """W3C datetime with the offset (in ``tz``, else the active time zone), or ''.

    A page of 10,000 URLs passes the zone in: looking the active one up per
    date took about half of the page's render time.
    """
    if value is None:
        return ""
    return localtime(value, tz).isoformat(timespec="seconds")


# No site has this many pages of any sitemap (10,000 URLs each). A larger
# number would overflow the database's 64-bit integers when turned into a key
# range or an OFFSET, so it is simply a page that does not exist.
MAX_PAGE = 1_000_000
_INTEGER = re.compile(r"-?[0-9]+")


def page_number(value: Any) -> int:
    """A sitemap page number from the URL: PageNotAnInteger or EmptyPage if bad."""
    text = str(value).strip()
    if not _INTEGER.fullmatch(text):
        raise PageNotAnInteger("not a number")
    # Checked on the digits: converting a 5,000-digit number is slow.
    if len(text.lstrip("-0")) > len(str(MAX_PAGE)):
        raise EmptyPage("out of range")
    number = int(text)
    if not 1 <= number <= MAX_PAGE:
        raise EmptyPage("out of range")
    return number


class HeraldSitemap(Sitemap):
    """A sitemap of ``values_list`` rows; subclasses say how a row maps to a URL."""

    name = ""
    limit = PAGE_SIZE
    lastmod_field = "last_published_at"

    def __init__(self, site: SiteInfo) -> None:
        self.site = site

    def location(self, item: Any) -> str:  # type: ignore[override]
        return self.site.absolute(self.site.path_of(item[0]))

    def lastmod(self, item: Any) -> datetime | None:
        return item[1]

    def images(self, item: Any) -> list[str]:
        return []

    def summary(self) -> tuple[int, datetime | None]:
        return queries.sitemap_summary(self.items(), self.lastmod_field)

    def num_pages_for(self, count: int) -> int:
        return max(1, -(-count // self.limit))

    def pages(self) -> list[tuple[int, datetime | None]]:
        """(page number, lastmod) of each page to list in the index (one query)."""
        count, latest = self.summary()
        if not count:
            return []  # an empty urlset is valid for Google but not for the XSD
        return [(page, latest) for page in range(1, self.num_pages_for(count) + 1)]

    def page_rows(self, number: Any) -> list[Any]:
        """Rows of page ``number`` (1-based); EmptyPage past the end.

        Slices the items directly: a sitemap page needs no COUNT(*) first.
        """
        number = page_number(number)
        limit = self.limit
        rows = list(self.items()[(number - 1) * limit : number * limit])
        if not rows and number > 1:
            raise EmptyPage("past the end")
        return rows


class ArticleSitemap(HeraldSitemap):
    """Stories paged by key range: page N holds keys (N - 1) × limit + 1 to N × limit.

    A page is an index range scan, not an OFFSET past every earlier story (the
    last of ten pages at 100,000 stories read them all), a story stays on its
    page for good (removing one does not shift every later story onto another
    page, so crawlers refetch only the page that changed), and each page in the
    index carries its own lastmod. Pages whose range holds no story are left out
    of the index.
    """

    name = "articles"

    def items(self) -> Any:
        return queries.sitemap_articles()

    def pages(self) -> list[tuple[int, datetime | None]]:
        return [
            (block + 1, latest)
            for block, _count, latest in queries.sitemap_article_blocks(self.limit)
        ]

    def page_rows(self, number: Any) -> list[Any]:
        number = page_number(number)
        first = (number - 1) * self.limit + 1
        rows = list(queries.sitemap_article_range(first, first + self.limit - 1))
        if not rows and number > 1:
            raise EmptyPage("no stories in this page's range")
        return rows

    def images(self, item: Any) -> list[str]:
        if not item[2]:
            return []
        return [self.site.absolute(default_storage.url(item[2]))]


class SectionSitemap(HeraldSitemap):
    name = "sections"

    def items(self) -> Any:
        return queries.sitemap_sections()


class StandardPageSitemap(HeraldSitemap):
    """About, Ethics, Corrections policy, Privacy, Contact and other such pages."""

    name = "pages"

    def items(self) -> Any:
        return queries.sitemap_standard_pages()


class AuthorSitemap(HeraldSitemap):
    name = "authors"
    lastmod_field = "lastmod"

    def items(self) -> Any:
        return queries.sitemap_authors()

    def location(self, item: Any) -> str:  # type: ignore[override]
        return self.site.absolute(f"/author/{item[0]}/")


class TagSitemap(HeraldSitemap):
    name = "tags"
    lastmod_field = "lastmod"

    def items(self) -> Any:
        return queries.sitemap_tags()

    def location(self, item: Any) -> str:  # type: ignore[override]
        return self.site.absolute(f"/tag/{item[0]}/")


SITEMAPS: dict[str, type[HeraldSitemap]] = {
    cls.name: cls
    for cls in (
        ArticleSitemap,
        SectionSitemap,
        StandardPageSitemap,
        AuthorSitemap,
        TagSitemap,
    )
}


def render_urlset(sitemap: HeraldSitemap, rows: Iterable[Any]) -> str:
    out = [
        XML_HEAD,
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:image="{IMAGE_NS}">\n',
    ]
    tz = get_current_timezone()
    for row in rows:
        out.append(f"<url><loc>{escape(sitemap.location(row))}</loc>")
        lastmod = w3c(sitemap.lastmod(row), tz)
        if lastmod:
            out.append(f"<lastmod>{lastmod}</lastmod>")
        for image in sitemap.images(row):
            out.append(
                f"<image:image><image:loc>{escape(image)}</image:loc></image:image>"
            )
        out.append("</url>\n")
    out.append("</urlset>\n")
    return "".join(out)


def render_index(entries: Iterable[tuple[str, datetime | None]]) -> str:
    out = [XML_HEAD, f'<sitemapindex xmlns="{SITEMAP_NS}">\n']
    for loc, lastmod in entries:
        out.append(f"<sitemap><loc>{escape(loc)}</loc>")
        if lastmod:
            out.append(f"<lastmod>{w3c(lastmod)}</lastmod>")
        out.append("</sitemap>\n")
    out.append("</sitemapindex>\n")
    return "".join(out)


def index_entries(site: SiteInfo) -> list[tuple[str, datetime | None]]:
    """Every sitemap page and news sitemap page (one query per sitemap)."""
    entries = []
    for name, cls in SITEMAPS.items():
        for page, latest in cls(site).pages():
            entries.append((site.absolute(f"/sitemap-{name}.xml?page={page}"), latest))
    news_count, news_latest = news_summary()
    for page in range(1, news_pages(news_count) + 1):
        entries.append((site.absolute(f"/sitemap-news.xml?page={page}"), news_latest))
    return entries


# --- Google News ------------------------------------------------------------------


def news_summary() -> tuple[int, datetime | None]:
    return queries.sitemap_summary(queries.news_articles(), "last_published_at")


def news_pages(count: int) -> int:
    return max(1, -(-count // NEWS_PAGE_SIZE))


def news_rows(page: int) -> list[Any]:
    page = page_number(page)
    start = (page - 1) * NEWS_PAGE_SIZE
    rows = list(queries.news_articles()[start : start + NEWS_PAGE_SIZE])
    if not rows and page > 1:
        raise EmptyPage("past the end")
    return rows


def render_news(site: SiteInfo, rows: Iterable[Any]) -> str:
    """A news sitemap: <news:news> per story (name and language from settings)."""
    name = escape(site.name)
    language = escape(site.language)
    out = [XML_HEAD, f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n']
    tz = get_current_timezone()
    for url_path, title, published in rows:
        loc = escape(site.absolute(site.path_of(url_path)))
        out.append(
            f"<url><loc>{loc}</loc><news:news><news:publication>"
            f"<news:name>{name}</news:name><news:language>{language}</news:language>"
            f"</news:publication><news:publication_date>{w3c(published, tz)}"
            f"</news:publication_date><news:title>{escape(title)}</news:title>"
            "</news:news></url>\n"
        )
    out.append("</urlset>\n")
    return "".join(out)


def render_robots(site: SiteInfo) -> str:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /account/",
        "Disallow: /feed/private/",
        "Disallow: /preview/",
        "Disallow: /*?preview",
        "",
        f"Sitemap: {site.absolute('/sitemap.xml')}",
        f"Sitemap: {site.absolute('/sitemap-news.xml')}",
        "",
    ]
    return "\n".join(lines)
