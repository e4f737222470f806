"""Session rules that differ between the newsroom and readers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SEEN_KEY = "herald_staff_seen"
# Writing the session on every request would cost a query per click; a minute
# of slack on a half-hour timeout does not matter.
TOUCH_EVERY = 60


class StaffIdleTimeoutMiddleware:
    """End a newsroom session after ``HERALD_ADMIN_IDLE_TIMEOUT`` idle seconds.

    An unattended editor's browser is a way into unpublished stories and the
    members list, so staff sessions die when idle. Members' reader sessions keep
    Django's long cookie life: a reader's session opens nothing beyond their
    own account, and deleting it or changing its email asks for a fresh code.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_member_only:
            now = int(timezone.now().timestamp())
            seen = request.session.get(SEEN_KEY)
            timeout = int(settings.HERALD_ADMIN_IDLE_TIMEOUT)
            if isinstance(seen, int) and now - seen > timeout:
                # logout() flushes the session and makes request.user anonymous,
                # so the admin's own login_required sends the editor to sign in.
                logout(request)
            elif not isinstance(seen, int) or now - seen >= TOUCH_EVERY:
                request.session[SEEN_KEY] = now
        return self.get_response(request)
