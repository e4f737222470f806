"""Reactions: one per reader per article, changeable, counted, CSRF-safe on
pages that shared caches may keep, and rate limited."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from herald.newsroom.testing import EDITORS, make_staff
from herald.reactions.models import Reaction, ReactionSettings, parse_kinds
from herald.reactions.readers import COOKIE_NAME

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def react_url(article) -> str:  # type: ignore[no-untyped-def]
    return f"/reactions/react/{article.pk}/"


def member_token(client, article) -> str:  # type: ignore[no-untyped-def]
    html = client.get(article.url).content.decode()
    found = TOKEN_RE.search(html[html.index('id="reactions"') :])
    assert found, "signed-in readers get a token in the reaction form"
    return found.group(1)


def csrf(token: str) -> dict[str, str]:
    return {"csrfmiddlewaretoken": token}


def count_in(html: str, kind: str) -> int:
    found = re.search(rf'data-count="{kind}">(\d+)<', html)
    assert found, kind
    return int(found.group(1))


def test_article_page_shows_the_sites_reactions_with_zero_counts(anon_client, article):
    response = anon_client.get(article.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="reactions"' in html
    assert count_in(html, "like") == 0
    assert "public" in response["Cache-Control"]


def test_anonymous_page_carries_no_csrf_token_and_stays_public(anon_client, article):
    response = anon_client.get(article.url)
    html = response.content.decode()
    block = html[html.index('id="reactions"') :]
    assert "csrfmiddlewaretoken" not in block
    assert "public" in response["Cache-Control"]


def test_member_reacts_with_one_post_and_is_sent_back_to_the_article(
    member_client, article
):
    token = member_token(member_client, article)
    response = member_client.post(
        react_url(article), {"kind": "like", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 303
    assert response["Location"].endswith(f"{article.url}#reactions")
    html = member_client.get(article.url).content.decode()
    assert count_in(html, "like") == 1
    assert 'aria-pressed="true" data-kind="like"' in html


def test_member_changes_and_takes_back_a_reaction(member_client, member, article):
    token = member_token(member_client, article)
    member_client.post(react_url(article), {"kind": "like", **csrf(token)})
    member_client.post(react_url(article), {"kind": "sad", **csrf(token)})
    assert list(Reaction.objects.values_list("reader", "kind")) == [
        (f"m:{member.pk}", "sad")
    ]
    member_client.post(react_url(article), {"kind": "sad", **csrf(token)})
    assert not Reaction.objects.exists()


def test_post_without_token_changes_nothing_and_asks_to_confirm(anon_client, article):
    # given an anonymous reader on a page that carries no token
    response = anon_client.post(react_url(article), {"kind": "like"})
    # then nothing is recorded and a confirmation with a token is shown
    assert response.status_code == 200
    assert not Reaction.objects.exists()
    assert "private" in response["Cache-Control"]
    token = TOKEN_RE.search(response.content.decode()).group(1)
    # when the reader confirms
    response = anon_client.post(
        react_url(article), {"kind": "like", "csrfmiddlewaretoken": token}
    )
    # then one reaction is kept under the signed reader cookie
    assert response.status_code == 303
    assert COOKIE_NAME in response.cookies
    reaction = Reaction.objects.get()
    assert reaction.reader.startswith("a:") and reaction.kind == "like"
    # and the same reader changes it rather than adding a second one
    anon_client.post(react_url(article), {"kind": "sad", "csrfmiddlewaretoken": token})
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["sad"]


def test_forged_reader_cookie_is_not_trusted(anon_client, article):
    anon_client.cookies[COOKIE_NAME] = "not-a-signed-value"
    response = anon_client.post(react_url(article), {"kind": "like"})
    token = TOKEN_RE.search(response.content.decode()).group(1)
    anon_client.post(react_url(article), {"kind": "like", "csrfmiddlewaretoken": token})
    assert Reaction.objects.get().reader != "a:not-a-signed-value"


def test_json_reaction_answers_counts(member_client, article):
    token = member_token(member_client, article)
    response = member_client.post(
        react_url(article),
        {"kind": "insightful"},
        HTTP_ACCEPT="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert response.json() == {"counts": {"insightful": 1}, "mine": "insightful"}


def test_json_reaction_without_token_is_refused(anon_client, article):
    response = anon_client.post(
        react_url(article), {"kind": "like"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"
    assert not Reaction.objects.exists()


def test_unknown_kind_is_a_400_and_unknown_article_a_404(member_client, article):
    token = member_token(member_client, article)
    response = member_client.post(
        react_url(article), {"kind": "<script>", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()
    response = member_client.post(
        "/reactions/react/999999/", {"kind": "like", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 404
    assert not Reaction.objects.exists()


def test_get_is_not_allowed(anon_client, article):
    assert anon_client.get(react_url(article)).status_code == 405


@override_settings(HERALD_REACTIONS_RATES={"react_ip": "3/10m"})
def test_reaction_flood_from_one_address_is_429(anon_client, article):
    statuses = [
        anon_client.post(react_url(article), {"kind": "like"}).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    assert not Reaction.objects.exists()


def test_site_setting_changes_the_offered_reactions(anon_client, article):
    from wagtail.models import Site

    config = ReactionSettings.for_site(Site.objects.get(is_default_site=True))
    config.reactions = "love ❤️ Love\nbad-line\nlove 🙂 Again\nwow 😮 Wow"
    config.save()
    html = anon_client.get(article.url).content.decode()
    assert 'data-kind="love"' in html and 'data-kind="wow"' in html
    assert 'data-kind="like"' not in html
    config.reactions_enabled = False
    config.save()
    assert 'id="reactions"' not in anon_client.get(article.url).content.decode()


def test_parse_kinds_skips_malformed_lines():
    kinds = parse_kinds("a 1 A\n\nonlytwo x\nb/c 2 B\na 3 Dup\nd 4 D")
    assert [k.slug for k in kinds] == ["a", "d"]


def test_staff_render_first_then_anonymous_read_shows_no_staff_choice(
    anon_client, article
):
    # given a staff member reacted and rendered the page first
    staff = make_staff(EDITORS)
    from django.test import Client

    staff_client = Client()
    staff_client.force_login(staff)
    staff_client.post(react_url(article), {"kind": "wow-not-offered"})
    staff_client.post(react_url(article), {"kind": "like"})
    staff_html = staff_client.get(article.url).content.decode()
    assert 'aria-pressed="true" data-kind="like"' in staff_html
    assert "csrfmiddlewaretoken" in staff_html[staff_html.index('id="reactions"') :]
    # when an anonymous reader reads it
    response = anon_client.get(article.url)
    html = response.content.decode()
    # then the count is there, but neither the staff choice nor a token
    assert count_in(html, "like") == 1
    assert 'aria-pressed="true"' not in html
    assert "csrfmiddlewaretoken" not in html
    assert "public" in response["Cache-Control"]


def test_reaction_block_is_kept_for_anonymous_and_two_queries_for_members(
    anon_client, member_client, article
):
    anon_client.get(article.url)  # makes the settings row (a change: drops kept)
    anon_client.get(article.url)  # warm the kept renderings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        anon_client.get(article.url)
    reaction_queries = [
        q["sql"] for q in ctx.captured_queries if "reactions_reaction" in q["sql"]
    ]
    assert reaction_queries == []  # reader-neutral: kept
    token = member_token(member_client, article)
    member_client.post(react_url(article), {"kind": "like", **csrf(token)})
    member_client.get(article.url)  # the reaction moved the generation
    with CaptureQueriesContext(connection) as ctx:
        member_client.get(article.url)
    reaction_queries = [
        q["sql"] for q in ctx.captured_queries if "reactions_reaction" in q["sql"]
    ]
    assert len(reaction_queries) == 2


def test_deleting_an_article_deletes_its_reactions(member_client, article):
    token = member_token(member_client, article)
    member_client.post(react_url(article), {"kind": "like", **csrf(token)})
    article.delete()
    assert not Reaction.objects.exists()


def test_a_new_reaction_reaches_an_anonymous_kept_page(
    member_client, anon_client, article
):
    anon_client.get(article.url)
    assert count_in(anon_client.get(article.url).content.decode(), "like") == 0
    token = member_token(member_client, article)
    member_client.post(react_url(article), {"kind": "like", **csrf(token)})
    assert count_in(anon_client.get(article.url).content.decode(), "like") == 1
