"""What distribution adds to members' accounts, plugged in through ``members.hooks``.

``members`` cannot import this app, so the account page and "sign out
everywhere" reach the private feed only through these receivers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.template import RequestContext, Template

from . import actions


@cache
def _panel() -> Template:
    return Template("{% load distribution %}{% private_feed_panel %}")


def account_section(request: Any, user: Any) -> str:
    """The private-feed panel: the address to copy, reset and turn-off buttons."""
    return _panel().render(RequestContext(request, {}))


def on_signed_out_everywhere(user: Any) -> None:
    """A private feed URL is a credential too: it ends with every session."""
    actions.revoke_feed_token(user)


def connect() -> None:
    from herald.members import hooks

    hooks.register("account_sections", account_section)
    hooks.register("member_signed_out_everywhere", on_signed_out_everywhere)
