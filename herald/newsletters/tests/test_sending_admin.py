"""The editor's flow: publish and send, preview, test email, report, resend."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, TestCase

from herald.members.models import AccessLevel
from herald.newsletters.sending import actions
from herald.newsletters.sending.models import (
    Delivery,
    DeliveryState,
    Send,
    SendKind,
    SendState,
)
from herald.newsroom.models import ArticlePage
from herald.newsroom.testing import (
    ADMINISTRATORS,
    EDITORS,
    make_article,
    make_section,
    make_staff,
)

from .sendkit import make_audience

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


class CommitClient(Client):
    """Runs each request's on-commit work, as in production."""

    def request(self, **request):  # type: ignore[no-untyped-def]
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def admin():
    return make_staff(ADMINISTRATORS, email="desk@newsroom.test")


@pytest.fixture
def desk(admin):
    client = CommitClient()
    client.force_login(admin)
    return client


@pytest.fixture
def audience(db):
    return make_audience()


@pytest.fixture
def draft(db):
    return make_article(
        make_section("Harbour"),
        "Night ferry returns",
        paragraphs=["The night ferry is back.", "Gated detail GATEDFERRY.", "End."],
        paywall_after=1,
        access_level=AccessLevel.PAID,
        publish=False,
    )


def _form(desk, article=None):
    url = "/admin/newsletter-sends/new/"
    if article is not None:
        url += f"?article={article.pk}"
    response = desk.get(url)
    assert response.status_code == 200
    return response.context["form"].initial["form_key"]


def test_the_article_editor_offers_publish_and_send(desk, draft):
    response = desk.get(f"/admin/pages/{draft.pk}/edit/")
    assert response.status_code == 200
    assert b"action-publish-send" in response.content
    assert "Publish and send" in response.content.decode()


def test_the_menu_item_opens_the_send_form_after_wagtail_saved_the_draft(draft):
    from django.test import RequestFactory

    from herald.newsletters.sending.wagtail_hooks import open_send_form

    factory = RequestFactory()
    chosen = factory.post("/", {"action-publish-send": "1"})
    plain = factory.post("/", {"action-publish": "1"})

    response = open_send_form(chosen, draft)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/newsletter-sends/new/?article={draft.pk}"
    assert open_send_form(plain, draft) is None


