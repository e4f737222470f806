"""Security headers: the reader CSP with a nonce on every response, the admin CSP,
and the headers Django's SecurityMiddleware does not set itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from .keep import is_preview

ADMIN_PREFIX = "/admin/"


# The Wagtail admin still ships inline scripts (inline panels, date pickers) and
# inline styles that carry no nonce, so it gets its own policy. Everything that
# is not needed is closed: no plugins, no <base>, no foreign scripts or styles,
# no framing by other sites, forms post only to us.
ADMIN_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        # blob: for previews of images being uploaded; https: for embeds' thumbnails.
        "img-src 'self' data: blob: https:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' https:",
        # The editor previews pages and embeds in frames.
        "frame-src 'self' https:",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


class NonceCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with a fresh nonce in every reader response.

    django-csp 4 only puts ``'nonce-…'`` in the header when a template read
    ``request.csp_nonce``. A page with no inline script would then get
    ``script-src 'self'`` only, and the policy would look different from page to
    page. Minting the nonce for every non-admin response keeps one policy
    everywhere: the header always names a nonce that differs per response.
    """

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        if not request.path_info.startswith(ADMIN_PREFIX):
            self._make_nonce(request)
        parts = super().get_policy_parts(request, response, report_only)
        if is_preview(request):
            # Wagtail renders a preview through the reader middleware with the
            # page's own path, and the admin shows it in an iframe of itself.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts


class SecurityHeadersMiddleware:
    """Permissions-Policy everywhere; the admin's own CSP and frame rule."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", settings.HERALD_PERMISSIONS_POLICY
        )
        if request.path_info.startswith(ADMIN_PREFIX):
            response.headers.setdefault("Content-Security-Policy", ADMIN_CSP)
            # The admin previews pages in an iframe of itself.
            if response.headers.get("X-Frame-Options") == "DENY":
                response.headers["X-Frame-Options"] = "SAMEORIGIN"
        elif is_preview(request) and "X-Frame-Options" in response.headers:
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response
