"""Page routing that finds a whole URL path with one indexed query.

Wagtail routes ``/world/asia/some-story/`` by walking the tree: one query for
each level's child, plus one for each page's specific row, then two more for the
view restrictions of the page and its ancestors. Here the page is looked up by
its ``url_path`` (narrowed by the indexed slug) and the restrictions come from a
small cached list, with the same rules:

- only the last page must be live (as in Wagtail, which does not check the pages
  above it); drafts and unpublished pages answer 404;
- the found page's own ``route`` decides, so page types with sub-routes keep them;
- a path not found that way falls back to Wagtail's walk, so custom routes still
  answer and unknown paths get Wagtail's 404;
- private pages (view restrictions on the page or an ancestor) are enforced by
  Wagtail's ``check_view_restrictions`` hook, which asks ``get_view_restrictions``:
  the cached list only lets it skip the queries when no restriction can apply.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from wagtail.models import Page, PageViewRestriction

from herald.core import keep
from herald.core.prepared import PreparedQuery

_MISSED = "_herald_fast_route_missed"


def find_page(root: Page, path_components: list[str]) -> Page | None:
    """The specific page at ``path_components`` below ``root``, or None.

    Kept per process (``core.keep``) until any page changes: a copy of the
    page as loaded, so what one request does to its page never reaches the next.
    """
    url_path = root.url_path + "/".join(path_components) + "/"
    return keep.get_or_build(
        f"route:{url_path}",
        lambda: _load_page(url_path, path_components[-1]),
        keep_none=False,
    )


def _article_at(slug: str, url_path: str) -> QuerySet[Any]:
    from .models import ArticlePage

    # The body is read only when a part of it has to be rendered (its kept
    # parts usually serve the view): not parsed, and not copied with the kept
    # page. Ordered and limited as ``first()`` would.
    return (
        ArticlePage.objects.filter(slug=slug, url_path=url_path)
        .select_related("hero_image")
        .defer("body")
        .order_by("pk")[:1]
    )


# Compiled once per thread: every first view of an article runs it (compiling
# it cost seven times as much CPU as running it; docs/performance.md).
_ARTICLE_AT = PreparedQuery(_article_at, "slug", "url_path")


def _load_page(url_path: str, slug: str) -> Page | None:
    # Articles are most requests: try them first, specific in one query.
    article = _ARTICLE_AT.first(slug=slug, url_path=url_path)
    if article is not None:
        return article
    page = Page.objects.filter(slug=slug, url_path=url_path).first()
    return page.specific if page is not None else None


class FastRouteMixin:
    """Resolve a path below this page in one query; Wagtail's walk otherwise."""

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        if path_components and not getattr(request, _MISSED, False):
            page = find_page(self, path_components)  # type: ignore[arg-type]
            if page is not None:
                return page.route(request, [])
            # Walk as Wagtail does (custom sub-routes, or a 404), without trying
            # the direct lookup again at every level.
            setattr(request, _MISSED, True)
        return super().route(request, path_components)  # type: ignore[misc]

    def get_view_restrictions(self) -> Any:
        paths, has_aliases = restricted_paths()
        page_path: str = self.path  # type: ignore[attr-defined]
        if not has_aliases and not any(page_path.startswith(p) for p in paths):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()  # type: ignore[misc]


def restricted_paths() -> tuple[tuple[str, ...], bool]:
    """Tree paths of pages with view restrictions, and whether any alias exists.

    With aliases, restrictions follow the alias's source page, which a path
    prefix cannot tell, so Wagtail's own lookup is used then.
    """
    return keep.get_or_build("restricted-paths", _restricted_paths, shared=True)


def _restricted_paths() -> tuple[tuple[str, ...], bool]:
    paths = tuple(
        sorted(set(PageViewRestriction.objects.values_list("page__path", flat=True)))
    )
    has_aliases = Page.objects.filter(alias_of__isnull=False).exists()
    return paths, has_aliases
