"""Links an editor types into settings: web addresses and site paths only.

A settings link ends up in ``href`` on every reader page. ``javascript:`` runs
script in the reader's session on click and ``data:`` opens attacker-made pages,
so only ``http(s)://`` URLs and paths on this site ("/about/") are accepted, and
templates drop anything else even from rows saved before the rule existed.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

# Browsers ignore ASCII tabs and newlines inside a URL and leading spaces and
# control characters, so "java\tscript:" still runs: judge the cleaned form.
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")
_web_url = URLValidator(schemes=["http", "https"])


def _cleaned(value: str) -> str:
    return _IGNORED_BY_BROWSERS.sub("", value)


def is_safe_link(value: object) -> bool:
    """True for an ``http(s)://`` URL or a path on this site."""
    if not isinstance(value, str) or not value.strip():
        return False
    cleaned = _cleaned(value)
    if cleaned != value.strip():
        return False  # hidden characters: not something an editor meant to type
    if cleaned.startswith("/"):
        # "//host" and "/\host" leave the site; a backslash counts as a slash.
        return not cleaned.startswith(("//", "/\\"))
    if not cleaned.lower().startswith(("http://", "https://")):
        return False
    try:
        _web_url(cleaned)
    except ValidationError:
        return False
    return True


def validate_link(value: str) -> None:
    """Model validator for settings links: ``http(s)://`` URLs or ``/paths``."""
    if value and not is_safe_link(value):
        raise ValidationError(
            _(
                "Enter a web address starting with https:// (or http://), "
                "or a path on this site starting with /."
            ),
            code="unsafe_link",
        )


def safe_link(value: object) -> str:
    """``value`` if it is a safe link, else an empty string (for ``href``)."""
    return value.strip() if is_safe_link(value) else ""  # type: ignore[union-attr]


def local_path(value: object, *, max_length: int = 500) -> str:
    """``value`` if it is a path on this site (for ``next``), else ``""``.

    Used for every "come back here afterwards" address a reader's browser
    carries through sign-in and checkout, so it can never send them off-site:
    no scheme or host, no "//host" or "/\\host", no hidden characters.
    """
    if not isinstance(value, str) or not value or len(value) > max_length:
        return ""
    if _cleaned(value) != value or "\\" in value:
        return ""
    if not value.startswith("/") or value.startswith("//"):
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=set()):
        return ""
    return value
