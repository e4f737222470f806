"""Django's SMTP backend, keeping what the server said about each recipient.

Django drops the dict ``sendmail`` returns (recipients the server refused while
accepting others); a batch send needs it to report per-recipient outcomes.
With ``HERALD_EMAIL_BOUNCE_ADDRESS`` set, that address is the envelope sender
(MAIL FROM, the Return-Path), so bounces (DSNs) reach the mailbox that
``manage.py record_dsn`` reads (``dsn.py``); the From header does not change.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import sanitize_address


class EmailBackend(DjangoSMTPBackend):
    def _send(self, email_message: Any) -> bool:
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        bounces = getattr(settings, "HERALD_EMAIL_BOUNCE_ADDRESS", "")
        from_email = sanitize_address(bounces or email_message.from_email, encoding)
        recipients = [
            sanitize_address(addr, encoding) for addr in email_message.recipients()
        ]
        message = email_message.message()
        try:
            refused = self.connection.sendmail(
                from_email, recipients, message.as_bytes(linesep="\r\n")
            )
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        # {address: (code, text)} for each recipient the server refused.
        email_message.herald_smtp_refused = {
            str(addr): (
                code,
                text.decode(errors="replace") if isinstance(text, bytes) else str(text),
            )
            for addr, (code, text) in (refused or {}).items()
        }
        return True
