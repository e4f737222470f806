"""Extension points for apps to the right of ``members`` (newsletters first).

``members`` must not import those apps; they register here in their
``AppConfig.ready()``::

    from herald.members import hooks

    hooks.register_signup_choices(lambda: [("weekly", "The Weekly")])
    hooks.register_signup_initial(lambda: ["weekly"])  # ticked in advance
    hooks.register("member_confirmed", subscribe_to_chosen_newsletters)
    hooks.register("member_export", lambda user: {"newsletters": [...]})

Nothing of this shows on the site until something registers: the sign-up form
only offers newsletters when a choices provider returns some, and the account
page only shows sections that apps add.

Events (receivers run after the transaction commits, each isolated):
- ``member_confirmed(user, choices)``: a new member confirmed the sign-up; ``choices``
  are the values picked among the sign-up choices.
- ``member_deleted(user_id, email)``: an account is being deleted; drop what you hold.
- ``member_email_changed(user, old_email)``: the member confirmed a new address;
  move what you send to the old one.
- ``member_unsubscribed(user)``: staff unsubscribed the member from all mail.
- ``member_signed_out_everywhere(user)``: the member ended every session; revoke
  any other credential you issued them (private feed URLs).
- ``members_imported(choices)``: a CSV import created members; ``choices`` maps
  each new user id to the newsletter values in its row.
Providers (called synchronously, results combined):
- ``member_export(user) -> dict``: sections added to "export my data".
- ``account_sections(request, user) -> list[str]``: HTML blocks for the account page.
- ``member_admin_sections(request, user) -> str``: an HTML block for the member's
  page in the members admin (newsletters: which ones the member receives).
- ``members_csv_newsletters(user_ids) -> dict[int, list[str]]``: each member's
  newsletter values, for the members CSV export.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger("herald.members.hooks")

EVENTS = (
    "member_confirmed",
    "member_deleted",
    "member_email_changed",
    "member_unsubscribed",
    "member_signed_out_everywhere",
    "members_imported",
    "member_export",
    "account_sections",
    "member_admin_sections",
    "members_csv_newsletters",
)

_receivers: dict[str, list[Callable[..., Any]]] = defaultdict(list)
_choice_providers: list[Callable[[], list[tuple[str, str]]]] = []
_initial_providers: list[Callable[[], list[str]]] = []


def register(event: str, receiver: Callable[..., Any]) -> None:
    if event not in EVENTS:
        raise ValueError(f"Unknown members event {event!r}; expected one of {EVENTS}")
    if receiver not in _receivers[event]:
        _receivers[event].append(receiver)


def unregister(event: str, receiver: Callable[..., Any]) -> None:
    if receiver in _receivers[event]:
        _receivers[event].remove(receiver)


def register_signup_choices(provider: Callable[[], list[tuple[str, str]]]) -> None:
    if provider not in _choice_providers:
        _choice_providers.append(provider)


def unregister_signup_choices(provider: Callable[[], list[tuple[str, str]]]) -> None:
    if provider in _choice_providers:
        _choice_providers.remove(provider)


def register_signup_initial(provider: Callable[[], list[str]]) -> None:
    """Values ticked in advance on the sign-up form (default newsletters)."""
    if provider not in _initial_providers:
        _initial_providers.append(provider)


def unregister_signup_initial(provider: Callable[[], list[str]]) -> None:
    if provider in _initial_providers:
        _initial_providers.remove(provider)


def signup_initial() -> list[str]:
    values: list[str] = []
    for provider in _initial_providers:
        try:
            values.extend(provider())
        except Exception:
            log.exception("sign-up initial provider %s failed", provider)
    return values


def signup_choices() -> list[tuple[str, str]]:
    """(value, label) pairs offered on the sign-up form (newsletters)."""
    choices: list[tuple[str, str]] = []
    for provider in _choice_providers:
        try:
            choices.extend(provider())
        except Exception:
            log.exception("sign-up choices provider %s failed", provider)
    return choices


def emit(event: str, *args: Any) -> None:
    """Call ``event``'s receivers after the current transaction commits."""

    def dispatch() -> None:
        for receiver in list(_receivers[event]):
            try:
                receiver(*args)
            except Exception:
                log.exception("members hook %s failed", receiver)

    transaction.on_commit(dispatch)


def collect(event: str, *args: Any) -> list[Any]:
    """Call ``event``'s providers now and return their results."""
    results = []
    for provider in list(_receivers[event]):
        try:
            results.append(provider(*args))
        except Exception:
            log.exception("members provider %s failed", provider)
    return results
