"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives.

Each accepted message is kept with its envelope. Tests can make the server
refuse chosen recipients (550, or 450 for "try later") or the next DATA.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return str(body.get_content()) if body is not None else ""


@dataclass
class SMTPSink:
    received: list[Delivered] = field(default_factory=list)
    # address (lower-case) → SMTP reply for RCPT TO, e.g. "550 5.1.1 No such user".
    refuse: dict[str, str] = field(default_factory=dict)
    # Replies for the next DATA commands, used first to last.
    data_script: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None
    connections: int = 0

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        assert self.controller is not None
        return int(self.controller.port)

    def start(self) -> SMTPSink:
        sink = self

        class Handler:
            async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook name
                self,
                server: Any,
                session: Any,
                envelope: Any,
                hostname: str,
                responses: list[str],
            ) -> list[str]:
                with sink.lock:
                    sink.connections += 1
                session.host_name = hostname
                return responses

            async def handle_RCPT(  # noqa: N802
                self,
                server: Any,
                session: Any,
                envelope: Any,
                address: str,
                options: Any,
            ) -> str:
                reply = sink.refuse.get(address.lower())
                if reply:
                    return reply
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(  # noqa: N802
                self, server: Any, session: Any, envelope: Any
            ) -> str:
                with sink.lock:
                    scripted = sink.data_script.pop(0) if sink.data_script else None
                if scripted:
                    return scripted
                parsed = message_from_bytes(envelope.content, policy=policy.default)
                with sink.lock:
                    sink.received.append(
                        Delivered(
                            envelope.mail_from,
                            list(envelope.rcpt_tos),
                            parsed,  # type: ignore[arg-type]
                        )
                    )
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.refuse.clear()
            self.data_script.clear()
            self.connections = 0

    def to(self, address: str) -> list[Delivered]:
        return [d for d in self.received if address in d.rcpt_tos]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
