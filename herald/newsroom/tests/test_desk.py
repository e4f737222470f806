"""The newsroom's desk in the Wagtail admin: dashboard, story list, newsroom words."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission

from herald.members.models import AccessLevel
from herald.newsroom import actions
from herald.newsroom.models import ArticlePage
from herald.newsroom.testing import (
    CONTRIBUTORS,
    EDITORS,
    admin_form_data,
    article_body_form_data,
    capture_events,
    make_article,
    make_author,
    make_section,
    make_staff,
    set_publication,
)

pytestmark = pytest.mark.django_db

HOME = reverse("wagtailadmin_home")
STORIES = "/admin/stories/"


@pytest.fixture
def editor():
    return make_staff(EDITORS)


@pytest.fixture
def desk(editor):
    """A day on the desk: drafts, a scheduled story, today's stories, a correction."""
    world = make_section("World")
    city = make_section("City")
    ada = make_author("Ada Quill", user=editor)
    bo = make_author("Bo Ink")
    draft = make_article(world, "Draft about the tram strike", publish=False)
    draft.save_revision(user=editor)
    scheduled = make_article(city, "Embargoed budget report", publish=False)
    actions.schedule_article(
        scheduled, go_live_at=timezone.now() + timedelta(days=1), user=editor
    )
    today = make_article(city, "Harbour reopens", authors=[ada, bo])
    old = make_article(
        world,
        "Last year's flood",
        authors=[bo],
        access_level=AccessLevel.PAID,
        published_at=timezone.now() - timedelta(days=400),
    )
    actions.correct_article(today, text="An earlier version named the wrong quay.")
    return {
        "world": world,
        "city": city,
        "ada": ada,
        "bo": bo,
        "draft": draft,
        "scheduled": scheduled,
        "today": today,
        "old": old,
    }


def test_dashboard_is_the_newsroom_desk(client, editor, desk):
    client.force_login(editor)
    client.get(HOME)  # settings rows and the profile are made on first sight

    response = client.get(HOME)

    html = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "New story",
        "My drafts",
        "Scheduled to go live",
        "Published today",
        "Recently corrected",
    ):
        assert heading in html
    add_world = reverse(
        "wagtailadmin_pages:add", args=("newsroom", "articlepage", desk["world"].pk)
    )
    assert add_world in html
    assert "New story in World" in html
    assert "Draft about the tram strike" in html
    assert "Embargoed budget report" in html
    assert editor.get_username() in html or editor.get_full_name() in html
    assert "An earlier version named the wrong quay." in html
    # Wagtail's own "most recent edits" panel is replaced by "My drafts".
    assert "Your most recent edits" not in html


def _panel(html: str, name: str) -> str:
    """The dashboard panel whose id starts with ``name``, up to the next panel."""
    start = html.index(f'id="{name}')
    rest = html[start:]
    end = rest.find("</section>")
    return rest if end == -1 else rest[:end]


def test_desk_shows_who_scheduled_and_what_awaits_review(client, editor, desk):
    # given a story the editor scheduled, and one a contributor submitted
    editor.first_name, editor.last_name = "Maren", "Oduya"
    editor.save(update_fields=["first_name", "last_name"])
    contributor = make_staff(CONTRIBUTORS)
    submitted = make_article(desk["city"], "Ferry timetable changes", publish=False)
    submitted.owner = contributor
    submitted.save(update_fields=["owner"])
    submitted.save_revision(user=contributor)
    submitted.get_workflow().start(submitted, contributor)
    client.force_login(editor)

    html = client.get(HOME).content.decode()

    # then the schedule names who set it, next to the story
    scheduled = _panel(html, "newsroom_scheduled")
    assert "Embargoed budget report" in scheduled
    assert "Scheduled by" in scheduled and "Maren Oduya" in scheduled
    assert "Ferry timetable changes" not in scheduled
    # and Wagtail's review panel lists the submitted story for the editor
    review = html[html.index("Awaiting your review") :]
    assert "Ferry timetable changes" in review[: review.index("</table>")]


def test_published_today_leaves_out_yesterdays_stories(client, editor, desk):
    client.force_login(editor)

    html = client.get(HOME).content.decode()

    panel = html[html.index("Published today") :]
    panel = panel[: panel.index("</section>")] if "</section>" in panel else panel
    assert "Harbour reopens" in panel
    assert "Last year&#x27;s flood" not in panel and "Last year's flood" not in panel


def test_contributor_sees_no_schedule_and_no_one_elses_drafts(client, desk):
    contributor = make_staff(CONTRIBUTORS)
    client.force_login(contributor)

    html = client.get(HOME).content.decode()

    assert "New story in World" in html
    assert "Scheduled to go live" not in html
    assert "Embargoed budget report" not in html
    assert "Draft about the tram strike" not in html


