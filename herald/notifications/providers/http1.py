"""A small HTTP/1.1 client for POSTing push messages over kept-alive connections.

Web Push sends one small POST per subscriber, a breaking push hundreds of
thousands of them, to a handful of push service origins. A general client
(aiohttp) spends about four times the CPU of this one per request on features
a push never uses (cookies, redirects, proxies, compression, tracing), which
at that volume is the difference between a minute and two. This one does what
a push needs and nothing else: ``POST`` with a body of known length over
HTTP/1.1 (TLS for https), the answer's status and headers (a body of any
framing is read and dropped), and connections kept per origin for reuse.

A request that fails or is cancelled (a timeout) closes its connection: a
connection goes back to the pool only after a whole answer was read.
"""

from __future__ import annotations

import asyncio
import functools
import re
import ssl
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


class ProtocolError(Exception):
    """The push service's answer was not HTTP/1.1 this client can read."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case


@dataclass(frozen=True)
class Target:
    """Where a URL's request goes: the connection's origin and the request line."""

    scheme: str
    host: str
    port: int
    authority: str  # the Host header
    path: str  # path and query, percent-encoded

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


# Bytes a request target may carry as they are; anything else is %-encoded
# (a target with a space or a line break would break the request).
_SAFE = "/:@!$&'()*+,;=-._~%?"


_PLAIN_PATH = re.compile(r"/[A-Za-z0-9/:@!$&'()*+,;=\-._~%?]*")


def target(url: str) -> Target:
    """Split an http(s) URL; ValueError for any other."""
    # The endpoints of a push service share their origin: parse that once and
    # take a path of plain characters as it is.
    slash = url.find("/", url.find("://") + 3)
    if slash > 0 and _PLAIN_PATH.fullmatch(url, slash):
        base = _origin(url[:slash])
        return Target(base.scheme, base.host, base.port, base.authority, url[slash:])
    return _target(url)


@functools.lru_cache(maxsize=64)
def _origin(origin: str) -> Target:
    return _target(origin)


def _target(url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url[:80]!r}")
    host = parts.hostname.encode("idna").decode("ascii")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    authority = parts.netloc.rpartition("@")[2]
    path = quote(parts.path or "/", safe=_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_SAFE)
    return Target(parts.scheme, host, port, authority, path)


class _Connection:
    __slots__ = ("reader", "writer", "idle_since")

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def usable(self, now: float, keepalive: float) -> bool:
        # A connection the server closed while idle has seen EOF by now (the
        # loop runs all the time), so it is not reused.
        return (
            now - self.idle_since < keepalive
            and not self.reader.at_eof()
            and not self.writer.is_closing()
        )

    def close(self) -> None:
        self.writer.close()


class Client:
    """Connections per origin, reused while idle for less than ``keepalive``."""

    def __init__(
        self,
        *,
        keepalive: float = 30.0,
        max_idle: int = 256,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.keepalive = keepalive
        self.max_idle = max_idle
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        # The system's trusted CAs, host names checked (a test may pass its own).
        self._ssl = ssl_context

    async def _connect(self, to: Target) -> _Connection:
        context = None
        if to.scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        reader, writer = await asyncio.open_connection(
            to.host,
            to.port,
            ssl=context,
            server_hostname=to.host if context else None,
        )
        return _Connection(reader, writer)

    def _take(self, to: Target, now: float) -> _Connection | None:
        idle = self._idle.get(to.origin)
        while idle:
            connection = idle.pop()
            if connection.usable(now, self.keepalive):
                return connection
            connection.close()
        return None

    def _give_back(self, to: Target, connection: _Connection, now: float) -> None:
        idle = self._idle.setdefault(to.origin, [])
        if len(idle) >= self.max_idle:
            connection.close()
            return
        connection.idle_since = now
        idle.append(connection)

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Response:
        """POST ``body`` to ``url``; the answer's status and headers.

        Raises ValueError for a URL that is not http(s), OSError when the
        server cannot be reached, ProtocolError for an answer that is not
        HTTP/1.1.
        """
        to = target(url)
        loop = asyncio.get_running_loop()
        head = [f"POST {to.path} HTTP/1.1", f"Host: {to.authority}"]
        for name, value in headers.items():
            if "\r" in value or "\n" in value:
                raise ValueError(f"line break in header {name}")
            head.append(f"{name}: {value}")
        head.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        connection = self._take(to, loop.time()) or await self._connect(to)
        try:
            connection.writer.write(request)
            response, keep = await _read_response(connection.reader)
        except BaseException:
            # Half a request or half an answer: the connection cannot be reused.
            connection.close()
            raise
        if keep:
            self._give_back(to, connection, loop.time())
        else:
            connection.close()
        return response

    def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


async def _read_response(reader: asyncio.StreamReader) -> tuple[Response, bool]:
    """The answer, and whether its connection may be reused."""
    try:
        while True:
            raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            version, _, rest = lines[0].partition(" ")
            code = rest[:3]
            if not version.startswith("HTTP/1.") or not code.isdigit():
                raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
            status = int(code)
            if status >= 200:
                break  # 1xx (100 Continue, 103) come before the real answer
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        keep = (
            version == "HTTP/1.1"
            and "close" not in headers.get("connection", "").lower()
        )
        if status in (204, 304):
            pass
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while await reader.readuntil(b"\r\n") != b"\r\n":
                        pass  # trailer fields
                    break
                await reader.readexactly(size + 2)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if length:
                await reader.readexactly(length)
        else:
            await reader.read()  # the body ends when the server closes
            keep = False
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        raise ProtocolError(f"answer cut short: {exc}") from exc
    except ValueError as exc:
        raise ProtocolError(f"unreadable answer: {exc}") from exc
    return Response(status, headers), keep
