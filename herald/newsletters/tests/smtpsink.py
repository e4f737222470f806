"""A real SMTP server (aiosmtpd) that counts what each recipient receives.

Used by the sending pipeline's crash test and by ``tools/bench/send.py``. It
parses only the headers it needs, so it keeps up with a fast sender.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter, defaultdict
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _header(data: bytes, name: bytes) -> str:
    head = data.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    wanted = name.lower() + b":"
    for i, line in enumerate(lines):
        if line.lower().startswith(wanted):
            value = line[len(wanted) :]
            for more in lines[i + 1 :]:
                if more[:1] in (b" ", b"\t"):
                    value += more
                else:
                    break
            return value.decode(errors="replace").strip()
    return ""


class CountingHandler:
    """Counts messages per recipient and Message-IDs per recipient."""

    def __init__(self, *, delay: float = 0.0, keep: int = 0) -> None:
        self.delay = delay
        self.keep = keep  # how many whole messages to keep for inspection
        self.lock = threading.Lock()
        self.per_recipient: Counter[str] = Counter()
        self.ids: dict[str, set[str]] = defaultdict(set)
        self.kept: list[bytes] = []
        self.total = 0
        self.first_at: float | None = None
        self.last_at: float | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        data = envelope.original_content or envelope.content
        message_id = _header(data, b"Message-ID")
        now = time.monotonic()
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.per_recipient[rcpt.lower()] += 1
                self.ids[rcpt.lower()].add(message_id)
            self.total += 1
            self.first_at = self.first_at or now
            self.last_at = now
            if len(self.kept) < self.keep:
                self.kept.append(data)
        return "250 Message accepted for delivery"


class Sink:
    """Start with ``with Sink() as sink:``; ``sink.port`` is where to send."""

    def __init__(self, *, delay: float = 0.0, keep: int = 0) -> None:
        self.handler = CountingHandler(delay=delay, keep=keep)
        self.port = free_port()
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="sink.test",
            data_size_limit=10 * 1024 * 1024,
        )

    def __enter__(self) -> Sink:
        SMTP.line_length_limit = 10000
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def total(self) -> int:
        return self.handler.total

    def counts(self) -> Counter[str]:
        with self.handler.lock:
            return Counter(self.handler.per_recipient)
