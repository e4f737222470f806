"""The change generation: one shared number that every kept entry is scoped to.

Every reader request reads the same few things: the site for its host, the site
settings, the navigation, the page at its path, the parts of that page rendered
for nobody in particular. Kept in Redis they cost a network round trip and an
unpickling each (about a dozen per article request); kept here they cost a dict
lookup. What makes them safe to keep in each process is the **generation**, one
number in the shared cache:

- every key of the ``local`` cache (``caches["local"]``, a ``LocMemCache``)
  includes the current generation, so a new generation leaves every older entry
  unreachable (the LRU then drops them);
- the generation changes (``bump``) whenever what those entries are built from
  changes: a page, site, site setting, view restriction, redirect, author,
  image, tag, correction or tier is saved or deleted (publishing and
  unpublishing save the page), a page is moved, or a rendition is deleted or
  changed (``connect_signals``; apps add their models with ``watch``). It is
  bumped at once and again after the transaction commits, so an entry built
  from the old rows in between is dropped too;
- a request reads the generation once (``GenerationMiddleware``), and a process
  reuses what it read for up to ``HERALD_LOCAL_GENERATION_TTL`` seconds (one by
  default), so a warm page usually costs no round trip at all; a change made
  in another process shows here within that second. Outside a request (tasks,
  shells) it is read on every use.

Entries also expire (``TIMEOUT`` of the ``local`` cache, two minutes by default),
which bounds what a write that bypasses model signals (``QuerySet.update``) can
leave stale. If the shared cache is flushed, the next generation is a new random
number, never an earlier one.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

GENERATION_KEY = "herald:local-generation"

# None outside a request; inside one, a one-element list holding the generation
# once read (a list, so that a bump during the request can clear it).
_request_generation: ContextVar[list[int | None] | None] = ContextVar(
    "herald_request_generation", default=None
)


def _read_generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A flushed or new cache: start from a number no earlier generation used.
        cache.add(GENERATION_KEY, secrets.randbits(48), None)
        value = cache.get(GENERATION_KEY)
    return int(value) if value is not None else 0


# The generation this process read last, and until when (monotonic clock) a new
# request may use it without asking the shared cache again.
_recent: tuple[int, float] | None = None


def _read_for_request() -> int:
    """The generation for a new request: reused for ``HERALD_LOCAL_GENERATION_TTL``
    seconds (one second by default, 0 in the tests), so a busy process asks
    Redis about once a second rather than once a request. A change made in this
    process is seen at once (``bump`` forgets the copy); one made in another
    process is seen here within that time."""
    global _recent
    ttl = float(getattr(settings, "HERALD_LOCAL_GENERATION_TTL", 0) or 0)
    now = time.monotonic()
    recent = _recent
    if ttl > 0 and recent is not None and recent[1] > now:
        return recent[0]
    value = _read_generation()
    _recent = (value, now + ttl)
    return value


def generation() -> int:
    """The current generation (read at most once per request)."""
    slot = _request_generation.get()
    if slot is None:
        return _read_generation()
    if slot[0] is None:
        slot[0] = _read_for_request()
    return slot[0]


def _bump_now() -> None:
    global _recent
    _recent = None
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or flushed)
        cache.set(GENERATION_KEY, secrets.randbits(48), None)
    slot = _request_generation.get()
    if slot is not None:
        slot[0] = None


def bump() -> None:
    """Drop every process's local entries: now, and again after commit."""
    _bump_now()
    transaction.on_commit(_bump_now)


class GenerationalLocMemCache(LocMemCache):
    """Django's local-memory cache whose keys carry the current generation."""

    def make_key(self, key: str, version: int | None = None) -> str:
        return f"{generation()}:{key}"

    def validate_key(self, key: str) -> None:
        # Keys never leave the process, so memcached's key rules (checked one
        # character at a time on every call) do not apply; length is bounded
        # by get_or_build and by the fragment keys being hashes.
        return None


