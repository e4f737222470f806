"""The Author snippet form in the admin: who may be linked as its newsroom account."""

import re

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from herald.members.models import User
from herald.newsroom.models import Author
from herald.newsroom.testing import CONTRIBUTORS, EDITORS, make_author, make_staff

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_newsroom_author:add"
EDIT = "wagtailsnippets_newsroom_author:edit"


@pytest.fixture
def editor():
    return make_staff(EDITORS, email="eddie@newsroom.test")


@pytest.fixture
def reader():
    return User.objects.create_user("secret.reader@example.org", first_name="Rhoda")


def _user_options(html: str) -> str:
    select = re.search(r'<select name="user".*?</select>', html, re.S)
    assert select, "no newsroom account select on the page"
    return select.group(0)


def _author_form(client, url, **fields):  # type: ignore[no-untyped-def]
    html = client.get(url).content.decode()
    form_id = re.search(
        r'<form[^>]*id="([^"]+)"[^>]*>(?:(?!</form>).)*name="user"', html, re.S
    )
    assert form_id, "no author form on the page"
    data = querydict_from_html(html, form_id=form_id.group(1))
    for name, value in fields.items():
        data[name] = value
    return data


def test_newsroom_account_select_offers_newsroom_accounts_but_no_member(
    client, editor, reader
):
    # given: a contributor and a member who reads the site
    contributor = make_staff(CONTRIBUTORS, email="cora@newsroom.test")
    client.force_login(editor)

    # when
    page = client.get(reverse(ADD))

    # then
    options = _user_options(page.content.decode())
    assert page.status_code == 200
    assert f'value="{contributor.pk}"' in options
    assert f'value="{editor.pk}"' in options
    assert f'value="{reader.pk}"' not in options
    assert "secret.reader@example.org" not in page.content.decode()
    assert "Rhoda" not in page.content.decode()


def test_posting_a_member_as_the_newsroom_account_is_a_form_error(
    client, editor, reader
):
    client.force_login(editor)
    data = _author_form(
        client, reverse(ADD), name="Mira Okafor", slug="mira-okafor", user=reader.pk
    )

    response = client.post(reverse(ADD), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Author.objects.filter(slug="mira-okafor").exists()
    assert "secret.reader@example.org" not in response.content.decode()


def test_editing_an_author_cannot_link_a_member_either(client, editor, reader):
    author = make_author("Mira Okafor")
    client.force_login(editor)
    url = reverse(EDIT, args=(author.pk,))
    data = _author_form(client, url, user=reader.pk)

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    author.refresh_from_db()
    assert author.user is None


def test_an_author_can_be_linked_to_a_newsroom_account(client, editor):
    contributor = make_staff(CONTRIBUTORS, email="cora@newsroom.test")
    client.force_login(editor)
    data = _author_form(
        client,
        reverse(ADD),
        name="Cora Writer",
        slug="cora-writer",
        user=contributor.pk,
    )

    response = client.post(reverse(ADD), data)

    assert response.status_code == 302
    assert Author.objects.get(slug="cora-writer").user == contributor
