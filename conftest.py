"""Test-wide setup: block the network except loopback; shared fixtures."""

from __future__ import annotations

import socket

import pytest

pytest_plugins = ["tests.fakes.stripe_fixtures"]

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6):
        if host not in ("127.0.0.1", "::1", "localhost") and not host.startswith(
            "127."
        ):
            raise OSError(f"Network access blocked in tests: {host}")
    return _real_connect(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