class GenerationMiddleware:
    """Read the generation at most once per request (first in the middleware list)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from . import durable

        token = _request_generation.set([None])
        stamps = durable.request_scope()
        try:
            return self.get_response(request)
        finally:
            durable.end_request_scope(stamps)
            _request_generation.reset(token)


def _on_change(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    if instance is None:
        _drop_durable(None)
        bump()
    elif isinstance(instance, _watched_models()):
        # The database's renderings are dropped first, so that the second
        # bump (after commit) also drops what was copied from them meanwhile.
        from django.db.models.signals import post_delete
        from wagtail.contrib.settings.models import BaseSiteSetting

        # Settings rows are made with their defaults on first use (``for_site``),
        # often during a view: what was rendered before used those defaults too.
        if not (kwargs.get("created") and isinstance(instance, BaseSiteSetting)):
            _drop_durable(instance, deleted=kwargs.get("signal") is post_delete)
        bump()


def _drop_durable(instance: Any, *, deleted: bool = False) -> None:
    """Drop the database's renderings that show ``instance`` (None: all)."""
    from wagtail.models import Page

    from . import durable

    if instance is None:
        durable.drop(None)
        return
    if isinstance(instance, Page):
        durable.drop_users_of(durable.PAGE_LABEL, [instance.pk], also=[instance.pk])
        if deleted:
            durable.forget_page(instance.pk)
        return
    for model, (used, pages) in _DURABLE_RULES.items():
        if isinstance(instance, model):
            also = pages(instance) if pages else ()
            if used:
                durable.drop_users_of(model._meta.label_lower, [instance.pk], also=also)
            elif pages:
                durable.drop(set(also))
            return
    # What nothing records (sites, settings, view restrictions, redirects, and
    # models watched without saying which pages show them): every page's.
    durable.drop(None)


def _on_rendition_change(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    # A new rendition changes no kept output (pages made before it used another
    # size or none); a rendition deleted or rewritten does: pages that show its
    # URL must be made again. Bumping on every new one would drop everything
    # kept each time a first view makes a picture size.
    if kwargs.get("raw") or kwargs.get("created"):
        return
    from wagtail.images import get_image_model

    from . import durable

    durable.drop_users_of(get_image_model()._meta.label_lower, [instance.image_id])
    bump()


def _on_move(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    # A move changes the URLs of the page and everything under it, which any
    # page may link to: every page's renderings go.
    _drop_durable(None)
    bump()


_WATCHED: tuple[type, ...] | None = None
_EXTRA_WATCHED: list[type] = []
# Per watched model: (pages record it as a use, function giving the pages it
# belongs to). Models without a rule drop every page's durable renderings.
_DURABLE_RULES: dict[type, tuple[bool, Callable[[Any], Any] | None]] = {}


def watch(
    *models: type,
    used_by_pages: bool = False,
    pages: Callable[[Any], Any] | None = None,
) -> None:
    """Also bump the generation when one of ``models`` is saved or deleted.

    For apps whose models feed reader pages (called from their ``ready``). The
    database's renderings (``durable``) of every page are dropped too, unless
    the app says which pages show an object: ``used_by_pages`` (pages record it
    among their uses) and/or ``pages`` (a function of the object giving the ids
    of the pages it belongs to, e.g. a correction's article).
    """
    global _WATCHED
    _EXTRA_WATCHED.extend(models)
    if used_by_pages or pages is not None:
        for model in models:
            _DURABLE_RULES[model] = (used_by_pages, pages)
    _WATCHED = None


def _watched_models() -> tuple[type, ...]:
    global _WATCHED
    if _WATCHED is None:
        from taggit.models import Tag
        from wagtail.contrib.redirects.models import Redirect
        from wagtail.contrib.settings.models import BaseSiteSetting
        from wagtail.images import get_image_model
        from wagtail.models import Page, PageViewRestriction, Site

        image_model = get_image_model()
        # Pages record the pictures and tags they show; a redirect shows in no
        # rendering (it only routes).
        _DURABLE_RULES.setdefault(image_model, (True, None))
        _DURABLE_RULES.setdefault(Tag, (True, None))
        _DURABLE_RULES.setdefault(Redirect, (False, lambda redirect: ()))
        _WATCHED = (
            Page,
            Site,
            BaseSiteSetting,
            PageViewRestriction,
            Redirect,
            Tag,
            get_image_model(),
            *_EXTRA_WATCHED,
        )
    return _WATCHED


def connect_signals() -> None:
    """Bump the generation when what local entries are built from changes."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import post_page_move

    # Publishing and unpublishing save the page (post_save); a move rewrites
    # the paths of the page's descendants without saving them.
    post_save.connect(_on_change, dispatch_uid="herald-localcache-save")
    post_delete.connect(_on_change, dispatch_uid="herald-localcache-delete")
    post_page_move.connect(_on_move, dispatch_uid="herald-localcache-moved")
    from wagtail.images import get_image_model

    rendition = get_image_model().get_rendition_model()
    for signal in (post_save, post_delete):
        signal.connect(
            _on_rendition_change,
            sender=rendition,
            dispatch_uid=f"herald-keep-rendition-{signal is post_save}",
        )
