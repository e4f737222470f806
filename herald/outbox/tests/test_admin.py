"""The Outbox page in the Wagtail admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from herald.outbox.models import MessageState, OutboundMessage

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def _staff(*codenames: str):
    group = Group.objects.create(name="Outbox readers " + "-".join(codenames))
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="outbox", codename__in=codenames
        ),
    )
    user = get_user_model().objects.create_user(
        f"{len(codenames)}-staff@newsroom.test", password="a-long-password-1"
    )
    user.groups.add(group)
    return user


def _message(subject="Your sign-in code", to="reader@example.org", html=True):
    message = EmailMultiAlternatives(
        subject,
        "Code: 123 456\n",
        "Herald <news@localhost>",
        [to],
        headers={"List-Id": "Ferry <ferry.example>"},
    )
    if html:
        message.attach_alternative(f"<p>Code <b>123 456</b></p>{SCRIPT}", "text/html")
    message.send()
    return OutboundMessage.objects.get(subject=subject)


@pytest.fixture
def reader_staff(client):
    client.force_login(_staff("view_outboundmessage"))
    return client


def test_the_outbox_lists_what_was_sent(reader_staff, django_assert_max_num_queries):
    for n in range(30):
        _message(subject=f"Message {n}", to=f"r{n}@example.org")

    with django_assert_max_num_queries(30):  # Wagtail's chrome; not per row
        response = reader_staff.get("/admin/outbox/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Message 29" in html and "r29@example.org" in html
    assert "Queued" in html  # the test transaction never commits: still queued


def test_the_list_filters_by_state_and_recipient(reader_staff):
    _message(subject="First", to="ana@example.org")
    _message(subject="Second", to="ben@example.org")
    OutboundMessage.objects.filter(subject="Second").update(state=MessageState.FAILED)

    failed = reader_staff.get("/admin/outbox/", {"state": "failed"}).content.decode()
    by_reader = reader_staff.get("/admin/outbox/", {"q": "ana@"}).content.decode()

    assert "Second" in failed and ">First<" not in failed
    assert ">First<" in by_reader and "Second" not in by_reader


def test_the_detail_shows_headers_text_and_a_sandboxed_frame(reader_staff):
    message = _message()

    response = reader_staff.get(f"/admin/outbox/{message.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "List-Id" in html and "Ferry &lt;ferry.example&gt;" in html
    assert "Code: 123 456" in html
    assert f'sandbox src="/admin/outbox/{message.pk}/html/"' in html
    assert SCRIPT not in html  # the email's HTML never runs in the admin page
    assert "Send again" not in html  # a viewer cannot, and it is not failed


def test_the_html_part_is_served_under_a_sandboxing_policy(reader_staff):
    message = _message()

    response = reader_staff.get(f"/admin/outbox/{message.pk}/html/")

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert "script-src" not in csp  # falls back to 'none'
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert SCRIPT in response.content.decode()  # shown as sent, but cannot run


def test_a_text_only_email_has_no_html_frame(reader_staff):
    message = _message(html=False)

    assert reader_staff.get(f"/admin/outbox/{message.pk}/html/").status_code == 404
    assert (
        "sandbox"
        not in reader_staff.get(f"/admin/outbox/{message.pk}/").content.decode()
    )


def test_staff_without_the_permission_see_nothing(client):
    message = _message()
    client.force_login(_staff())

    for url in (
        "/admin/outbox/",
        f"/admin/outbox/{message.pk}/",
        f"/admin/outbox/{message.pk}/html/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert b"123 456" not in response.content
    assert b"/admin/outbox/" not in client.get("/admin/").content


def test_readers_cannot_resend(reader_staff):
    message = _message()
    OutboundMessage.objects.update(state=MessageState.FAILED)

    response = reader_staff.post(f"/admin/outbox/{message.pk}/resend/")

    assert response.status_code in (302, 403)  # Wagtail: back to the dashboard
    assert response.get("Location", "/admin/") == "/admin/"
    assert OutboundMessage.objects.get().state == MessageState.FAILED


def test_an_operator_sends_an_unknown_message_again(
    client, django_capture_on_commit_callbacks
):
    message = _message()
    OutboundMessage.objects.update(state=MessageState.UNKNOWN)
    client.force_login(_staff("view_outboundmessage", "change_outboundmessage"))
    page = client.get(f"/admin/outbox/{message.pk}/").content.decode()
    assert "may deliver it twice" in page and "Mark as sent" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/outbox/{message.pk}/resend/")

    assert response.status_code == 302
    assert OutboundMessage.objects.get().state == MessageState.SENT
    assert len(mail.outbox) == 1


def test_an_operator_marks_an_unknown_message_sent(client):
    message = _message()
    OutboundMessage.objects.update(state=MessageState.UNKNOWN)
    client.force_login(_staff("view_outboundmessage", "change_outboundmessage"))

    client.post(f"/admin/outbox/{message.pk}/mark-sent/")

    assert OutboundMessage.objects.get().state == MessageState.SENT
    assert mail.outbox == []