def test_dashboard_query_count_does_not_grow_with_stories(
    client, editor, desk, django_assert_max_num_queries
):
    client.force_login(editor)
    client.get(HOME)
    for n in range(8):
        make_article(desk["city"], f"Another story {n}")
        make_article(desk["world"], f"Another draft {n}", publish=False).save_revision(
            user=editor
        )

    with django_assert_max_num_queries(45):
        response = client.get(HOME)

    assert response.status_code == 200


def test_story_list_filters_by_section_author_status_access_and_date(
    client, editor, desk
):
    client.force_login(editor)

    def titles(**params):
        response = client.get(STORIES, params)
        assert response.status_code == 200, response.status_code
        html = response.content.decode()
        return {
            name
            for name in (
                "Draft about the tram strike",
                "Embargoed budget report",
                "Harbour reopens",
                "flood",
            )
            if name in html
        }

    assert titles() == {
        "Draft about the tram strike",
        "Embargoed budget report",
        "Harbour reopens",
        "flood",
    }
    assert titles(section=desk["world"].pk) == {"Draft about the tram strike", "flood"}
    assert titles(author=desk["bo"].pk) == {"Harbour reopens", "flood"}
    assert titles(status="scheduled") == {"Embargoed budget report"}
    assert titles(status="draft") == {"Draft about the tram strike"}
    assert titles(status="live") == {"Harbour reopens", "flood"}
    assert titles(access=AccessLevel.PAID) == {"flood"}
    since = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert titles(published_from=since) == {"Harbour reopens"}


def test_story_list_speaks_newsroom_words_and_shows_bylines(client, editor, desk):
    client.force_login(editor)

    html = client.get(STORIES).content.decode()

    assert "Headline" in html
    assert "Section" in html
    assert "Ada Quill, Bo Ink" in html


def test_story_list_bad_filter_values_are_a_form_error_not_a_500(client, editor, desk):
    client.force_login(editor)

    response = client.get(STORIES, {"section": "nope", "status": "sideways"})

    assert response.status_code == 200


def test_story_list_query_count_does_not_grow_with_stories(
    client, editor, desk, django_assert_max_num_queries
):
    client.force_login(editor)
    client.get(STORIES)
    for n in range(10):
        make_article(desk["city"], f"More news {n}", authors=[desk["ada"], desk["bo"]])

    with django_assert_max_num_queries(40):
        response = client.get(STORIES)

    assert response.status_code == 200
    assert "More news 9" in response.content.decode()


def test_contributor_story_list_shows_only_what_they_may_explore(client, desk):
    contributor = make_staff(CONTRIBUTORS)
    client.force_login(contributor)

    response = client.get(STORIES)

    assert response.status_code == 200


# --- Newsroom words ----------------------------------------------------------


def _add_url(section):
    return reverse(
        "wagtailadmin_pages:add", args=("newsroom", "articlepage", section.pk)
    )


def test_new_article_has_the_writers_byline_filled_in(client, editor):
    section = make_section("World")
    mine = make_author("Ada Quill", user=editor)
    make_author("Bo Ink")
    client.force_login(editor)

    response = client.get(_add_url(section))

    form = response.context["form"]
    first = form.formsets["article_authors"].forms[0]
    assert first["author"].value() == mine.pk
    html = response.content.decode()
    assert 'placeholder="Headline*"' in html
    assert "Page title" not in html


def test_new_article_without_an_author_profile_starts_with_an_empty_byline(
    client, editor
):
    section = make_section("World")
    make_author("Bo Ink")
    client.force_login(editor)

    response = client.get(_add_url(section))

    first = response.context["form"].formsets["article_authors"].forms[0]
    assert first["author"].value() in (None, "")


def test_tiers_are_ticked_boxes_shown_only_for_chosen_tiers(client, editor):
    from herald.members.models import Tier

    Tier.objects.create(name="Patron", slug="patron")
    section = make_section("World")
    client.force_login(editor)

    html = client.get(_add_url(section)).content.decode()

    assert 'type="checkbox" name="tiers"' in html
    assert 'data-w-rules="{&quot;access_level&quot;: [&quot;tiers&quot;]}"' in html
    assert 'data-controller="w-rules"' in html


