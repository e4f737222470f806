"""A local Web Push service on 127.0.0.1 that does what a browser vendor's does.

- Checks the VAPID header (RFC 8292): ``vapid t=<JWT>, k=<key>``, an ES256
  signature that verifies with ``k``, ``aud`` equal to this service's origin,
  ``exp`` in the future and at most 24 h ahead, ``sub`` a mailto:/https: contact,
  and ``k`` equal to the key the subscription was made with. Refuses with 401/403.
  Like a real push service it keeps the result of a signature check for a
  token it has verified (the same ``t`` and ``k``) until the token's ``exp``;
  ``aud``, ``exp``, ``sub`` and ``k`` are still checked on every request.
- Requires ``TTL`` (400 without), ``Content-Encoding: aes128gcm`` and a body of
  at most 4096 octets (413), and **decrypts** every payload with the
  subscriber's private key and auth secret (RFC 8291, http_ece).
- Honours TTL: a subscriber that is offline gets the message when it connects
  if it has not expired, and a TTL of 0 to an offline subscriber is dropped. A
  newer message with the same ``Topic`` replaces a queued one.
- Answers on demand, per subscription: 404, 410, 429 with ``Retry-After``, 5xx,
  or hangs (never answers), for the next N requests or for ever.

It runs an aiohttp server on its own event loop in a thread (tests) or is the
whole process (``python -m tests.fakes.push_service``, the benchmark).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Subscriber:
    """One browser's side of a subscription (it holds the private key)."""

    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    server_key: str | None = None  # the applicationServerKey it subscribed with
    online: bool = True
    inbox: list[dict[str, Any]] = field(default_factory=list)
    queued: list[dict[str, Any]] = field(default_factory=list)
    # Scripted answers: a list of (status, retry_after) or "hang", used in order.
    script: list[Any] = field(default_factory=list)
    always: Any = None  # an answer for every request (e.g. 410)

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962,
                serialization.PublicFormat.UncompressedPoint,
            )
        )


