"""Web Push (RFC 8030/8291/8292) with pywebpush: encrypt, sign, POST.

Messages of a batch go out concurrently over one aiohttp session, each with its
own timeout, so a push service that hangs delays only its own messages.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import aiohttp
from pywebpush import WebPusher

from ..vapid import Signer
from .base import Message, Outcome


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
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker: no loop here
            return asyncio.run(self._send_all(messages))
        # Called from code that runs a loop already (an ASGI view, a browser
        # test's eager task): run ours in a thread of its own.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, self._send_all(messages)).result()

    async def _send_all(self, messages: list[Message]) -> list[Outcome]:
        limit = asyncio.Semaphore(self.concurrency)
        connector = aiohttp.TCPConnector(limit=self.concurrency, ttl_dns_cache=300)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one(message: Message) -> Outcome:
                async with limit:
                    return await self._send_one(session, message)

            return list(await asyncio.gather(*(one(m) for m in messages)))

    async def _send_one(
        self, session: aiohttp.ClientSession, message: Message
    ) -> Outcome:
        headers = self.signer.headers(message.endpoint)
        headers["Urgency"] = message.urgency
        if message.topic:
            headers["Topic"] = message.topic
        try:
            pusher = WebPusher(
                {
                    "endpoint": message.endpoint,
                    "keys": {"p256dh": message.p256dh, "auth": message.auth},
                },
                aiohttp_session=session,
            )
            response = await pusher.send_async(
                message.payload,
                headers,
                ttl=message.ttl,
                content_encoding="aes128gcm",
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        except TimeoutError:
            return Outcome(message.key, None, error="timeout")
        except (aiohttp.ClientError, OSError) as exc:
            return Outcome(message.key, None, error=f"network: {exc}"[:200])
        except Exception as exc:  # a key that does not decode, etc.
            return Outcome(message.key, 0, error=f"{type(exc).__name__}: {exc}"[:200])
        status = getattr(response, "status", None)
        return Outcome(
            message.key,
            status,
            retry_after=response.headers.get("Retry-After"),
            error="" if status in (200, 201, 202) else f"HTTP {status}",
        )