def test_publish_and_send_publishes_and_sends_in_one_step(desk, draft, audience):
    key = _form(desk, draft)

    response = desk.post(
        f"/admin/newsletter-sends/new/?article={draft.pk}",
        {
            "newsletters": [audience.newsletter.pk],
            "segment": "everyone",
            "subject": "The night ferry",
            "form_key": key,
            "publish_send": "1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ArticlePage.objects.get(pk=draft.pk).live
    send = Send.objects.get()
    assert response["Location"] == f"/admin/newsletter-sends/{send.pk}/"
    assert send.state == SendState.SENT
    assert sorted(m.to[0] for m in mail.outbox) == sorted(audience.emails.values())


def test_a_double_click_is_refused_with_409_and_sends_nothing_more(
    desk, draft, audience
):
    key = _form(desk, draft)
    data = {
        "newsletters": [audience.newsletter.pk],
        "segment": "everyone",
        "subject": "The night ferry",
        "form_key": key,
        "publish_send": "1",
    }
    first = desk.post(f"/admin/newsletter-sends/new/?article={draft.pk}", data)
    second = desk.post(f"/admin/newsletter-sends/new/?article={draft.pk}", data)

    assert first.status_code == 302
    assert second.status_code == 409
    assert "already started" in second.content.decode()
    assert Send.objects.count() == 1
    assert len(mail.outbox) == 3


def test_an_unpublished_story_is_not_sent_with_send_now(desk, draft, audience):
    key = _form(desk, draft)
    response = desk.post(
        f"/admin/newsletter-sends/new/?article={draft.pk}",
        {
            "newsletters": [audience.newsletter.pk],
            "segment": "everyone",
            "subject": "S",
            "form_key": key,
            "send": "1",
        },
    )
    assert response.status_code == 400
    assert not Send.objects.exists()
    assert mail.outbox == []


def test_the_browser_preview_shows_each_variant(desk, draft, audience):
    key = _form(desk, draft)
    data = {
        "newsletters": [audience.newsletter.pk],
        "segment": "everyone",
        "subject": "S",
        "form_key": key,
        "preview": "1",
    }
    full = desk.post(
        f"/admin/newsletter-sends/new/?article={draft.pk}", {**data, "variant": "full"}
    )
    cut = desk.post(
        f"/admin/newsletter-sends/new/?article={draft.pk}",
        {**data, "variant": "preview"},
    )

    assert full.status_code == cut.status_code == 200
    assert "GATEDFERRY" in full.content.decode()
    assert "GATEDFERRY" not in cut.content.decode()
    assert "/account/plans/" in cut.content.decode()
    assert not Send.objects.exists()
    assert mail.outbox == []


def test_a_test_email_goes_to_the_editor_only(desk, draft, audience):
    key = _form(desk, draft)
    response = desk.post(
        f"/admin/newsletter-sends/new/?article={draft.pk}",
        {
            "newsletters": [audience.newsletter.pk],
            "segment": "everyone",
            "subject": "The night ferry",
            "form_key": key,
            "test": "1",
            "variant": "preview",
        },
    )
    assert response.status_code == 200
    (message,) = mail.outbox
    assert message.to == ["desk@newsroom.test"]
    assert message.subject == "[Test] The night ferry"
    assert "GATEDFERRY" not in message.body
    assert not Send.objects.exists()


def test_an_email_only_story_is_written_and_sent_from_the_admin(desk, audience):
    key = _form(desk)
    response = desk.post(
        "/admin/newsletter-sends/new/",
        {
            "newsletters": [audience.newsletter.pk],
            "segment": "everyone",
            "subject": "From the editor",
            "title": "Why we moved the printing press",
            "text": "First paragraph <b>here</b>.\n\nSecond paragraph.",
            "form_key": key,
            "send": "1",
        },
    )
    assert response.status_code == 302
    send = Send.objects.get()
    assert send.kind == SendKind.EMAIL_ONLY
    assert send.article is None
    assert "&lt;b&gt;here&lt;/b&gt;" in send.body
    assert len(mail.outbox) == 3


def test_the_report_lists_unknown_recipients_and_resends_to_exactly_them(
    desk, audience, settings, django_assert_max_num_queries
):
    settings.HERALD_NEWSLETTER_BATCH_SIZE = 1
    send = actions.create_send(
        audience.newsletter, subject="S", title="T", body="<p>Text.</p>"
    )
    actions.start_send(send)
    actions.prepare_send(send.pk)
    held = actions.claim_batch(send.pk)  # the worker "dies" holding it
    actions.work_send(send.pk)
    from datetime import timedelta

    from django.utils import timezone

    actions.recover_batches(now=timezone.now() + timedelta(hours=1))
    lost = Delivery.objects.get(batch=held).email
    assert len(mail.outbox) == 2

    desk.get(f"/admin/newsletter-sends/{send.pk}/")  # warm the admin's own rows
    with django_assert_max_num_queries(30):
        response = desk.get(f"/admin/newsletter-sends/{send.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert lost in page
    assert "resend_unknown" in page
    for other in set(audience.emails.values()) - {lost}:
        assert other not in page

    response = desk.post(f"/admin/newsletter-sends/{send.pk}/", {"resend_unknown": "1"})

    assert response.status_code == 302
    assert [m.to[0] for m in mail.outbox[2:]] == [lost]
    assert not Delivery.objects.filter(send=send, state=DeliveryState.UNKNOWN).exists()


def test_the_list_of_sends_takes_a_bounded_number_of_queries(
    desk, audience, django_assert_max_num_queries
):
    for i in range(5):
        actions.create_send(
            audience.newsletter, subject=f"S{i}", title="T", body="<p>x</p>"
        )
    desk.get("/admin/newsletter-sends/")
    with django_assert_max_num_queries(25):
        response = desk.get("/admin/newsletter-sends/")
    assert response.status_code == 200
    assert "S4" in response.content.decode()


def test_editors_without_the_newsletter_permission_are_refused(draft, audience):
    client = Client()
    client.force_login(make_staff(EDITORS))
    assert client.get("/admin/newsletter-sends/").status_code in (302, 403)
    response = client.post(
        f"/admin/newsletter-sends/new/?article={draft.pk}",
        {"newsletters": [audience.newsletter.pk], "publish_send": "1"},
    )
    assert response.status_code in (302, 403)
    assert not Send.objects.exists()


def test_readers_are_refused(audience):
    assert Client().get("/admin/newsletter-sends/").status_code == 302
