"""Template tags for reader pages: ``{% load members %}``.

- ``{% paywall_offer article %}``: the box under a gated article's preview, fitted
  to the reader (sign up, registration wall, subscribe, upgrade) with the tiers
  that unlock the article; nothing for readers who can read it all.
- ``{{ amount|money:currency }}``: cents as "5.00 EUR".
- ``{% offer_terms offer currency %}``: an offer's discount and trial in words.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from herald.members import queries
from herald.members.access import can_read, reader_for
from herald.members.forms import SignUpForm
from herald.members.metering import settings_for
from herald.members.models import AccessLevel, Offer, format_money

register = template.Library()


@register.filter
def money(amount: int | None, currency: str = "USD") -> str:
    return format_money(amount, currency or "USD")


@register.inclusion_tag("members/paywall_offer.html", takes_context=True)
def paywall_offer(context: template.Context, article: Any) -> dict[str, Any]:
    request = context.get("request")
    body = context.get("body")
    user = getattr(request, "user", None)
    if body is not None and hasattr(body, "can_read"):
        allowed = bool(body.can_read)
    else:
        allowed = can_read(reader_for(user), article)
    next_url = request.get_full_path() if request is not None else "/"
    result: dict[str, Any] = {
        "show": False,
        "next": next_url,
        "meter_left": getattr(request, "herald_meter_left", None) if allowed else None,
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }
    if allowed:
        return result
    config = settings_for(request) if request is not None else None
    currency = config.currency.upper() if config else "USD"
    signed_in = bool(user is not None and user.is_authenticated)
    level = article.access_level
    if not signed_in and getattr(request, "herald_meter_wall", False):
        kind = "registration"
    elif not signed_in and level == AccessLevel.MEMBERS:
        kind = "signup"
    elif not signed_in:
        kind = "subscribe"
    else:
        kind = "upgrade"
    result.update(
        {
            "show": True,
            "kind": kind,
            "tiers": queries.tiers_unlocking(article),
            "currency": currency,
            "meter_limit": config.metered_articles if config else 0,
            "form": SignUpForm(initial={"next": next_url}),
            # Sign up, then choose a plan, then back to this story after paying.
            "plans_next": (
                f"{reverse('members:plans')}?next={quote(next_url, safe='/')}"
            ),
        }
    )
    return result


@register.simple_tag
def offer_terms(offer: Offer, currency: str = "USD") -> str:
    parts: list[str] = []
    if offer.has_discount:
        if offer.discount_kind == "percent":
            off = _("%(n)d%% off") % {"n": offer.discount_value}
        else:
            off = _("%(amount)s off") % {
                "amount": format_money(offer.discount_value, currency)
            }
        if offer.duration == "forever":
            parts.append(_("%(off)s for as long as you stay") % {"off": off})
        elif offer.duration == "repeating" and offer.duration_months:
            parts.append(
                ngettext(
                    "%(off)s for %(n)d month",
                    "%(off)s for %(n)d months",
                    offer.duration_months,
                )
                % {"off": off, "n": offer.duration_months}
            )
        else:
            parts.append(_("%(off)s your first payment") % {"off": off})
    if offer.trial_days:
        parts.append(
            ngettext("%(n)d day free", "%(n)d days free", offer.trial_days)
            % {"n": offer.trial_days}
        )
    return " · ".join(parts)
