"""Sign-in hardening shared by every login form (django-axes hooks)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Return the account a login attempt aims at, as django-axes should count it.

    Staff may type ``Admin``, ``admin`` or ``admin@example.org`` for the same
    account; counting failures per typed string would give an attacker five
    tries per spelling. Known short forms count against the account's email.
    """
    if credentials and "username" in credentials:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "POST", {}).get("username")
    name = str(raw or "").strip().lower()
    if not name or "@" in name:
        return name
    manager = get_user_model()._default_manager
    try:
        user = manager.get_by_natural_key(name)
    except (ObjectDoesNotExist, MultipleObjectsReturned):
        return name
    return str(user.email).lower()
