"""The admin shows and takes dates in the publication's time zone (issue 12)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from herald.newsroom.testing import (
    EDITORS,
    admin_form_data,
    article_body_form_data,
    make_article,
    make_section,
    make_staff,
    set_publication,
)

pytestmark = pytest.mark.django_db


def _tomorrow_at_five_in(zone_name: str) -> tuple[str, datetime]:
    import zoneinfo

    zone = zoneinfo.ZoneInfo(zone_name)
    day = (timezone.now().astimezone(zone) + timedelta(days=1)).date()
    local = datetime(day.year, day.month, day.day, 17, 0, tzinfo=zone)
    return local.strftime("%Y-%m-%d %H:%M"), local.astimezone(UTC)


def _schedule_in_admin(client, article, typed: str):
    url = reverse("wagtailadmin_pages:edit", args=(article.pk,))
    data = admin_form_data(
        client, url, go_live_at=typed, **article_body_form_data(["Tonight."])
    )
    data["action-publish"] = "Publish"
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    article.refresh_from_db()
    return article.scheduled_revision.approved_go_live_at


def test_editor_without_a_zone_of_their_own_schedules_in_the_publications(
    client, settings
):
    # given: a server on UTC and a publication in Amsterdam
    assert settings.TIME_ZONE == "UTC"
    set_publication(time_zone="Europe/Amsterdam")
    editor = make_staff(EDITORS)
    article = make_article(make_section("Politics"), "Budget vote", publish=False)
    client.force_login(editor)
    typed, expected = _tomorrow_at_five_in("Europe/Amsterdam")

    # when: they type 17:00 in the schedule
    go_live_at = _schedule_in_admin(client, article, typed)

    # then: it goes live at 17:00 in Amsterdam, not 17:00 UTC
    assert go_live_at == expected
    assert go_live_at.astimezone(UTC).hour in (15, 16)  # CEST or CET
    # and nothing about the account's own choice was saved
    assert not UserProfile.objects.filter(user=editor).exclude(current_time_zone="")


def test_the_editor_sees_the_zone_next_to_date_fields_and_local_times(client):
    set_publication(time_zone="Europe/Amsterdam")
    editor = make_staff(EDITORS)
    article = make_article(make_section("Politics"), "Budget vote", publish=False)
    client.force_login(editor)
    typed, _expected = _tomorrow_at_five_in("Europe/Amsterdam")
    _schedule_in_admin(client, article, typed)

    page = client.get(reverse("wagtailadmin_pages:edit", args=(article.pk,)))

    html = page.content.decode()
    assert "Time zone: Europe/Amsterdam" in html
    assert "Time zone: UTC" not in html
    assert typed in html  # the scheduled time reads back as typed


def test_an_account_with_its_own_zone_keeps_it(client):
    set_publication(time_zone="Europe/Amsterdam")
    editor = make_staff(EDITORS)
    UserProfile.objects.create(user=editor, current_time_zone="America/New_York")
    article = make_article(make_section("Politics"), "Budget vote", publish=False)
    client.force_login(editor)
    typed, _ = _tomorrow_at_five_in("America/New_York")

    go_live_at = _schedule_in_admin(client, article, typed)

    _, expected = _tomorrow_at_five_in("America/New_York")
    assert go_live_at == expected


def test_reader_pages_are_not_touched_by_the_admin_zone(client):
    # An unknown zone in the settings falls back to UTC everywhere.
    set_publication(time_zone="Europe/Amsterdam")
    make_section("Politics")
    response = client.get("/politics/")
    assert response.status_code == 200


def test_account_settings_offer_the_publications_zone_not_the_servers(client):
    # given an editor of a publication on Tahiti time, with no zone of their own
    set_publication(time_zone="Pacific/Tahiti")
    editor = make_staff(EDITORS)
    client.force_login(editor)
    url = reverse("wagtailadmin_account")

    html = client.get(url).content.decode()

    # then the empty choice names the publication's zone, not the server's
    assert "Use the publication’s time zone (Pacific/Tahiti)" in html
    assert "Use server time zone" not in html
    assert 'data-w-locale-server-time-zone-param="Pacific/Tahiti"' in html

    # when they save their settings leaving it, nothing of the zone is stored
    data = admin_form_data(
        client,
        url,
        form_id="w-editor-form",
        **{"name_email-first_name": "Maren", "name_email-last_name": "Oduya"},
    )
    assert data["locale-current_time_zone"] == ""
    assert client.post(url, data).status_code == 302
    assert UserProfile.objects.get(user=editor).current_time_zone == ""

    # and a zone of their own, once chosen, is kept and shown as chosen
    data["locale-current_time_zone"] = "America/New_York"
    assert client.post(url, data).status_code == 302
    assert UserProfile.objects.get(user=editor).current_time_zone == (
        "America/New_York"
    )
    assert "America/New_York" in client.get(url).content.decode()


def test_account_settings_are_closed_to_readers(client):
    from herald.members.models import User

    reader = User.objects.create_user("reader@example.org")
    client.force_login(reader)

    response = client.get(reverse("wagtailadmin_account"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert "Use the publication" not in response.content.decode()
