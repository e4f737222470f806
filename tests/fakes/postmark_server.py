"""A local HTTP server that speaks Postmark's email API (enough for anymail).

``POST /email`` and ``POST /email/batch`` answer like Postmark: 200 with a
``MessageID`` per message. Tests script the next answers (422, 429, 500, or a
hold that never answers until released) and read what was received.
Real anymail code talks to it: point ``ANYMAIL["POSTMARK_API_URL"]`` at ``url``.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "postmark-test-server-token"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body if isinstance(self.body, list) else [self.body]


@dataclass
class FakePostmark:
    token: str = TOKEN
    received: list[Received] = field(default_factory=list)
    # Scripted answers, used first to last: (status, json body) or "hold".
    script: list[Any] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> FakePostmark:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = None
                fake._answer(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.released.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.script.clear()
        self.released.set()
        self.released = threading.Event()
        self.holding = threading.Event()

    # --- Scripting -----------------------------------------------------------------

    def answer_next(self, status: int, body: Any = None, *, times: int = 1) -> None:
        """The next ``times`` requests get ``status`` (and a Postmark-like body)."""
        if body is None:
            body = {"ErrorCode": status, "Message": f"Scripted error {status}"}
        with self.lock:
            self.script.extend([(status, body)] * times)

    def hold_next(self) -> None:
        """The next request is received, recorded, and never answered until release."""
        with self.lock:
            self.script.append("hold")

    def release(self) -> None:
        self.released.set()

    # --- Answering -----------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        if handler.headers.get("X-Postmark-Server-Token") != self.token:
            self._send(handler, 401, {"ErrorCode": 10, "Message": "Bad token"})
            return
        with self.lock:
            self.received.append(
                Received(handler.path, dict(handler.headers.items()), body)
            )
            scripted = self.script.pop(0) if self.script else None
        if scripted == "hold":
            self.holding.set()
            self.released.wait(timeout=600)
            return  # the connection closes without an answer
        if scripted is not None:
            self._send(handler, *scripted)
            return
        if handler.path.rstrip("/").endswith("/email/batch"):
            self._send(handler, 200, [self._accepted(m) for m in body or []])
        else:
            self._send(handler, 200, self._accepted(body or {}))

    @staticmethod
    def _accepted(message: dict[str, Any]) -> dict[str, Any]:
        return {
            "To": message.get("To", ""),
            "SubmittedAt": "2026-12-07T12:00:00.0000000Z",
            "MessageID": str(uuid.uuid4()),
            "ErrorCode": 0,
            "Message": "OK",
        }

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)
