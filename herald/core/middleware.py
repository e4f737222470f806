"""Security headers that Django's SecurityMiddleware does not set itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# The Wagtail admin's editor still needs inline scripts and styles, so it gets a
# separate policy; reader pages get the strict nonce policy from django-csp.
ADMIN_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; "
    "font-src 'self' data:; connect-src 'self'; frame-src 'self' https:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", settings.HERALD_PERMISSIONS_POLICY
        )
        if request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", ADMIN_CSP)
            # The admin previews pages in an iframe of itself.
            if response.headers.get("X-Frame-Options") == "DENY":
                response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response
