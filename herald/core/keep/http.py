"""What a response lets shared HTTP caches (nginx, a CDN) and browsers keep.

The HTTP side of ``policy.may_keep``: the same rules decide whether a response
may be kept by a shared cache, so no view or middleware writes a
``Cache-Control`` of its own.

- ``reader_page``: a page rendered with the request's reader in its context
  (articles, home, sections, authors, tags, search). Public for ``max_age``
  seconds only when ``policy.may_keep(request, neutral=False)`` (no preview, an
  anonymous reader without a metering pass) and the response is a plain 200
  that sets no cookie; otherwise private. ``Vary: Cookie`` either way.
- ``neutral``: a response made for nobody in particular (public feeds,
  sitemaps, robots.txt, oEmbed): public whoever asked.
- ``private``: a response for one reader (a member's feed, an account page, a
  personalised page): private, never shared; ``store=False`` also asks browsers
  not to store it.
- ``CookieGuardMiddleware``: whatever a view decided, a response that sets a
  cookie leaves Herald private.

nginx in front of Herald (``docs/deploy/nginx.conf``) caches exactly what is
marked public here and nothing else, and Herald purges the pages a publication
changes (``distribution.frontend_cache``).
"""

from __future__ import annotations

from typing import Any

from django.utils.cache import patch_cache_control, patch_vary_headers

from .policy import may_keep

# How long a shared cache or a browser may keep an anonymous reader page. nginx
# is also purged when an article is published, unpublished or corrected; the
# pages it is not purged for (other articles' related rails, listing pages
# after the first, author and tag pages) show a change within this time.
READER_MAX_AGE = 60

# Directives that let a shared cache keep a response.
_SHAREABLE = ("public", "s-maxage", "max-age", "immutable", "stale-while-revalidate")


def is_public(response: Any) -> bool:
    """Whether ``response`` may be kept by a shared cache (nginx, a CDN)."""
    directives = {
        part.strip().split("=", 1)[0].lower()
        for part in response.headers.get("Cache-Control", "").split(",")
    }
    return "public" in directives and not directives & {
        "private",
        "no-store",
        "no-cache",
    }


def reader_page(request: Any, response: Any, *, max_age: int = READER_MAX_AGE) -> Any:
    """Mark a reader page public (anonymous, no preview) or private (anyone else).

    Responses other than 200 are left as they are: with no ``Cache-Control``
    nginx keeps nothing (the shipped config sets no ``proxy_cache_valid``).
    """
    if response.status_code != 200:
        return response
    if may_keep(request, neutral=False) and not response.cookies:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        private(response)
    patch_vary_headers(response, ("Cookie",))
    return response


def neutral(response: Any, *, max_age: int) -> Any:
    """Mark a response made for nobody in particular public for ``max_age`` s."""
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def private(response: Any, *, store: bool = True) -> Any:
    """Keep ``response`` out of every shared cache, replacing any public marking."""
    current = response.headers.get("Cache-Control", "")
    kept = [
        part.strip()
        for part in current.split(",")
        if part.strip() and part.strip().split("=", 1)[0].lower() not in _SHAREABLE
    ]
    if kept != [p.strip() for p in current.split(",") if p.strip()]:
        response.headers["Cache-Control"] = ", ".join(kept)
        if not kept:
            del response.headers["Cache-Control"]
    if store:
        patch_cache_control(response, private=True, no_cache=True, max_age=0)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


class CookieGuardMiddleware:
    """The last word on a response leaving Herald: one that sets a cookie (the
    CSRF token of a form, a session, the meter) belongs to one reader and is
    never public, whatever the view decided before the cookie was added.

    Placed near the top of ``MIDDLEWARE`` so it sees the cookies that the
    session and CSRF middleware add on the way out.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if response.cookies and is_public(response):
            private(response)
        return response
