"""Web Push (RFC 8030/8291/8292) with pywebpush: encrypt, sign, POST.

Messages of a batch go out concurrently, each with its own timeout, so a push
service that hangs delays only its own messages. Every message is encrypted by
pywebpush (``WebPusher.encode``: a fresh ephemeral key per message, aes128gcm)
and POSTed by one aiohttp session that lives as long as the process, on an
event loop in a thread of its own: connections to a push service are kept
alive across messages and batches instead of being opened for every batch.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
from typing import Any

import aiohttp
from pywebpush import WebPusher

from ..vapid import Signer
from .base import Message, Outcome

# An idle kept-alive connection is closed after this (push services close
# theirs after a minute or more).
KEEPALIVE = 30.0


class _Client:
    """An event loop in a daemon thread and one aiohttp session on it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="herald-webpush", daemon=True
        )
        self.thread.start()
        self.session: aiohttp.ClientSession | None = None

    async def get_session(self) -> aiohttp.ClientSession:
        if self.session is None or self.session.closed:
            # No pool-wide limit: each batch bounds its own requests in flight.
            connector = aiohttp.TCPConnector(
                limit=0, ttl_dns_cache=300, keepalive_timeout=KEEPALIVE
            )
            self.session = aiohttp.ClientSession(connector=connector)
        return self.session

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        async def close_session() -> None:
            if self.session is not None:
                await self.session.close()

        if self.pid == os.getpid() and self.loop.is_running():
            # Exiting anyway: a session that does not close in time is dropped.
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(close_session(), self.loop).result(5)
            self.loop.call_soon_threadsafe(self.loop.stop)


_client: _Client | None = None
_client_lock = threading.Lock()


def client() -> _Client:
    """This process's client (a forked child makes its own)."""
    global _client
    with _client_lock:
        if _client is None or _client.pid != os.getpid():
            _client = _Client()
            atexit.register(_client.close)
        return _client


class WebPushSender:
    def __init__(
        self, *, signer: Signer | None = None, timeout: float, concurrency: int
    ) -> None:
        self.signer = signer or Signer()
        self.timeout = timeout
        self.concurrency = max(1, concurrency)

    def send(self, messages: list[Message]) -> list[Outcome]:
        if not messages:
            return []
        # The loop runs in its own thread, so this works from a worker and from
        # code that runs a loop already (an ASGI view, an eager task).
        result: list[Outcome] = client().run(self._send_all(messages))
        return result

    async def _send_all(self, messages: list[Message]) -> list[Outcome]:
        session = await client().get_session()
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        outcomes: list[Outcome | None] = [None] * len(messages)
        todo = iter(enumerate(messages))

        # ``concurrency`` senders take the next message as each is done (no
        # task per message).
        async def sender() -> None:
            for i, message in todo:
                outcomes[i] = await self._send_one(session, message, timeout)

        await asyncio.gather(
            *(sender() for _ in range(min(self.concurrency, len(messages))))
        )
        return [outcome for outcome in outcomes if outcome is not None]

    def _headers(self, message: Message) -> dict[str, str]:
        headers = self.signer.headers(message.endpoint)
        headers["TTL"] = str(message.ttl)
        headers["Content-Encoding"] = "aes128gcm"
        headers["Content-Type"] = "application/octet-stream"
        headers["Urgency"] = message.urgency
        if message.topic:
            headers["Topic"] = message.topic
        return headers

    async def _send_one(
        self,
        session: aiohttp.ClientSession,
        message: Message,
        timeout: aiohttp.ClientTimeout,
    ) -> Outcome:
        try:
            body = WebPusher(
                {
                    "endpoint": message.endpoint,
                    "keys": {"p256dh": message.p256dh, "auth": message.auth},
                }
            ).encode(message.payload, "aes128gcm")["body"]
        except Exception as exc:  # a key that does not decode, etc.
            return Outcome(message.key, 0, error=f"{type(exc).__name__}: {exc}"[:200])
        try:
            async with session.post(
                message.endpoint,
                data=body,
                headers=self._headers(message),
                timeout=timeout,
            ) as response:
                await response.read()
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError:
            return Outcome(message.key, None, error="timeout")
        except (aiohttp.ClientError, OSError) as exc:
            return Outcome(message.key, None, error=f"network: {exc}"[:200])
        except Exception as exc:  # an endpoint aiohttp cannot use, etc.
            return Outcome(message.key, 0, error=f"{type(exc).__name__}: {exc}"[:200])
        return Outcome(
            message.key,
            status,
            retry_after=retry_after,
            error="" if status in (200, 201, 202) else f"HTTP {status}",
        )
