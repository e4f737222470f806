"""Sign-up (double opt-in), preferences, one-click unsubscribe, the account section."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from herald.newsletters import actions, queries
from herald.newsletters.models import (
    EventKind,
    Subscription,
    SubscriptionEvent,
    SubscriptionSource,
    SubscriptionState,
)

from .conftest import Client, confirm_link, path_of

pytestmark = pytest.mark.django_db


def sign_up(client: Client, email: str, *slugs: str):  # type: ignore[no-untyped-def]
    return client.post("/newsletters/", {"email": email, "newsletters": list(slugs)})


# --- The newsletters page and its form ----------------------------------------------


def test_the_page_lists_public_newsletters_privately(
    client, morning, weekly, insider, django_assert_max_num_queries
):
    client.get("/newsletters/")  # settings rows are created on the first request
    # About 11 of these are the layout (settings, navigation, footer links); the
    # page itself reads the newsletters twice (list and form), whatever their number.
    with django_assert_max_num_queries(14):
        response = client.get("/newsletters/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The Morning Edition" in page and "Long Reads Weekly" in page
    assert "Insider" not in page  # paid members only
    assert "csrfmiddlewaretoken" in page
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_box_on_a_kept_page_fills_in_the_form(client, morning, weekly):
    page = client.get(
        "/newsletters/", {"email": "ana@example.org", "newsletter": "long-reads"}
    ).content.decode()
    assert 'value="ana@example.org"' in page
    assert 'value="long-reads" id="id_newsletters_1" checked' in page
    assert 'value="morning" id="id_newsletters_0" checked' not in page
    assert mail.outbox == [] and not Subscription.objects.exists()


def test_the_confirmation_comes_from_the_publication_in_its_language(
    client, morning, weekly
):
    from herald.newsroom.testing import set_publication

    set_publication(name="Le Courrier", language="fr", contact_email="a@courrier.fr")

    sign_up(client, "ana@example.org", "morning", "long-reads")

    (message,) = mail.outbox
    assert message.from_email == "Le Courrier <a@courrier.fr>"
    assert message.subject == "Confirmez votre abonnement à Le Courrier"
    assert message.extra_headers["Content-Language"] == "fr"
    assert "à recevoir ces lettres d’information de Le Courrier :" in message.body
    assert "Pour confirmer, ouvrez ce lien :" in message.body
    assert "Someone" not in message.body and "confirm," not in message.body


def test_a_confirmation_asked_for_elsewhere_is_in_the_publications_language(
    db, django_capture_on_commit_callbacks
):
    from herald.newsletters import emails
    from herald.newsroom.testing import set_publication

    set_publication(name="Le Courrier", language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        emails.send_confirmation(
            "ana@example.org", url="https://x.example/c", newsletter_names=["Matin"]
        )

    (message,) = mail.outbox
    assert message.subject == "Confirmez votre abonnement à Le Courrier"
    assert "cette lettre d’information de Le Courrier :" in message.body


def test_sign_up_confirm_and_confirm_again(client, morning):
    # given a reader who signs up
    response = sign_up(client, "ana@example.org", "morning")
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert Subscription.objects.get().state == SubscriptionState.PENDING
    link = path_of(confirm_link("ana@example.org"))

    # when a mail scanner opens the link, nothing happens
    opened = client.get(link)
    assert opened.status_code == 200 and "Yes, subscribe me" in opened.content.decode()
    assert Subscription.objects.get().state == SubscriptionState.PENDING

    # when the reader presses the button, they are subscribed
    confirmed = client.post(link)
    assert confirmed.status_code == 200
    assert "You are subscribed" in confirmed.content.decode()
    assert list(queries.subscribers(morning).values_list("email", flat=True)) == [
        "ana@example.org"
    ]

    # and pressing it again changes nothing and says so
    again = client.post(link)
    assert again.status_code == 200 and "used already" in again.content.decode()
    assert SubscriptionEvent.objects.filter(kind=EventKind.CONFIRMED).count() == 1


@pytest.mark.parametrize(
    "email", ["not-an-address", "", "a@b", "ana@example.org\nBcc: x@example.org"]
)
def test_a_bad_address_is_a_form_error(client, morning, email):
    response = sign_up(client, email, "morning")
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Subscription.objects.exists() and mail.outbox == []


def test_no_newsletter_chosen_or_a_paid_one_is_a_form_error(client, morning, insider):
    assert sign_up(client, "ana@example.org").status_code == 400
    assert sign_up(client, "ana@example.org", "insider").status_code == 400
    assert sign_up(client, "ana@example.org", "nope").status_code == 400
    assert not Subscription.objects.exists() and mail.outbox == []


def test_double_submit_sends_the_newest_link_only(client, morning):
    sign_up(client, "ana@example.org", "morning")
    first = path_of(confirm_link("ana@example.org"))
    sign_up(client, "ana@example.org", "morning")
    second = path_of(confirm_link("ana@example.org"))
    assert Subscription.objects.count() == 1
    assert "already used" in client.post(first).content.decode()
    assert Subscription.objects.get().state == SubscriptionState.PENDING
    assert "You are subscribed" in client.post(second).content.decode()


def test_an_address_already_subscribed_looks_the_same_and_gets_no_mail(client, morning):
    actions.subscribe(morning, email="ana@example.org", source=SubscriptionSource.STAFF)
    response = sign_up(client, "ana@example.org", "morning")
    assert "Check your inbox" in response.content.decode()
    assert mail.outbox == []


@override_settings(HERALD_NEWSLETTERS_CONFIRM_SECONDS=-1)
def test_an_expired_link_gets_a_clear_page_and_changes_nothing(client, morning):
    sign_up(client, "ana@example.org", "morning")
    link = path_of(confirm_link("ana@example.org"))
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 400
        assert "This link has expired" in response.content.decode()
    assert Subscription.objects.get().state == SubscriptionState.PENDING


def test_a_forged_link_gets_a_clear_page_and_changes_nothing(client, morning):
    sign_up(client, "ana@example.org", "morning")
    link = path_of(confirm_link("ana@example.org"))
    forged = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    response = client.post(forged)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert Subscription.objects.get().state == SubscriptionState.PENDING


@override_settings(HERALD_NEWSLETTERS_RATES={"ip": "3/15m", "email": "3/h"})
def test_a_flood_from_one_address_gets_429(client, morning):
    codes = [
        sign_up(client, f"reader{i}@example.org", "morning").status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert len(mail.outbox) == 3
    last = sign_up(client, "late@example.org", "morning")
    assert last["Retry-After"] == "900"


@override_settings(HERALD_NEWSLETTERS_RATES={"ip": "100/15m", "email": "2/h"})
def test_one_inbox_is_not_flooded_with_confirmations(morning):
    codes = [
        Client(REMOTE_ADDR=f"10.0.0.{i}").post(
            "/newsletters/", {"email": "ana@example.org", "newsletters": ["morning"]}
        )
        for i in range(3)
    ]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert len(mail.outbox) == 2


def test_signing_up_needs_a_csrf_token(morning):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/newsletters/", {"email": "ana@example.org", "newsletters": ["morning"]}
    )
    assert response.status_code == 403
    assert not Subscription.objects.exists()


# --- Preferences ---------------------------------------------------------------------


@pytest.fixture
def ana(morning) -> Subscription:
    request = actions.request_subscription([morning], email="ana@example.org")
    actions.confirm_subscriptions("ana@example.org", nonce=request.nonce)
    return Subscription.objects.get(email="ana@example.org")


def test_preferences_switch_newsletters_without_signing_in(
    client, ana, morning, weekly, django_assert_max_num_queries
):
    url = path_of(queries.preferences_url(ana))
    client.get(url)
    with django_assert_max_num_queries(16):  # the layout's ~11 included
        page = client.get(url).content.decode()
    assert 'value="morning" id="id_newsletters_0" checked' in page
    response = client.post(url, {"newsletters": ["long-reads"]})
    assert response.status_code == 200 and "Saved." in response.content.decode()
    assert queries.subscribed_ids("ana@example.org") == {weekly.pk}
    event = SubscriptionEvent.objects.filter(kind=EventKind.UNSUBSCRIBED).get()
    assert event.reason == "preferences"


def test_preferences_unsubscribe_from_all(client, ana, weekly):
    actions.subscribe(weekly, email="ana@example.org", source=SubscriptionSource.STAFF)
    url = path_of(queries.preferences_url(ana))
    client.post(url, {"unsubscribe_all": "1"})
    assert queries.subscribed_ids("ana@example.org") == set()


def test_preferences_of_a_pending_address_cannot_add(client, morning, weekly):
    actions.request_subscription([morning], email="bo@example.org")
    pending = Subscription.objects.get(email="bo@example.org")
    client.post(
        path_of(queries.preferences_url(pending)),
        {"newsletters": ["morning", "long-reads"]},
    )
    assert queries.subscribed_ids("bo@example.org") == set()


def test_preferences_need_a_csrf_token(ana):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(path_of(queries.preferences_url(ana)), {"newsletters": []})
    assert response.status_code == 403
    assert queries.subscribed_ids("ana@example.org")


@pytest.mark.parametrize("how", ["forged", "other_salt", "deleted"])
def test_a_bad_preferences_link_is_a_clear_page(client, ana, how):
    url = queries.preferences_url(ana)
    if how == "forged":
        url = url[:-2] + ("x" if url[-2] != "x" else "y") + "/"
    elif how == "other_salt":  # a one-click link is not a preferences link
        url = url.replace("preferences", "unsubscribe")
        url = queries.one_click_unsubscribe_url(ana).replace(
            "unsubscribe", "preferences"
        )
    else:
        Subscription.objects.all().delete()
    response = client.post(path_of(url), {"unsubscribe_all": "1"})
    assert response.status_code == 404
    assert "<h1>" in response.content.decode()
    if how != "deleted":
        assert queries.subscribed_ids("ana@example.org")


# --- One-click unsubscribe (RFC 8058) --------------------------------------------


def test_one_click_post_needs_no_session_or_token_and_is_idempotent(ana):
    strict = Client(enforce_csrf_checks=True)
    url = path_of(queries.one_click_unsubscribe_url(ana))
    for _ in range(2):
        response = strict.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
    ana.refresh_from_db()
    assert ana.state == SubscriptionState.UNSUBSCRIBED
    events = SubscriptionEvent.objects.filter(kind=EventKind.UNSUBSCRIBED)
    assert [e.reason for e in events] == ["one_click"]


def test_one_click_get_only_asks(client, ana):
    url = path_of(queries.one_click_unsubscribe_url(ana))
    page = client.get(url).content.decode()
    assert "Unsubscribe from The Morning Edition?" in page
    ana.refresh_from_db()
    assert ana.state == SubscriptionState.SUBSCRIBED
    client.post(url)
    ana.refresh_from_db()
    assert ana.state == SubscriptionState.UNSUBSCRIBED


def test_a_forged_one_click_link_changes_nothing(ana):
    url = path_of(queries.one_click_unsubscribe_url(ana))
    response = Client().post(url.replace(ana.token.hex[:4], "0000"))
    assert response.status_code == 404
    ana.refresh_from_db()
    assert ana.state == SubscriptionState.SUBSCRIBED


# --- Members ------------------------------------------------------------------------


@pytest.fixture
def signed_in(member) -> Client:
    browser = Client()
    browser.force_login(member)
    return browser


def test_account_page_shows_and_saves_newsletters(
    signed_in, member, morning, weekly, insider
):
    page = signed_in.get("/account/").content.decode()
    assert 'id="acct-newsletters"' in page
    assert "Long Reads Weekly" in page and "Insider" not in page
    response = signed_in.post("/newsletters/account/", {"newsletters": ["long-reads"]})
    assert response.status_code == 302
    row = Subscription.objects.get()
    assert (row.newsletter, row.member, row.source) == (weekly, member, "account")
    assert row.state == SubscriptionState.SUBSCRIBED
    signed_in.post("/newsletters/account/", {"newsletters": []})
    row.refresh_from_db()
    assert row.state == SubscriptionState.UNSUBSCRIBED


def test_a_free_member_cannot_post_a_paid_newsletter(signed_in, insider):
    response = signed_in.post("/newsletters/account/", {"newsletters": ["insider"]})
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_the_account_form_needs_a_signed_in_member(client, morning):
    response = client.post("/newsletters/account/", {"newsletters": ["morning"]})
    assert response.status_code == 302 and "/account/signin/" in response["Location"]
    assert not Subscription.objects.exists()


def test_a_new_member_gets_the_default_newsletters_ticked(client, morning, weekly):
    page = client.get("/account/signup/").content.decode()
    assert 'value="morning" id="id_choices_0" checked' in page
    assert 'value="long-reads" id="id_choices_1" checked' not in page
    client.post(
        "/account/signup/", {"email": "new@example.org", "choices": ["morning"]}
    )
    link = path_of(
        next(
            w
            for w in mail.outbox[-1].body.split()
            if w.startswith("http") and "/account/" in w
        )
    )
    client.post(link)
    row = Subscription.objects.get()
    assert (row.newsletter, row.email, row.state, row.source) == (
        morning,
        "new@example.org",
        "subscribed",
        "member_signup",
    )
    assert row.member.email == "new@example.org"
