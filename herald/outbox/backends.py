"""The EMAIL_BACKEND of every Herald process: mail is kept, then sent by a worker.

``send_mail``, ``EmailMessage.send()`` and everything built on them (sign-in
codes, Django's password reset, admin error mail) end here. Each message is
written to the outbox in the caller's transaction and queued to a Celery worker
once that transaction commits; nothing is delivered inside a web request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        from . import actions

        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                actions.queue_message(message)
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            count += 1
        return count
