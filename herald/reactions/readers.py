"""Who a reader is for reactions: a member id or a signed anonymous cookie."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "herald_reader"
COOKIE_SALT = "herald.reactions.reader"
COOKIE_AGE = 365 * 24 * 3600


def reader_id(request: HttpRequest) -> str | None:
    """``m:<id>`` for a signed-in account, ``a:<uuid>`` from the cookie, or None."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"m:{user.pk}"
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT)
    if value:
        try:
            return f"a:{uuid.UUID(value)}"
        except ValueError:
            return None
    return None


def ensure_reader(request: HttpRequest) -> tuple[str, str | None]:
    """The reader id, and a new cookie value to set when there was none."""
    current = reader_id(request)
    if current is not None:
        return current, None
    new = str(uuid.uuid4())
    return f"a:{new}", new


def set_reader_cookie(response: HttpResponse, value: str) -> None:
    response.set_signed_cookie(
        COOKIE_NAME,
        value,
        salt=COOKIE_SALT,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
