"""Where kept entries live: this process (``caches["local"]``) and the shared cache.

Every key is scoped to the change generation (``changes.py``): local keys
carry it (``GenerationalLocMemCache.make_key``) and shared keys are built by
``shared_key``. No store outside this package sets its own version counter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache, caches

from . import durable
from .changes import generation
from .keys import renderer

ALIAS = "local"
_MISSING = object()
T = TypeVar("T")
# How long the shared cache keeps a rendering: a new generation leaves it
# behind sooner; this only bounds what an idle site holds.
SHARED_TTL = 60 * 60


def local() -> Any:
    return caches[ALIAS]


def _short(key: str) -> str:
    return key if len(key) <= 200 else "sha:" + hashlib.sha256(key.encode()).hexdigest()


def shared_key(key: str) -> str:
    """The shared-cache key of ``key`` under the current generation."""
    return f"herald:gen:{generation()}:{renderer()}:{_short(key)}"


def get_or_build(
    key: str,
    build: Callable[[], T],
    timeout: Any = None,
    *,
    keep_none: bool = True,
    shared: bool = False,
    page: Any = None,
) -> T:
    """The kept value of ``key`` (this process, then the database with
    ``page``, else the shared cache if ``shared``), built and kept on a miss.

    A None from ``build`` is kept too (a known answer) unless ``keep_none`` is
    false: lookups driven by arbitrary URLs must not let a scan of unknown paths
    push the hot entries out. ``timeout`` None is the local cache's default.
    """
    key = _short(key)
    store = local()
    value = store.get(key, _MISSING)
    if value is not _MISSING:
        return value  # type: ignore[no-any-return]
    if page is not None:
        # Kept in the database: the shared cache would only hold a second copy.
        value = durable.lookup([key]).get(key, _MISSING)
        if value is _MISSING:
            since = durable.begin(page)  # before ``build`` reads the rows
            value = build()
            durable.store(page, {key: value}, since=since)  # type: ignore[dict-item]
    elif shared:
        value = cache.get(shared_key(key), _MISSING)
    if value is _MISSING:
        value = build()
        if value is None and not keep_none:
            return value  # type: ignore[no-any-return]
        if shared:
            cache.set(shared_key(key), value, timeout or SHARED_TTL)
    _set_local({key: value}, timeout)
    return value  # type: ignore[no-any-return]


def _set_local(values: dict[str, Any], timeout: Any) -> None:
    if timeout is None:
        local().set_many(values)
    else:
        local().set_many(values, timeout)


def get_many(keys: list[str], *, page: Any = None) -> dict[str, Any]:
    """Values of ``keys`` from this process, else from the database (with
    ``page``: one query, ``durable``) or the shared cache (one round trip)."""
    store = local()
    short = {_short(k): k for k in keys}
    here = store.get_many(list(short))
    missing = [s for s in short if s not in here]
    if missing:
        if page is not None:
            got = durable.lookup(missing)
        else:
            shared = {shared_key(s): s for s in missing}
            got = {shared[k]: v for k, v in cache.get_many(list(shared)).items()}
        store.set_many(got)
        here.update(got)
    return {short[s]: v for s, v in here.items()}


def set_many(
    values: dict[str, Any],
    timeout: int = SHARED_TTL,
    *,
    page: Any = None,
    uses: Any = None,
    since: tuple[int, int] | None = None,
) -> None:
    """Keep ``values`` here, under the generation, and in the shared cache or,
    with ``page``, in the database with what they show (``durable.store``)."""
    if not values and uses is None:
        return
    short = {_short(k): v for k, v in values.items()}
    if page is not None:
        durable.store(page, short, uses=uses, since=since)
    if not short:
        return
    local().set_many(short)
    if page is None:
        cache.set_many({shared_key(k): v for k, v in short.items()}, timeout)