def test_headline_field_wraps_and_a_line_break_becomes_a_space(client, editor):
    section = make_section("World")
    author = make_author("Ada Quill")
    client.force_login(editor)
    url = _add_url(section)
    html = client.get(url).content.decode()
    assert '<textarea name="title"' in html
    data = admin_form_data(
        client,
        url,
        title="A very long headline that\r\nruns on",
        slug="long-headline",
        **{"article_authors-0-author": str(author.pk)},
        **article_body_form_data(["Text."]),
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert ArticlePage.objects.get(slug="long-headline").title == (
        "A very long headline that runs on"
    )


def test_moving_a_story_to_another_section_is_one_action(client, editor):
    world = make_section("World")
    city = make_section("City")
    story = make_article(world, "Tram strike ends")
    old_url = story.url
    client.force_login(editor)
    url = reverse("newsroom_move_to_section", args=(story.pk,))

    page = client.get(url)
    assert page.status_code == 200
    assert "City" in page.content.decode()
    response = client.post(url, {"section": city.pk})

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.get_parent().pk == city.pk
    assert story.url_path.endswith("/city/" + story.slug + "/")
    client.logout()
    assert client.get(old_url).status_code in (301, 302)


def test_move_to_section_is_offered_in_the_story_list(client, editor):
    story = make_article(make_section("World"), "Tram strike ends")
    make_section("City")
    client.force_login(editor)

    html = client.get(STORIES).content.decode()

    assert reverse("newsroom_move_to_section", args=(story.pk,)) in html


def test_contributor_may_not_move_a_story(client, desk):
    contributor = make_staff(CONTRIBUTORS)
    client.force_login(contributor)
    story = desk["today"]

    response = client.post(
        reverse("newsroom_move_to_section", args=(story.pk,)),
        {"section": desk["world"].pk},
    )

    assert response.status_code in (302, 403)
    story.refresh_from_db()
    assert story.get_parent().pk == desk["city"].pk


def test_moving_to_a_section_the_editor_may_not_add_to_is_refused(client):
    # given: an editor whose rights cover only the City section
    world = make_section("World")
    city = make_section("City")
    story = make_article(city, "Tram strike ends")
    group = Group.objects.create(name="City desk")
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=city, permission_type=codename.split("_")[0]
        )
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = make_staff(EDITORS)
    user.groups.set([group])
    client.force_login(user)

    # when: they post World anyway
    response = client.post(
        reverse("newsroom_move_to_section", args=(story.pk,)), {"section": world.pk}
    )

    # then: a form error, and the story stays in City
    assert response.status_code in (400, 403)
    story.refresh_from_db()
    assert story.get_parent().pk == city.pk


# --- Corrections ---------------------------------------------------------------


def test_a_correction_moves_the_updated_time_and_is_announced(
    editor, django_capture_on_commit_callbacks
):
    story = make_article(make_section("City"), "Harbour reopens")
    assert story.display_updated_at is None

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        correction = actions.correct_article(
            story, text="The quay is the north one.", user=editor
        )

    story.refresh_from_db()
    assert story.display_updated_at == correction.date
    assert events.names() == ["article_updated", "article_corrected"]
    corrected = events[-1]
    assert corrected.extra["correction_ids"] == [correction.pk]
    assert corrected.extra["updated_at"] == correction.date
    assert corrected.user_id == editor.pk


def test_a_correction_may_leave_the_updated_time_alone(
    editor, django_capture_on_commit_callbacks
):
    story = make_article(make_section("City"), "Harbour reopens")

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.correct_article(
            story, text="A typo in a name.", user=editor, mark_updated=False
        )

    story.refresh_from_db()
    assert story.display_updated_at is None
    assert events[-1].name == "article_corrected"
    assert events[-1].extra["updated_at"] is None


def test_correcting_keeps_a_pending_draft_out_of_the_live_story(editor):
    story = make_article(make_section("City"), "Harbour reopens")
    draft = story.get_latest_revision_as_object()
    draft.title = "Harbour reopens (draft headline)"
    draft.save_revision(user=editor)
    story.refresh_from_db()

    actions.correct_article(story, text="The quay is the north one.", user=editor)

    story.refresh_from_db()
    assert story.title == "Harbour reopens"
    assert [c.text for c in story.corrections.all()] == ["The quay is the north one."]
    latest = story.get_latest_revision_as_object()
    assert latest.title == "Harbour reopens (draft headline)"
    assert [c.text for c in latest.corrections.all()] == ["The quay is the north one."]


def test_a_contributor_may_not_publish_a_correction():
    from django.core.exceptions import PermissionDenied

    story = make_article(make_section("City"), "Harbour reopens")
    with pytest.raises(PermissionDenied):
        actions.correct_article(story, text="Nope.", user=make_staff(CONTRIBUTORS))
    assert not story.corrections.exists()


def test_correction_added_in_the_admin_moves_updated_on_publish(client, editor):
    set_publication(time_zone="Europe/Amsterdam")
    story = make_article(make_section("City"), "Harbour reopens")
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=(story.pk,))
    data = admin_form_data(
        client,
        url,
        **{
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-date": "2026-03-02 10:30",
            "corrections-0-text": "The ferry left at nine, not ten.",
            "corrections-0-mark_updated": "on",
            "corrections-0-ORDER": "1",
            "corrections-0-id": "",
            "corrections-0-DELETE": "",
        },
        **article_body_form_data(["Text."]),
    )
    data["action-publish"] = "Publish"

    response = client.post(url, data)

    assert response.status_code == 302, response.content[:2000]
    story.refresh_from_db()
    assert story.corrections.count() == 1
    # 10:30 typed in Amsterdam (CET in March) is 09:30 UTC
    assert story.display_updated_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert story.corrections.first().date == story.display_updated_at
