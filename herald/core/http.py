"""The reader's network address, as every rate limit and lockout should see it."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    """``HERALD_TRUSTED_PROXIES`` as networks (a bare address is a /32 or /128)."""
    return _networks(tuple(getattr(settings, "HERALD_TRUSTED_PROXIES", ())))


def _address(value: str) -> Address | None:
    value = value.strip()
    # "[2001:db8::1]:443" and "203.0.113.9:1234" (some proxies append the port).
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """Return the address of the client that sent ``request``.

    ``X-Forwarded-For`` is read only when the direct peer (``REMOTE_ADDR``) is a
    trusted proxy, and then from the right: each trusted proxy appended the
    address it saw, so the first untrusted entry is the client. Anything to its
    left was written by the client and may be forged. A malformed entry stops
    the walk at the last address a trusted proxy vouched for.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return request.META.get("REMOTE_ADDR", "")[:64]
    networks = trusted_proxies()
    if not _is_trusted(peer, networks):
        return str(peer)
    client = peer
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(header.split(",")):
        hop = _address(entry)
        if hop is None:
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)