class PushService:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, decrypt: bool = True):
        self.host = host
        self.port = port
        self.decrypt = decrypt
        self.subscribers: dict[str, Subscriber] = {}
        self.received: Counter[str] = Counter()  # accepted (201) per subscriber
        self.refusals: list[tuple[int, str]] = []  # (status, reason)
        self.requests = 0
        self.accepted = 0
        self.duplicates = 0
        self.hanging = 0
        # (token, key) -> claims of a token whose signature verified.
        self._verified: dict[tuple[str, str], dict[str, Any]] = {}
        # The last accepted request's headers (aiohttp's read-only mapping).
        self.last_headers: Mapping[str, str] = {}
        self.clock = time.time  # what "now" is for a token's exp
        self.first_at: float | None = None
        self.last_at: float | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._started = threading.Event()
        self._lock = threading.Lock()
        self._stopping: asyncio.Event | None = None

    # --- subscribers -------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def subscribe(self, server_key: str | None = None) -> dict[str, Any]:
        """A new subscription as ``PushSubscription.toJSON()`` gives it."""
        sub_id = uuid.uuid4().hex
        subscriber = Subscriber(
            id=sub_id,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=os.urandom(16),
            server_key=server_key,
        )
        self.subscribers[sub_id] = subscriber
        return self.subscription_json(subscriber)

    def subscription_json(self, subscriber: Subscriber) -> dict[str, Any]:
        return {
            "endpoint": f"{self.origin}/push/{subscriber.id}",
            "expirationTime": None,
            "keys": {"p256dh": subscriber.p256dh, "auth": b64url(subscriber.auth)},
        }

    def subscriber_for(self, endpoint: str) -> Subscriber:
        return self.subscribers[endpoint.rstrip("/").rsplit("/", 1)[-1]]

    def answer(self, endpoint: str, *answers: Any, always: Any = None) -> None:
        """Script the next answers for ``endpoint``: (status, retry_after) or "hang"."""
        subscriber = self.subscriber_for(endpoint)
        subscriber.script.extend(answers)
        subscriber.always = always

    def go_offline(self, endpoint: str) -> None:
        self.subscriber_for(endpoint).online = False

    def connect(
        self, endpoint: str, *, at: float | None = None
    ) -> list[dict[str, Any]]:
        """The subscriber comes online: it gets what is queued and not expired."""
        subscriber = self.subscriber_for(endpoint)
        now = time.time() if at is None else at
        with self._lock:
            live = [m for m in subscriber.queued if m["expires_at"] > now]
            subscriber.queued = []
            subscriber.inbox.extend(live)
            subscriber.online = True
        return live

    def inbox(self, endpoint: str) -> list[dict[str, Any]]:
        return list(self.subscriber_for(endpoint).inbox)

    def messages(self) -> list[dict[str, Any]]:
        return [m for s in self.subscribers.values() for m in s.inbox + s.queued]

    # --- protocol checks -----------------------------------------------------

    def _check_vapid(self, header: str, subscriber: Subscriber) -> str | None:
        """None when the VAPID header is valid for this service; else why not."""
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            return "not a vapid Authorization"
        parts = {}
        for item in params.split(","):
            name, _, value = item.strip().partition("=")
            parts[name.strip()] = value.strip()
        token, key = parts.get("t", ""), parts.get("k", "")
        claims = self._verified.get((token, key))
        if claims is None:
            claims_or_problem = self._verify_signature(token, key)
            if isinstance(claims_or_problem, str):
                return claims_or_problem
            claims = claims_or_problem
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[(token, key)] = claims
        now = self.clock()
        if claims.get("aud") != self.origin:
            return f"aud {claims.get('aud')!r} is not {self.origin}"
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= now or exp > now + 86400:
            return "exp not within 24 h"
        sub = str(claims.get("sub", ""))
        if not sub.startswith(("mailto:", "https://")) or sub.endswith("@localhost"):
            return "sub is not a mailto:/https: contact"
        if subscriber.server_key and key != subscriber.server_key:
            return "k is not the key of the subscription"
        return None

    @staticmethod
    def _verify_signature(token: str, key: str) -> dict[str, Any] | str:
        """The claims of an ES256 token signed by ``key``; else why not."""
        try:
            head_b64, claims_b64, sig_b64 = token.split(".")
            head = json.loads(b64url_decode(head_b64))
            claims = json.loads(b64url_decode(claims_b64))
            raw_key = b64url_decode(key)
            public = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), raw_key
            )
            signature = b64url_decode(sig_b64)
        except (ValueError, TypeError):
            return "malformed token"
        if not isinstance(head, dict) or not isinstance(claims, dict):
            return "malformed token"
        if head.get("alg") != "ES256" or len(signature) != 64:
            return "not ES256"
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public.verify(
                der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature:
            return "bad signature"
        return claims

    async def _handle(self, request: web.BaseRequest, sub: str) -> web.Response:
        self.requests += 1
        subscriber = self.subscribers.get(sub)
        if subscriber is None:
            return web.Response(status=404, text="no such subscription")
        scripted = subscriber.script.pop(0) if subscriber.script else subscriber.always
        if scripted == "hang":
            self.hanging += 1
            assert self._stopping is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 3600)
            return web.Response(status=503, text="stopped")
        if scripted is not None and scripted != "hang":
            status, retry_after = scripted
            headers = {"Retry-After": str(retry_after)} if retry_after else {}
            return web.Response(status=status, headers=headers, text="scripted")
        problem = self._check_vapid(
            request.headers.get("Authorization", ""), subscriber
        )
        if problem:
            self.refusals.append((403, problem))
            return web.Response(status=403, text=problem)
        ttl = request.headers.get("TTL")
        if ttl is None or not ttl.isdigit():
            self.refusals.append((400, "TTL"))
            return web.Response(status=400, text="TTL header required")
        if request.headers.get("Content-Encoding") != "aes128gcm":
            self.refusals.append((415, "encoding"))
            return web.Response(status=415, text="aes128gcm required")
        body = await request.read()
        if len(body) > 4096:
            self.refusals.append((413, "too large"))
            return web.Response(status=413, text="payload too large")
        message: dict[str, Any] = {
            "ttl": int(ttl),
            "urgency": request.headers.get("Urgency", "normal"),
            "topic": request.headers.get("Topic", ""),
            "size": len(body),
            "received_at": time.time(),
            "expires_at": time.time() + int(ttl),
        }
        if self.decrypt:
            try:
                plain = http_ece.decrypt(
                    body,
                    private_key=subscriber.private_key,
                    auth_secret=subscriber.auth,
                    version="aes128gcm",
                )
            except Exception as exc:
                self.refusals.append((400, f"decrypt: {exc}"))
                return web.Response(status=400, text="cannot decrypt")
            message["payload"] = json.loads(plain)
            message["plaintext_size"] = len(plain)
        with self._lock:
            self.last_headers = request.headers
            self.received[subscriber.id] += 1
            self.accepted += 1
            if self.received[subscriber.id] > 1:
                self.duplicates += 1
            now = time.time()
            self.first_at = self.first_at or now
            self.last_at = now
            if subscriber.online:
                subscriber.inbox.append(message)
            elif int(ttl) > 0:
                if message["topic"]:
                    subscriber.queued = [
                        m for m in subscriber.queued if m["topic"] != message["topic"]
                    ]
                subscriber.queued.append(message)
        return web.Response(
            status=201, headers={"Location": f"{self.origin}/m/{self.accepted}"}
        )

    def duplicated_subscribers(self) -> int:
        if not self.duplicates:
            return 0
        return sum(1 for n in self.received.values() if n > 1)

    async def _stats(self, request: web.BaseRequest) -> web.Response:
        # Kept as messages arrive: a benchmark polls this while it runs.
        return web.json_response(
            {
                "subscribers": len(self.subscribers),
                "requests": self.requests,
                "accepted": self.accepted,
                "received_once": len(self.received) - self.duplicated_subscribers(),
                "duplicates": self.duplicates,
                "missing": len(self.subscribers) - len(self.received),
                "refusals": len(self.refusals),
                "refusal_examples": self.refusals[:5],
                "first_at": self.first_at,
                "last_at": self.last_at,
            }
        )

    async def _bulk(self, request: web.BaseRequest) -> web.Response:
        """POST /subscribe?n=&key=: make n subscriptions (benchmark set-up)."""
        n = int(request.query.get("n", "1"))
        key = request.query.get("key") or None
        return web.json_response([self.subscribe(key) for _ in range(n)])

    async def _route(self, request: web.BaseRequest) -> web.StreamResponse:
        # aiohttp's low-level server with three routes of its own: an
        # Application's router and middleware chain cost a benchmark's push
        # service about a seventh of its CPU per message.
        path, method = request.path, request.method
        if path.startswith("/push/") and "/" not in path[6:]:
            if method != "POST":
                return web.Response(status=405)
            return await self._handle(request, path[6:])
        if path == "/stats" and method == "GET":
            return await self._stats(request)
        if path == "/subscribe" and method == "POST":
            return await self._bulk(request)
        return web.Response(status=404, text="not found")

    def server(self) -> web.Server:
        return web.Server(self._route, access_log=None)

    # --- running -----------------------------------------------------------

    async def _start(self) -> None:
        self._stopping = asyncio.Event()
        self._runner = web.ServerRunner(self.server())
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]

    def start(self) -> PushService:
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start())
            self._started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        self._started.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        loop = self._loop

        async def shutdown() -> None:
            if self._stopping is not None:
                self._stopping.set()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> PushService:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main() -> None:  # pragma: no cover - the benchmark's push service process
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", default="")
    parser.add_argument("--no-decrypt", action="store_true")
    args = parser.parse_args()
    service = PushService(port=args.port, decrypt=not args.no_decrypt)

    async def serve() -> None:
        await service._start()
        if args.port_file:
            with open(args.port_file, "w") as f:
                f.write(str(service.port))
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":  # pragma: no cover
    main()
