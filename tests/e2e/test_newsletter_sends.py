"""The staff's newsletter screens in Chromium: axe on each, light and dark.

The send form (from an article), the list of sends, a report with readers whose
outcome is unknown (the resend form), the email preview, the newsletters list
and a newsletter's subscribers screen.
"""

from __future__ import annotations

import pytest
from django.test import TestCase

from herald.members.models import AccessLevel
from herald.newsletters.sending import actions
from herald.newsletters.sending.models import Delivery, DeliveryState
from herald.newsletters.tests.sendkit import make_audience
from herald.newsroom.testing import (
    ADMINISTRATORS,
    make_article,
    make_section,
    make_staff,
    set_publication,
)

from .test_newsroom_desk import serious_violations
from .test_newsroom_workflow import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def screens(live_server, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    set_publication(name="The Tidewater Courier", postal_address="1 Quay St, Avenell")
    staff = make_staff(ADMINISTRATORS, email="letters@newsroom.test")
    audience = make_audience()
    story = make_article(
        make_section("Harbour"),
        "Night ferry returns",
        paragraphs=["The night ferry is back.", "Gated detail.", "End."],
        paywall_after=1,
        access_level=AccessLevel.PAID,
    )
    send = actions.create_send(audience.newsletter, subject="Ferry", article=story)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.start_send(send)
    # one reader's outcome unknown: the report offers to resend to them
    Delivery.objects.filter(send=send, email=audience.emails["guest"]).update(
        state=DeliveryState.UNKNOWN, error="the worker stopped after handing it over"
    )
    draft = make_article(
        make_section("Weather"), "Storm closes the quay", publish=False
    )
    newsletter = audience.newsletter
    return staff, {
        "send form": f"/admin/newsletter-sends/new/?article={draft.pk}",
        "email-only form": "/admin/newsletter-sends/new/",
        "sends": "/admin/newsletter-sends/",
        "report": f"/admin/newsletter-sends/{send.pk}/",
        "preview (full)": f"/admin/newsletter-sends/{send.pk}/preview/full/",
        "preview (preview)": f"/admin/newsletter-sends/{send.pk}/preview/preview/",
        "newsletters": "/admin/newsletters/",
        "subscribers": f"/admin/newsletters/subscribers/{newsletter.pk}/",
    }


def test_staff_newsletter_screens_have_no_serious_axe_violations(page, screens):
    staff, urls = screens
    sign_in(page, staff.email)
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for name, url in urls.items():
            response = page.goto(url)
            assert response is not None and response.status == 200, (name, url)
            if violations := serious_violations(page):
                found[f"{name} {url} [{scheme}]"] = violations
    # the report names the unknown reader and offers to resend to exactly them
    page.goto(urls["report"])
    assert page.get_by_role("button", name="Resend").count() >= 1
    report = "\n".join(f"{p}: {v}" for p, vs in found.items() for v in vs)
    assert not found, report
