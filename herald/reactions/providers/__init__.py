"""The spam check in use, picked by ``HERALD_COMMENT_SPAM_CHECK`` (a dotted path)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import Candidate, SpamCheck, Verdict

DEFAULT = "herald.reactions.providers.heuristic.HeuristicSpamCheck"

__all__ = ["Candidate", "SpamCheck", "Verdict", "get_spam_check", "load"]


def load(path: str) -> SpamCheck:
    """Build the provider at ``path``; a wrong path fails loudly, never silently."""
    try:
        provider_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(
            f"HERALD_COMMENT_SPAM_CHECK: cannot import {path!r} ({error})."
        ) from error
    if not (isinstance(provider_class, type) and issubclass(provider_class, SpamCheck)):
        raise ImproperlyConfigured(
            f"HERALD_COMMENT_SPAM_CHECK: {path!r} is not a SpamCheck subclass."
        )
    return provider_class()


@cache
def _cached(path: str) -> SpamCheck:
    return load(path)


def get_spam_check() -> SpamCheck:
    return _cached(getattr(settings, "HERALD_COMMENT_SPAM_CHECK", DEFAULT))
