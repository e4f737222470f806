"""What a push carries to the browser: small JSON, headline and dek only.

Never article text: a push payload goes to every subscriber of a topic, entitled
or not (the paywall canary suite scans it).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from .models import Notification

# RFC 8291: push services need accept no more than 4096 octets of body; one
# aes128gcm record leaves 3993 octets of plaintext. Herald stays well below.
MAX_PAYLOAD = 3993
CLICK_PARAMETER = "hp"  # ?hp=<notification id>: a click from a push


def static_url(path: str) -> str:
    """The URL of a static file, also where collectstatic has not run (workers)."""
    from django.conf import settings
    from django.templatetags.static import static

    try:
        return static(path)
    except ValueError:  # no manifest entry: the unhashed name is served too
        return settings.STATIC_URL + path


def click_url(url: str, notification_id: Any) -> str:
    """``url`` with the click parameter analytics counts (and utm tags)."""
    parts = urlsplit(url)
    query = urlencode(
        {
            CLICK_PARAMETER: str(notification_id),
            "utm_source": "push",
            "utm_medium": "web-push",
        }
    )
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit(parts._replace(query=joined))


def tag_for(notification: Notification) -> str:
    """The tag that makes a newer alert about the same story replace the old one."""
    return f"article-{notification.article_id}"


def build(notification: Notification, *, icon: str = "", image: str = "") -> bytes:
    """The JSON payload for ``notification``, at most ``MAX_PAYLOAD`` bytes."""
    data = {
        "title": notification.title,
        "body": notification.body,
        "url": click_url(notification.url, notification.pk),
        "tag": tag_for(notification),
        "id": str(notification.pk),
        "icon": icon,
        "image": image,
        "topic": notification.topic,
    }
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    while len(payload) > MAX_PAYLOAD and data["body"]:
        data["body"] = data["body"][: max(0, len(data["body"]) - 100)]
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    if len(payload) > MAX_PAYLOAD:
        data["image"] = ""
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return payload
