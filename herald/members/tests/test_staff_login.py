"""Staff sign-in to the Wagtail admin: email or short name, lockout, session safety."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery"
WRONG = "not-the-password"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(
        "ada@herald.example", PASSWORD, first_name="Ada"
    )


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader@herald.example", PASSWORD)


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("username", ["ada@herald.example", "ADA@Herald.Example"])
def test_staff_signs_in_with_email(client, staff, username):
    response = sign_in(client, username, PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(staff.pk)


@pytest.mark.parametrize("username", ["ada", "Ada", " ada "])
def test_staff_signs_in_with_the_part_before_the_at(client, staff, username):
    response = sign_in(client, username, PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(staff.pk)


def test_short_name_does_not_sign_in_a_member_who_is_not_staff(client, reader):
    response = sign_in(client, "reader", PASSWORD)

    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    assert b"didn" in response.content  # the form's "didn't match" error


def test_short_name_shared_by_two_staff_accounts_is_refused_cleanly(
    client, django_user_model
):
    django_user_model.objects.create_superuser("sam@one.example", PASSWORD)
    django_user_model.objects.create_superuser("sam@two.example", PASSWORD)

    response = sign_in(client, "sam", PASSWORD)

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_wrong_password_is_refused(client, staff):
    response = sign_in(client, "ada@herald.example", WRONG)

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_fifth_wrong_password_locks_the_account_with_the_branded_429_page(
    client, staff
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "ada@herald.example", WRONG).status_code == 200

    response = sign_in(client, "ada@herald.example", WRONG)

    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many sign-in attempts" in body
    assert "15 minutes" in body
    assert "ada@herald.example" not in body
    assert int(response["Retry-After"]) == 15 * 60
    assert "'nonce-" not in response["Content-Security-Policy"]  # admin policy


def test_right_password_is_refused_during_lockout(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ada@herald.example", WRONG)

    response = sign_in(client, "ada@herald.example", PASSWORD)

    assert response.status_code == 429
    assert signed_in_user_id(client) is None
    assert client.get("/admin/").status_code == 302  # still sent to the login


def test_lockout_counts_every_spelling_of_one_account(client, staff):
    for username in ["ada", "Ada", "ADA@herald.example", "ada@Herald.Example"]:
        assert sign_in(client, username, WRONG).status_code == 200

    response = sign_in(client, "ada", WRONG)

    assert response.status_code == 429
    assert sign_in(client, "ada@herald.example", PASSWORD).status_code == 429
    assert signed_in_user_id(client) is None


def test_lockout_holds_the_account_whatever_address_the_guesses_come_from(
    client, staff
):
    # given: each wrong password from a new address
    answers = [
        sign_in(
            Client(REMOTE_ADDR=f"203.0.113.{i + 1}"), "ada@herald.example", WRONG
        ).status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    # when: a sixth address tries, even with the right password
    other = Client(REMOTE_ADDR="198.51.100.7")
    response = sign_in(other, "ada@herald.example", PASSWORD)

    # then
    assert response.status_code == 429
    assert signed_in_user_id(other) is None


def test_five_failures_from_one_address_lock_it_for_every_account(
    client, staff, django_user_model
):
    # given: password spraying, one guess per account from one address
    django_user_model.objects.create_superuser("bea@herald.example", PASSWORD)
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"user{i}@herald.example", WRONG)

    # when
    response = sign_in(client, "bea@herald.example", PASSWORD)

    # then: refused there, while the account itself is not locked elsewhere
    assert response.status_code == 429
    assert signed_in_user_id(client) is None
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(elsewhere, "bea@herald.example", PASSWORD).status_code == 302


def test_session_cookie_is_http_only_and_same_site_lax(client, staff):
    sign_in(client, "ada@herald.example", PASSWORD)

    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_session_id_changes_at_sign_in(client, staff):
    # given: an anonymous session with a known id (e.g. planted by an attacker)
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == before

    # when
    sign_in(client, "ada@herald.example", PASSWORD)

    # then
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert signed_in_user_id(client) == str(staff.pk)
    assert after != before
    from django.contrib.sessions.backends.db import SessionStore

    assert not SessionStore().exists(before)


def test_old_session_cookie_is_rejected_after_sign_out(client, staff):
    sign_in(client, "ada@herald.example", PASSWORD)
    old = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/admin/").status_code == 200

    client.post("/admin/logout/")

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old
    response = replay.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert b"Ada" not in response.content


@override_settings(
    SESSION_COOKIE_NAME="__Host-sessionid",
    CSRF_COOKIE_NAME="__Host-csrftoken",
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_with_production_cookie_settings_cookies_are_host_prefixed_and_secure(
    staff,
):
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN, secure=True)
    token = page.cookies["__Host-csrftoken"].value

    response = client.post(
        LOGIN,
        {"username": "ada", "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_REFERER="https://testserver/admin/login/",
    )

    assert response.status_code == 302
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        header = client.cookies[name].output()
        assert "Secure" in header
        assert "Path=/" in header
        assert "Domain" not in header
        assert "SameSite=Lax" in header
    assert "HttpOnly" in client.cookies["__Host-sessionid"].output()


# --- Staff status follows the newsroom groups -----------------------------------

NEWSROOM_GROUPS = ["Contributors", "Editors", "Moderators", "Administrators"]


def group(name: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)


@pytest.mark.parametrize("name", NEWSROOM_GROUPS)
def test_adding_a_user_to_a_newsroom_group_makes_them_staff(reader, name):
    reader.groups.add(group(name))

    reader.refresh_from_db()
    assert reader.is_staff is True
    assert reader.is_newsroom_account is True


def test_adding_users_from_the_group_side_makes_them_staff(reader, django_user_model):
    other = django_user_model.objects.create_user("other@herald.example")

    group("Editors").user_set.add(reader, other)

    assert set(
        django_user_model.objects.filter(is_staff=True).values_list("email", flat=True)
    ) == {"reader@herald.example", "other@herald.example"}


def test_a_group_outside_the_newsroom_does_not_make_staff(reader):
    from django.contrib.auth.models import Group

    reader.groups.add(Group.objects.create(name="Book club"))

    reader.refresh_from_db()
    assert reader.is_staff is False
    assert reader.is_newsroom_account is False


def test_a_new_group_that_opens_the_admin_makes_its_users_newsroom_accounts(reader):
    from django.contrib.auth.models import Group, Permission

    # given: an administrator invents a role with Wagtail admin access
    sales = Group.objects.create(name="Sales")
    sales.permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )

    # when
    reader.groups.add(sales)

    # then
    reader.refresh_from_db()
    assert reader.is_staff is True
    assert reader.is_newsroom_account is True


def test_admin_access_granted_to_the_user_directly_makes_a_newsroom_account(reader):
    from django.contrib.auth.models import Permission

    reader.user_permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )

    assert reader.is_newsroom_account is True
    assert reader.is_member_only is False


@pytest.mark.parametrize(
    "how", ["remove", "clear", "set", "group_remove", "group_clear"]
)
def test_leaving_every_newsroom_group_ends_staff_status(reader, how):
    editors, contributors = group("Editors"), group("Contributors")
    reader.groups.add(editors, contributors)

    if how == "remove":
        reader.groups.remove(editors)
        reader.refresh_from_db()
        assert reader.is_staff is True  # still a contributor
        reader.groups.remove(contributors)
    elif how == "clear":
        reader.groups.clear()
    elif how == "set":
        reader.groups.set([])
    elif how == "group_remove":
        editors.user_set.remove(reader)
        contributors.user_set.remove(reader)
    else:
        editors.user_set.clear()
        contributors.user_set.clear()

    reader.refresh_from_db()
    assert reader.is_staff is False
    assert reader.is_newsroom_account is False


def test_a_superuser_stays_staff_after_leaving_every_group(staff):
    staff.groups.add(group("Editors"))
    staff.groups.clear()

    staff.refresh_from_db()
    assert staff.is_staff is True
    assert staff.is_newsroom_account is True


def test_an_account_made_in_the_admin_with_a_newsroom_group_is_staff(
    client, staff, django_user_model
):
    # given: a superuser adds an editor through Settings -> Users
    client.force_login(staff)

    # when
    response = client.post(
        "/admin/users/new/",
        {
            "email": "new.editor@herald.example",
            "first_name": "Nell",
            "last_name": "Editor",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "groups": [group("Editors").pk],
        },
    )

    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    created = django_user_model.objects.get(email="new.editor@herald.example")
    assert created.is_staff is True
    assert created.is_newsroom_account is True


def test_an_account_made_in_the_admin_without_a_group_is_not_staff(
    client, staff, django_user_model
):
    client.force_login(staff)

    response = client.post(
        "/admin/users/new/",
        {
            "email": "plain@herald.example",
            "first_name": "Pat",
            "last_name": "Plain",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    created = django_user_model.objects.get(email="plain@herald.example")
    assert created.is_staff is False
    assert created.is_newsroom_account is False


def test_members_admin_lists_no_newsroom_account_even_without_the_staff_flag(
    client, staff, reader, django_user_model
):
    # given: a newsroom group member whose staff flag was never set (raw insert)
    writer = django_user_model.objects.create_user("writer@herald.example")
    django_user_model.groups.through.objects.create(
        user=writer, group=group("Contributors")
    )
    client.force_login(staff)

    # when
    html = client.get("/admin/members/").content.decode()

    # then
    assert "reader@herald.example" in html
    assert "writer@herald.example" not in html
