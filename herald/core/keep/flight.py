"""Build a missing kept value once per process, however many requests miss it.

When a kept rendering is missing (the first requests after a start, a new
generation, an expired entry), every request that arrives before the first
build has finished would build it too: with 16 connections on a large public
feed, 16 threads each render 30 stories under one GIL, and every reader waits
for all of them. ``once`` wraps a build for ``store.get_or_build`` so that one
thread builds while the others wait on a lock and then take what it kept.

    keep.get_or_build(key, once(key, build), timeout, shared=True)

Other processes still build their own copy unless the shared cache has it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from . import store

T = TypeVar("T")
_MISSING = object()
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()
MAX_LOCKS = 1000


def _lock_for(key: str) -> threading.Lock:
    with _guard:
        lock = _locks.get(key)
        if lock is None:
            if len(_locks) >= MAX_LOCKS:
                # Bounded; forgetting a lock at worst lets one more build run.
                _locks.clear()
            lock = _locks[key] = threading.Lock()
        return lock


def once(key: str, build: Callable[[], T]) -> Callable[[], T]:
    """``build``, run by one thread of this process at a time for ``key``; a
    thread that waited returns the value the first one kept, if it was kept."""
    short = store._short(key)

    def guarded() -> Any:
        with _lock_for(short):
            kept = store.local().get(short, _MISSING)
            if kept is not _MISSING:
                return kept
            return build()

    return guarded
