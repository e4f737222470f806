"""Web Push (RFC 8030/8291/8292): encrypt, sign, POST.

Messages of a batch go out concurrently, each with its own timeout, so a push
service that hangs delays only its own messages. Every message is encrypted
for its subscriber as pywebpush's ``WebPusher.encode`` does it (a fresh
ephemeral P-256 key per message, ``http_ece`` aes128gcm), without building a
``WebPusher`` (it deep-copies the subscription) for each of a push's 100,000
messages. One HTTP/1.1 client (``http1``) that lives as long as the process,
on an event loop in a thread of its own, POSTs them: connections to a push
service are kept alive across messages and batches.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import os
import threading
from typing import Any

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec

from ..vapid import Signer
from . import http1
from .base import Message, Outcome

# An idle kept-alive connection is closed after this (push services keep
# theirs open for a minute or more, so the client lets go first).
KEEPALIVE = 30.0


class _Loop:
    """An event loop in a daemon thread and the HTTP client that runs on it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.http = http1.Client(keepalive=KEEPALIVE)
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="herald-webpush", daemon=True
        )
        self.thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        if self.pid == os.getpid() and self.loop.is_running():
            self.loop.call_soon_threadsafe(self.http.close)
            self.loop.call_soon_threadsafe(self.loop.stop)


_loop: _Loop | None = None
_loop_lock = threading.Lock()


def event_loop() -> _Loop:
    """This process's sending loop (a forked child makes its own)."""
    global _loop
    with _loop_lock:
        if _loop is None or _loop.pid != os.getpid():
            _loop = _Loop()
            atexit.register(_loop.close)
        return _loop


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def encrypt(payload: bytes, *, p256dh: str, auth: str) -> bytes:
    """The aes128gcm body (RFC 8291) of ``payload`` for one subscription's keys."""
    receiver = b64url_decode(p256dh)
    if len(receiver) != 65 or receiver[0] != 4:
        raise ValueError("p256dh is not an uncompressed P-256 public key")
    # A new ephemeral key for every message (what pywebpush does too).
    body: bytes = http_ece.encrypt(
        payload,
        private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=receiver,
        auth_secret=b64url_decode(auth),
        version="aes128gcm",
    )
    return body


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
        runner = event_loop()
        result: list[Outcome] = runner.run(self._send_all(runner.http, messages))
        return result

    async def _send_all(
        self, http: http1.Client, messages: list[Message]
    ) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(messages)
        todo = iter(enumerate(messages))

        # ``concurrency`` senders take the next message as each is done (no
        # task per message).
        async def sender() -> None:
            for i, message in todo:
                outcomes[i] = await self._send_one(http, message)

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

    async def _send_one(self, http: http1.Client, message: Message) -> Outcome:
        try:
            body = encrypt(message.payload, p256dh=message.p256dh, auth=message.auth)
            headers = self._headers(message)
        except Exception as exc:  # a key that does not decode, etc.
            return Outcome(message.key, 0, error=f"{type(exc).__name__}: {exc}"[:200])
        try:
            async with asyncio.timeout(self.timeout):
                response = await http.post(message.endpoint, headers, body)
        except TimeoutError:
            return Outcome(message.key, None, error="timeout")
        except (OSError, http1.ProtocolError) as exc:
            return Outcome(message.key, None, error=f"network: {exc}"[:200])
        except Exception as exc:  # an endpoint that is not http(s), etc.
            return Outcome(message.key, 0, error=f"{type(exc).__name__}: {exc}"[:200])
        status = response.status
        return Outcome(
            message.key,
            status,
            retry_after=response.headers.get("retry-after"),
            error="" if status in (200, 201, 202) else f"HTTP {status}",
        )
