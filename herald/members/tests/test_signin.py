"""Passwordless sign-up and sign-in: magic links, codes, limits, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from herald.members.models import EventKind, LoginToken, MemberEvent, User

from .conftest import CODE_RE, Client, last_code, last_link, last_mail, path_of

pytestmark = pytest.mark.django_db


def ask_signin(client: Client, email: str):  # type: ignore[no-untyped-def]
    return client.post("/account/signin/", {"email": email})


def session_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- Sign-up (double opt-in) --------------------------------------------------


def test_signup_creates_no_account_until_the_email_is_confirmed(client):
    response = client.post(
        "/account/signup/", {"email": "New@Example.org", "name": "Nia"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/code/"
    assert not User.objects.filter(email="new@example.org").exists()
    message = last_mail("new@example.org")
    assert "/account/signup/confirm/" in message.body
    assert last_code("new@example.org")


def test_opening_the_confirmation_link_only_shows_a_button(client):
    client.post("/account/signup/", {"email": "new@example.org"})
    link = path_of(last_link("new@example.org"))

    response = Client().get(link)

    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert not User.objects.filter(email="new@example.org").exists()


def test_confirming_signup_creates_the_member_signs_in_and_records_it(client):
    client.post("/account/signup/", {"email": "new@example.org", "name": "Nia"})
    link = path_of(last_link("new@example.org"))
    browser = Client()
    browser.get(link)

    response = browser.post(link)

    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.name == "Nia"
    assert user.email_confirmed_at is not None
    assert session_user_id(browser) == str(user.pk)
    assert MemberEvent.objects.filter(user=user, kind=EventKind.SIGNED_UP).exists()


def test_signup_with_a_known_email_looks_the_same_and_sends_a_signin_email(
    client, member
):
    response = client.post("/account/signup/", {"email": "reader@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/account/code/"
    assert "/account/signin/link/" in last_mail("reader@example.org").body
    assert User.objects.filter(email__iexact="reader@example.org").count() == 1


def test_signup_with_something_that_is_not_an_email_is_a_form_error(client):
    response = client.post("/account/signup/", {"email": "not-an-email"})

    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert mail.outbox == []
    assert not LoginToken.objects.exists()


# --- Sign-in by link ----------------------------------------------------------


def test_signin_link_signs_in_only_on_post_and_rotates_the_session(client, member):
    client.get("/account/signin/")
    ask_signin(client, "reader@example.org")
    before = client.session.session_key
    link = path_of(last_link("reader@example.org"))

    shown = client.get(link)
    assert shown.status_code == 200
    assert session_user_id(client) is None

    response = client.post(link)

    assert response.status_code == 302
    assert session_user_id(client) == str(member.pk)
    assert client.session.session_key != before


def test_signin_link_works_once(client, member):
    ask_signin(client, "reader@example.org")
    link = path_of(last_link("reader@example.org"))
    Client().post(link)

    second = Client()
    response = second.post(link)

    assert response.status_code == 410
    assert b"already used" in response.content
    assert b"/account/signin/" in response.content  # offers a new link
    assert session_user_id(second) is None


def test_signin_link_expires_after_ten_minutes(client, member):
    start = timezone.now()
    with freeze_time(start):
        ask_signin(client, "reader@example.org")
        link = path_of(last_link("reader@example.org"))
    with freeze_time(start + timedelta(seconds=601)):
        browser = Client()
        response = browser.post(link)

    assert response.status_code == 410
    assert b"expired" in response.content
    assert session_user_id(browser) is None


def test_signin_link_still_works_just_before_ten_minutes(client, member):
    start = timezone.now()
    with freeze_time(start):
        ask_signin(client, "reader@example.org")
        link = path_of(last_link("reader@example.org"))
    with freeze_time(start + timedelta(seconds=590)):
        browser = Client()
        response = browser.post(link)

    assert response.status_code == 302
    assert session_user_id(browser) == str(member.pk)


def test_a_link_is_bound_to_its_purpose(client, member):
    ask_signin(client, "reader@example.org")
    token = path_of(last_link("reader@example.org")).rstrip("/").rsplit("/", 1)[1]

    browser = Client()
    response = browser.post(f"/account/signup/confirm/{token}/")

    assert response.status_code == 404
    assert session_user_id(browser) is None
    # The token was not spent by the wrong door.
    assert browser.post(f"/account/signin/link/{token}/").status_code == 302


def test_a_made_up_link_gets_a_clear_page_offering_a_new_one(client):
    response = client.get("/account/signin/link/not-a-real-token/")

    assert response.status_code == 404
    assert b"/account/signin/" in response.content


def test_changing_the_email_invalidates_links_sent_to_the_old_address(client, member):
    ask_signin(client, "reader@example.org")
    link = path_of(last_link("reader@example.org"))
    User.objects.filter(pk=member.pk).update(email="other@example.org")

    browser = Client()
    response = browser.post(link)

    assert response.status_code == 403
    assert session_user_id(browser) is None


# --- Sign-in by code ----------------------------------------------------------


def test_signin_code_typed_on_the_page_signs_in(client, member):
    ask_signin(client, "reader@example.org")
    code = last_code("reader@example.org")

    response = client.post("/account/code/", {"code": f"{code[:3]} {code[3:]}"})

    assert response.status_code == 302
    assert session_user_id(client) == str(member.pk)


def test_wrong_code_says_how_many_attempts_are_left(client, member):
    ask_signin(client, "reader@example.org")
    code = last_code("reader@example.org")
    wrong = "000000" if code != "000000" else "111111"

    response = client.post("/account/code/", {"code": wrong})

    assert response.status_code == 400
    assert b"4 attempts left" in response.content
    assert session_user_id(client) is None


def test_after_a_wrong_code_the_page_states_one_number_of_attempts(client, member):
    ask_signin(client, "reader@example.org")
    code = last_code("reader@example.org")
    wrong = "000000" if code != "000000" else "111111"

    response = client.post("/account/code/", {"code": wrong})
    again = client.get("/account/code/")

    body = response.content.decode()
    assert "4 attempts left" in body
    assert "5 attempts left" not in body
    assert body.count("attempts left") == 1
    assert "4 attempts left" in again.content.decode()
    assert "5 attempts left" not in again.content.decode()


def test_five_wrong_codes_end_the_code_and_the_link(client, member):
    ask_signin(client, "reader@example.org")
    code = last_code("reader@example.org")
    link = path_of(last_link("reader@example.org"))
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post("/account/code/", {"code": wrong})

    response = client.post("/account/code/", {"code": code})

    assert session_user_id(client) is None
    assert response.status_code in (302, 410)
    assert Client().post(link).status_code == 410


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _a_wrong_code_for(email: str) -> str:
    """A code that is not the last one mailed to ``email`` (unknown: none is)."""
    found = CODE_RE.search(last_mail(email).body)
    return _wrong(found.group(1) + found.group(2) if found else "")


def test_a_new_code_gives_no_fresh_guesses_for_the_same_address(client, member):
    # given: three wrong guesses on a first code
    ask_signin(client, "reader@example.org")
    first = last_code("reader@example.org")
    for _ in range(3):
        client.post("/account/code/", {"code": _wrong(first)})

    # when: a new code is sent
    ask_signin(client, "reader@example.org")
    page = client.get("/account/code/").content.decode()

    # then: only the address's remaining guesses are offered
    assert "2 attempts left" in page
    second = last_code("reader@example.org")
    answer = client.post("/account/code/", {"code": _wrong(second)})
    assert "1 attempt left" in answer.content.decode()


@pytest.mark.parametrize("email", ["reader@example.org", "nobody@example.org"])
def test_five_wrong_codes_across_tokens_lock_the_address_and_burn_its_tokens(
    client, member, email
):
    # given: two open tokens for one address, five wrong codes between them
    ask_signin(client, email)
    for _ in range(3):
        client.post("/account/code/", {"code": _a_wrong_code_for(email)})
    ask_signin(client, email)
    client.post("/account/code/", {"code": _a_wrong_code_for(email)})

    # when
    response = client.post("/account/code/", {"code": _a_wrong_code_for(email)})

    # then: a clear refusal, every open token of the address is spent
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()
    assert not any(t.is_usable() for t in LoginToken.objects.filter(email=email))
    assert session_user_id(client) is None


def test_during_the_lockout_even_the_right_code_of_a_new_token_is_refused(
    client, member
):
    ask_signin(client, "reader@example.org")
    code = last_code("reader@example.org")
    for _ in range(5):
        client.post("/account/code/", {"code": _wrong(code)})

    ask_signin(client, "reader@example.org")
    fresh = last_code("reader@example.org")
    page = client.get("/account/code/").content.decode()
    response = client.post("/account/code/", {"code": fresh})

    assert "0 attempts left" in page
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()
    assert session_user_id(client) is None
    assert not LoginToken.objects.filter(used_at__isnull=False).exists()


def test_the_address_lockout_ends_after_fifteen_minutes(client, member):
    start = timezone.now()
    with freeze_time(start):
        ask_signin(client, "reader@example.org")
        code = last_code("reader@example.org")
        for _ in range(5):
            client.post("/account/code/", {"code": _wrong(code)})

    with freeze_time(start + timedelta(minutes=15, seconds=1)):
        ask_signin(client, "reader@example.org")
        response = client.post(
            "/account/code/", {"code": last_code("reader@example.org")}
        )

    assert response.status_code == 302
    assert session_user_id(client) == str(member.pk)


def test_wrong_codes_for_one_address_do_not_lock_another(client, member):
    ask_signin(client, "nobody@example.org")
    for _ in range(5):
        client.post("/account/code/", {"code": "000000"})

    browser = Client()
    ask_signin(browser, "reader@example.org")
    response = browser.post("/account/code/", {"code": last_code("reader@example.org")})

    assert response.status_code == 302
    assert session_user_id(browser) == str(member.pk)


def test_the_purge_forgets_wrong_codes_once_the_lockout_window_is_over(client, member):
    from herald.members import tasks
    from herald.members.models import CodeFailure

    start = timezone.now()
    with freeze_time(start):
        ask_signin(client, "reader@example.org")
        client.post("/account/code/", {"code": _a_wrong_code_for("reader@example.org")})
    with freeze_time(start + timedelta(minutes=9)):
        client.post("/account/code/", {"code": _a_wrong_code_for("reader@example.org")})
    stored = set(CodeFailure.objects.values_list("email_digest", flat=True))

    with freeze_time(start + timedelta(minutes=15, seconds=1)):
        removed = tasks.purge_expired_data()

    assert removed["code_failures"] == 1
    assert CodeFailure.objects.count() == 1
    assert "reader@example.org" not in str(stored)


def test_code_page_without_a_pending_request_sends_to_signin(client):
    response = client.get("/account/code/")

    assert response.status_code == 302
    assert response["Location"] == "/account/signin/"


# --- No enumeration, staff, limits --------------------------------------------


def test_known_and_unknown_emails_get_the_same_answer(member):
    known, unknown = Client(), Client()
    a = ask_signin(known, "reader@example.org")
    b = ask_signin(unknown, "nobody@example.org")
    assert (a.status_code, a["Location"]) == (b.status_code, b["Location"])

    page_a = known.get("/account/code/").content.decode()
    page_b = unknown.get("/account/code/").content.decode()

    assert _same_shape(page_a, page_b)


def _same_shape(a: str, b: str) -> bool:
    import re

    def strip(s: str) -> str:
        s = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", s)
        s = re.sub(r"nonce-[A-Za-z0-9+/=_-]+|nonce=\"[^\"]+\"", "", s)
        return s.replace("reader@example.org", "X").replace("nobody@example.org", "X")

    return strip(a) == strip(b)


def test_unknown_email_gets_an_invitation_to_sign_up_not_a_link(client):
    ask_signin(client, "nobody@example.org")

    message = last_mail("nobody@example.org")
    assert "/account/signup/" in message.body
    assert "/account/signin/link/" not in message.body
    assert not User.objects.filter(email="nobody@example.org").exists()


def test_staff_cannot_sign_in_by_magic_link_or_code(client, staff):
    ask_signin(client, "editor@example.org")

    message = last_mail("editor@example.org")
    assert "/account/signin/link/" not in message.body
    assert "/admin/login/" in message.body
    token = LoginToken.objects.get(email="editor@example.org")
    assert token.user is None
    for guess in ("000000", "123456"):
        client.post("/account/code/", {"code": guess})
    assert session_user_id(client) is None


def test_a_member_made_staff_after_the_link_was_sent_cannot_use_it(client, member):
    ask_signin(client, "reader@example.org")
    link = path_of(last_link("reader@example.org"))
    User.objects.filter(pk=member.pk).update(is_staff=True)

    browser = Client()
    response = browser.post(link)

    assert response.status_code == 403
    assert session_user_id(browser) is None


def _join_newsroom_group_without_signals(user: User, name: str) -> None:
    """Put ``user`` in a newsroom group the way a raw import would: no is_staff."""
    from django.contrib.auth.models import Group

    User.groups.through.objects.create(user=user, group=Group.objects.get(name=name))


@pytest.mark.parametrize(
    "group", ["Contributors", "Editors", "Moderators", "Administrators"]
)
def test_newsroom_group_account_gets_no_working_link_or_code(client, member, group):
    # given: a newsroom account whose staff flag was never set
    _join_newsroom_group_without_signals(member, group)
    User.objects.filter(pk=member.pk).update(is_staff=False)
    unknown = Client()

    # when
    answer = ask_signin(client, "reader@example.org")
    other = ask_signin(unknown, "nobody@example.org")

    # then: the requester sees what an unknown address gets, the inbox no way in
    assert (answer.status_code, answer["Location"]) == (
        other.status_code,
        other["Location"],
    )
    assert _same_shape(
        client.get("/account/code/").content.decode(),
        unknown.get("/account/code/").content.decode(),
    )
    message = last_mail("reader@example.org")
    assert "/account/signin/link/" not in message.body
    assert not CODE_RE.search(message.body)
    token = LoginToken.objects.get(email="reader@example.org")
    assert token.user is None
    for guess in ("000000", "123456", "999999"):
        client.post("/account/code/", {"code": guess})
    assert session_user_id(client) is None


def test_a_member_put_in_a_newsroom_group_after_the_link_was_sent_cannot_use_it(
    client, member
):
    ask_signin(client, "reader@example.org")
    code = last_code("reader@example.org")
    ask_signin(Client(), "reader@example.org")
    link = path_of(last_link("reader@example.org"))
    _join_newsroom_group_without_signals(member, "Contributors")

    browser = Client()
    by_link = browser.post(link)
    by_code = client.post("/account/code/", {"code": code})

    assert by_link.status_code == 403
    assert session_user_id(browser) is None
    assert by_code.status_code == 403
    assert session_user_id(client) is None


def test_signup_confirmation_does_not_sign_in_a_newsroom_account(client, member):
    client.post("/account/signup/", {"email": "new@example.org"})
    link = path_of(last_link("new@example.org"))
    newsroom = User.objects.create_user("new@example.org")
    _join_newsroom_group_without_signals(newsroom, "Editors")

    browser = Client()
    response = browser.post(link)

    assert response.status_code == 403
    assert session_user_id(browser) is None


@pytest.mark.parametrize("email", ["reader@example.org", "nobody@example.org"])
def test_sixth_link_request_for_one_email_in_15_minutes_is_429(member, email):
    for i in range(5):
        response = Client(REMOTE_ADDR=f"10.0.0.{i}").post(
            "/account/signin/", {"email": email}
        )
        assert response.status_code == 302

    response = Client(REMOTE_ADDR="10.0.1.1").post("/account/signin/", {"email": email})

    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_too_many_requests_from_one_address_are_429(client):
    codes = [
        client.post("/account/signin/", {"email": f"r{i}@example.org"}).status_code
        for i in range(31)
    ]

    assert codes[:30] == [302] * 30
    assert codes[30] == 429


def test_signup_is_rate_limited_per_email(client):
    for i in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{i}").post(
            "/account/signup/", {"email": "spam@example.org"}
        )

    response = Client(REMOTE_ADDR="10.0.2.2").post(
        "/account/signup/", {"email": "spam@example.org"}
    )

    assert response.status_code == 429
    assert len(mail.outbox) == 5


# --- Sign-out -----------------------------------------------------------------


def test_signout_needs_a_post(client, member):
    client.force_login(member)

    assert client.get("/account/signout/").status_code == 405
    assert session_user_id(client) == str(member.pk)
    client.post("/account/signout/")
    assert session_user_id(client) is None


def test_signout_everywhere_ends_every_session(member):
    phone, laptop = Client(), Client()
    phone.force_login(member)
    laptop.force_login(member)
    assert laptop.get("/account/").status_code == 200

    phone.post("/account/signout/everywhere/")

    response = laptop.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/signin/")
    assert MemberEvent.objects.filter(
        user=member, kind=EventKind.SIGNED_OUT_EVERYWHERE
    ).exists()


def test_after_logout_the_old_session_cookie_is_rejected(member):
    browser = Client()
    browser.force_login(member)
    old = browser.cookies[settings.SESSION_COOKIE_NAME].value
    browser.post("/account/signout/")

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old
    response = replay.get("/account/")

    assert response.status_code == 302


def test_signup_fields_for_newsletters_appear_only_when_an_app_offers_them(client):
    from herald.members import hooks

    assert b'name="choices"' not in client.get("/account/signup/").content

    def provider() -> list[tuple[str, str]]:
        return [("weekly", "The Weekly")]

    hooks.register_signup_choices(provider)
    try:
        page = client.get("/account/signup/").content
        client.post(
            "/account/signup/", {"email": "n@example.org", "choices": ["weekly"]}
        )
    finally:
        hooks.unregister_signup_choices(provider)

    assert b'name="choices"' in page
    assert LoginToken.objects.get(email="n@example.org").data["choices"] == ["weekly"]
