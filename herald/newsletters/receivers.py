"""Wiring to the apps on our left (members hooks), connected in ``ready()``."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from herald.members import hooks


def signup_choices() -> list[tuple[str, str]]:
    """The newsletters anyone may join, kept (the paywall offer asks each view)."""
    from herald.core import keep

    from . import queries

    return keep.get_or_build(
        keep.rendering_key("newsletter-signup-choices"),
        lambda: [(n.slug, n.name) for n in queries.public_newsletters()],
        shared=True,
    )


def signup_initial() -> list[str]:
    from . import queries

    return list(queries.default_newsletters().values_list("slug", flat=True))


def member_confirmed(user: Any, choices: list[str]) -> None:
    from . import actions
    from .models import SubscriptionSource

    actions.subscribe_member(
        user, slugs=choices, source=SubscriptionSource.MEMBER_SIGNUP
    )


def member_deleted(user_id: int, email: str) -> None:
    from . import actions

    actions.forget_member(user_id, email)


def member_email_changed(user: Any, old_email: str) -> None:
    from . import actions

    actions.move_member_address(user, old_email=old_email)


def member_unsubscribed(user: Any) -> None:
    from . import actions
    from .models import UnsubscribeReason

    actions.unsubscribe_address(user.email, reason=UnsubscribeReason.STAFF)


def members_imported(choices: dict[int, list[str]]) -> None:
    from django.contrib.auth import get_user_model

    from . import actions
    from .models import SubscriptionSource

    users = get_user_model().objects.in_bulk(list(choices))
    for user_id, slugs in choices.items():
        user = users.get(user_id)
        if user is not None and slugs:
            actions.subscribe_member(
                user, slugs=slugs, source=SubscriptionSource.IMPORT
            )


def member_export(user: Any) -> dict[str, Any]:
    from . import queries

    return {
        "newsletters": [
            {
                "newsletter": s.newsletter.slug,
                "email": s.email,
                "state": s.state,
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
                "unsubscribed_at": (
                    s.unsubscribed_at.isoformat() if s.unsubscribed_at else None
                ),
            }
            for s in queries.subscriptions_of_member(user)
        ]
    }


def account_sections(request: Any, user: Any) -> str:
    from . import queries
    from .forms import ChoicesForm

    offered = queries.newsletters_for(user)
    if not offered.exists():
        return ""
    subscribed = queries.member_subscribed_ids(user)
    form = ChoicesForm(
        newsletters=offered,
        initial={"newsletters": [n.slug for n in offered if n.pk in subscribed]},
        auto_id="acct-nl-%s",
    )
    # render_to_string returns autoescaped SafeString: the account page prints it.
    return render_to_string(
        "newsletters/_account_section.html", {"form": form}, request=request
    )


def member_admin_section(request: Any, user: Any) -> str:
    """The newsletters block of the member's page in the members admin."""
    from . import queries

    return render_to_string(
        "newsletters/admin/member_section.html",
        {"subscriptions": list(queries.subscriptions_of_member(user))},
        request=request,
    )


def members_csv_newsletters(user_ids: list[int]) -> dict[int, list[str]]:
    from . import queries

    return queries.member_newsletter_slugs(user_ids)


def provider_event(sender: Any, event: Any, **kwargs: Any) -> None:
    """A hard bounce or a complaint ends every subscription of the address.

    The outbox already keeps such addresses off bulk mail (its suppression
    list); this records it on the subscriptions too, as history with a reason,
    so staff see why a reader left and counts stay true. A soft bounce (not
    suppressed by the outbox) changes nothing.
    """
    from herald.outbox.queries import is_suppressed

    from . import actions
    from .models import UnsubscribeReason

    reasons = {
        "bounced": UnsubscribeReason.BOUNCE,
        "complained": UnsubscribeReason.COMPLAINT,
    }
    reason = reasons.get(event.event_type)
    if reason is None or not event.recipient or not is_suppressed(event.recipient):
        return
    actions.unsubscribe_address(event.recipient, reason=reason)


def connect() -> None:
    """Register this app's receivers and providers (idempotent)."""
    from herald.outbox.models import DeliveryEvent
    from herald.outbox.signals import delivery_event

    delivery_event.connect(
        provider_event,
        sender=DeliveryEvent,
        dispatch_uid="herald.newsletters.provider_event",
    )
    hooks.register_signup_choices(signup_choices)
    hooks.register_signup_initial(signup_initial)
    hooks.register("member_confirmed", member_confirmed)
    hooks.register("member_deleted", member_deleted)
    hooks.register("member_email_changed", member_email_changed)
    hooks.register("member_unsubscribed", member_unsubscribed)
    hooks.register("members_imported", members_imported)
    hooks.register("member_export", member_export)
    hooks.register("account_sections", account_sections)
    hooks.register("member_admin_sections", member_admin_section)
    hooks.register("members_csv_newsletters", members_csv_newsletters)
    from . import queries
    from .sending import queries as sending_queries

    queries.register_archive_source(sending_queries.archive_issues)
    from herald.outbox.signals import delivery_event

    from .sending import events

    delivery_event.connect(
        events.delivery_event, dispatch_uid="herald.newsletters.delivery_event"
    )
