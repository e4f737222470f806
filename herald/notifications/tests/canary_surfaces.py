"""Notifications' surfaces in the paywall canary suite (herald.members.tests.canary).

A push payload goes to every subscriber of a topic, entitled or not: for every
gated article, the payload Herald would send (the bytes the sender encrypts)
must carry no gated text. The offline list and the service worker are public.
"""

from __future__ import annotations

from django.test import Client

from herald.members.tests.canary import CanarySite, fetch, register_surface


@register_surface("push payloads, the offline story list and the service worker")
def push_payloads(client: Client, site: CanarySite) -> str:
    from herald.notifications import actions, payloads
    from herald.notifications.models import BREAKING

    out = [
        fetch(client, "/notifications/offline.json"),
        fetch(client, "/notifications/offline/"),
        fetch(client, "/sw.js"),
    ]
    for article in [*site.articles.values(), *site.unbroken.values()]:
        notification = actions.prepare_push(article, topic=BREAKING)
        out.append(payloads.build(notification).decode())
    return "".join(out)
