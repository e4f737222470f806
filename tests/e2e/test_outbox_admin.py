"""The admin's Outbox in Chromium: axe on the list and an email, the HTML sandboxed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives

from herald.newsroom.testing import NEWSROOM_PASSWORD

from .test_newsroom_desk import serious_violations
from .test_newsroom_workflow import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def operator(live_server):
    return get_user_model().objects.create_user(
        "operator@newsroom.test",
        password=NEWSROOM_PASSWORD,
        is_staff=True,
        is_superuser=True,
    )


def test_outbox_list_and_email_pass_axe_and_the_html_cannot_run(page, operator):
    message = EmailMultiAlternatives(
        "Your sign-in code",
        "Your code: 123 456\n",
        "The Avenell Courier <news@localhost>",
        ["reader@example.org"],
    )
    message.attach_alternative(
        "<p id='code'>Your code: <b>123 456</b></p>"
        "<script>document.getElementById('code').textContent = 'ran';</script>",
        "text/html",
    )
    message.send()  # no transaction here: kept and sent at once (locmem)

    sign_in(page, operator.email)
    page.goto("/admin/outbox/")
    page.get_by_role("link", name="Your sign-in code").wait_for()
    listing = serious_violations(page)

    page.get_by_role("link", name="Your sign-in code").click()
    page.get_by_role("heading", name="Headers").wait_for()
    detail = serious_violations(page)
    frame = page.frame_locator("iframe.outbox-html")
    code = frame.locator("#code")
    code.wait_for()

    assert listing == [], listing
    assert detail == [], detail
    assert code.text_content() == "Your code: 123 456"  # the script never ran
