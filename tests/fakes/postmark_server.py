"""A local HTTP server that speaks Postmark's email API (enough for anymail).

``POST /email`` and ``POST /email/batch`` answer like Postmark: 200 with a
``MessageID`` per message. Templates: ``POST /templates`` stores one (its
``Subject``, ``TextBody``, ``HtmlBody``), ``DELETE /templates/<id>`` removes it,
and ``POST /email/batchWithTemplates`` fills each message's ``TemplateModel``
into the stored template (Mustachio's ``{{{raw}}}`` and HTML-escaped
``{{name}}``); a message naming a template that is not stored gets Postmark's
ErrorCode 1101. ``delivered`` holds every email as a reader would get it
(``To``, ``Subject``, ``TextBody``, ``HtmlBody``, ``Headers``, ``MessageID``),
whichever endpoint carried it; ``received`` holds the raw requests. Tests script
the next answers (422, 429, 500, or a hold that never answers until released),
for any request or only for paths ending with ``path``.
Real anymail code talks to it: point ``ANYMAIL["POSTMARK_API_URL"]`` at ``url``.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "postmark-test-server-token"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    method: str = "POST"
    answer: Any = None

    @property
    def messages(self) -> list[dict[str, Any]]:
        if isinstance(self.body, dict) and "Messages" in self.body:
            return list(self.body["Messages"])
        return self.body if isinstance(self.body, list) else [self.body]


_TAG = re.compile(r"\{\{\{\s*([\w.]+)\s*\}\}\}|\{\{\s*([\w.]+)\s*\}\}")


def mustachio(template: str, model: dict[str, Any], *, escape: bool) -> str:
    """Postmark's template language, the part Herald uses: values by name."""

    def value(match: re.Match[str]) -> str:
        raw, name = match.group(1), match.group(2)
        text = str(model.get(raw or name, ""))
        return html.escape(text) if name and escape else text

    return _TAG.sub(value, template)


@dataclass
class FakePostmark:
    token: str = TOKEN
    received: list[Received] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    templates: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Addresses Postmark marked inactive (an old hard bounce): refused per message.
    inactive: set[str] = field(default_factory=set)
    # False (benchmarks): keep no requests or bodies, fill no templates; only
    # count what each address was sent (``per_recipient``) and when (``last_at``).
    record: bool = True
    next_id: int = 1000
    per_recipient: Counter = field(default_factory=Counter)
    last_at: float = 0.0
    # Scripted answers, used first to last: (path suffix or "", answer), where
    # the answer is (status, json body) or "hold".
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
            # Keep-alive, as Postmark's API: one connection (and one server
            # thread) per client session, not one per request.
            protocol_version = "HTTP/1.1"

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

            def do_DELETE(self) -> None:  # noqa: N802 - http.server's name
                fake._answer(self, None)

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
            self.delivered.clear()
            self.templates.clear()
            self.inactive.clear()
            self.per_recipient.clear()
            self.script.clear()
        self.released.set()
        self.released = threading.Event()
        self.holding = threading.Event()

    # --- Scripting -----------------------------------------------------------------

    def answer_next(
        self, status: int, body: Any = None, *, times: int = 1, path: str = ""
    ) -> None:
        """The next ``times`` requests (to ``path``) get ``status`` and ``body``."""
        if body is None:
            body = {"ErrorCode": status, "Message": f"Scripted error {status}"}
        with self.lock:
            self.script.extend([(path, (status, body))] * times)

    def hold_next(self, *, path: str = "") -> None:
        """The next request (to ``path``) is kept unanswered until release()."""
        with self.lock:
            self.script.append((path, "hold"))

    def _scripted(self, path: str) -> Any:
        for index, (suffix, answer) in enumerate(self.script):
            if path.rstrip("/").endswith(suffix.rstrip("/")):
                del self.script[index]
                return answer
        return None

    def release(self) -> None:
        self.released.set()

    # --- Answering -----------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        if handler.headers.get("X-Postmark-Server-Token") != self.token:
            self._send(handler, 401, {"ErrorCode": 10, "Message": "Bad token"})
            return
        with self.lock:
            if self.record:
                self.received.append(
                    Received(
                        handler.path,
                        dict(handler.headers.items()),
                        body,
                        handler.command,
                    )
                )
            scripted = self._scripted(handler.path)
        if scripted == "hold":
            self.holding.set()
            self.released.wait(timeout=600)
            handler.close_connection = True
            return  # the connection closes without an answer
        if scripted is not None:
            self._send(handler, *scripted)
            return
        path = handler.path.rstrip("/")
        if handler.command == "DELETE":
            with self.lock:
                gone = self.templates.pop(int(path.rsplit("/", 1)[1]), None)
            if gone is None:
                self._send(handler, 422, {"ErrorCode": 1101, "Message": "Not found"})
            else:
                self._send(handler, 200, {"ErrorCode": 0, "Message": "Deleted"})
        elif path.endswith("/templates"):
            self._send(handler, *self._store(body or {}))
        elif path.endswith("/email/batchWithTemplates"):
            messages = (body or {}).get("Messages") or []
            self._send(handler, 200, [self._templated(m) for m in messages])
        elif path.endswith("/email/batch"):
            self._send(handler, 200, [self._accepted(m) for m in body or []])
        else:
            self._send(handler, 200, self._accepted(body or {}))

    def _store(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not body.get("Name") or not (body.get("HtmlBody") or body.get("TextBody")):
            return 422, {"ErrorCode": 1105, "Message": "Name and a body are required."}
        with self.lock:
            self.next_id += 1
            template_id = self.next_id
            self.templates[template_id] = dict(body)
        return 200, {
            "TemplateId": template_id,
            "Name": body["Name"],
            "Alias": body.get("Alias"),
            "Active": True,
            "TemplateType": body.get("TemplateType", "Standard"),
        }

    def _templated(self, message: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            template = self.templates.get(message.get("TemplateId"))
            if template is None:
                template = next(
                    (
                        t
                        for t in self.templates.values()
                        if t.get("Alias")
                        and t.get("Alias") == message.get("TemplateAlias")
                    ),
                    None,
                )
        if template is None:
            return {"ErrorCode": 1101, "Message": "Template not found.", "To": ""}
        if str(message.get("To", "")).lower() in self.inactive:
            return {
                "ErrorCode": 406,
                "Message": "You tried to send to a recipient that has been marked as "
                f"inactive.\nFound inactive addresses: {message['To'].lower()}.\n"
                "Inactive recipients are ones that have generated a hard bounce or a "
                "spam complaint.",
            }
        if not self.record:
            return self._accepted(message)
        model = message.get("TemplateModel") or {}
        filled = {
            **message,
            "Subject": mustachio(template.get("Subject", ""), model, escape=False),
            "TextBody": mustachio(template.get("TextBody", ""), model, escape=False),
            "HtmlBody": mustachio(template.get("HtmlBody", ""), model, escape=True),
        }
        return self._accepted(filled)

    def _accepted(self, message: dict[str, Any]) -> dict[str, Any]:
        answer = {
            "To": message.get("To", ""),
            "SubmittedAt": "2026-12-07T12:00:00.0000000Z",
            "MessageID": str(uuid.uuid4()),
            "ErrorCode": 0,
            "Message": "OK",
        }
        with self.lock:
            self.per_recipient[str(answer["To"]).lower()] += 1
            self.last_at = time.monotonic()
            if self.record:
                self.delivered.append({**message, "MessageID": answer["MessageID"]})
        return answer

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        with self.lock:
            for received in reversed(self.received):
                if received.path == handler.path and received.answer is None:
                    received.answer = body
                    break
        raw = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)
