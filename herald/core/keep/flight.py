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
MAX_LOCKS = 1000


class _Flight:
    """One key's lock, and the value its last build handed to the threads
    that were waiting for it (dropped when the last of them has taken it)."""

    __slots__ = ("lock", "seq", "value", "waiting")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seq = 0
        self.value: Any = _MISSING
        self.waiting = 0


_flights: dict[str, _Flight] = {}
_guard = threading.Lock()


def _join(key: str) -> tuple[_Flight, int]:
    with _guard:
        flight = _flights.get(key)
        if flight is None:
            if len(_flights) >= MAX_LOCKS:
                # Bounded; forgetting a flight at worst lets one more build run.
                _flights.clear()
            flight = _flights[key] = _Flight()
        flight.waiting += 1
        return flight, flight.seq


def _leave(flight: _Flight) -> None:
    with _guard:
        flight.waiting -= 1
        if flight.waiting == 0:
            flight.value = _MISSING


def once(key: str, build: Callable[[], T]) -> Callable[[], T]:
    """``build``, run by one thread of this process at a time for ``key``; a
    thread that waited returns the value the thread before it built (handed
    over directly: the caller keeps it only after the lock is released)."""
    short = store._short(key)

    def guarded() -> Any:
        flight, seen = _join(short)
        try:
            with flight.lock:
                if flight.seq != seen and flight.value is not _MISSING:
                    return flight.value
                kept = store.local().get(short, _MISSING)
                if kept is not _MISSING:
                    return kept
                value = build()
                with _guard:
                    flight.seq += 1
                    flight.value = value if flight.waiting > 1 else _MISSING
                return value
        finally:
            _leave(flight)

    return guarded
