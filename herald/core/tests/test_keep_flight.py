"""core.keep.flight: a missing kept value is built once per process."""

from __future__ import annotations

import contextlib
import threading
import time

from herald.core import keep
from herald.core.keep import flight as flight_module
from herald.core.keep import store
from herald.core.keep.flight import once


def _flights_of(key: str):  # type: ignore[no-untyped-def]
    short = store._short(key)
    return lambda: flight_module._flights.get(short)


def test_threads_that_miss_together_build_once_and_share_the_copy():
    builds: list[int] = []
    release = threading.Event()
    key = keep.rendering_key("test-flight", None, "/feed/")

    def build() -> str:
        builds.append(1)
        release.wait(10)  # hold the first build while the others arrive
        return "<rss>kept</rss>"

    got: list[str] = []

    def reader() -> None:
        got.append(keep.get_or_build(key, once(key, build), 60))

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    # Let the first build go once all eight wait on it (a thread that arrives
    # after it has been kept finds the kept copy; that is another test).
    flight = _flights_of(key)
    deadline = time.monotonic() + 10
    while (flight() is None or flight().waiting < 8) and time.monotonic() < deadline:
        time.sleep(0.001)
    release.set()
    for thread in threads:
        thread.join(10)

    assert builds == [1]
    assert got == ["<rss>kept</rss>"] * 8


def test_a_build_that_fails_lets_the_next_request_build_again():
    key = keep.rendering_key("test-flight", None, "/broken/")
    calls: list[int] = []

    def broken() -> str:
        calls.append(1)
        raise LookupError("no such section")

    for _ in range(2):
        with contextlib.suppress(LookupError):
            keep.get_or_build(key, once(key, broken), 60)

    assert calls == [1, 1]
