"""The newsroom's roles and editorial workflow, through the Wagtail admin's views."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import WorkflowState

from herald.newsroom.models import ArticlePage
from herald.newsroom.testing import (
    CONTRIBUTORS,
    EDITORS,
    MODERATORS,
    admin_form_data,
    article_body_form_data,
    capture_events,
    make_article,
    make_author,
    make_image,
    make_section,
    make_staff,
)

pytestmark = pytest.mark.django_db

HEADLINE = "Night trains return to the coast line"


@pytest.fixture
def section():
    return make_section("Transport")


@pytest.fixture
def author():
    return make_author("Mira Okafor")


@pytest.fixture
def contributor():
    return make_staff(CONTRIBUTORS)


@pytest.fixture
def editor():
    return make_staff(EDITORS)


def _edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def _article_form(client, url, *, author, title=HEADLINE, **fields):
    return admin_form_data(
        client,
        url,
        title=title,
        slug=fields.pop("slug", "night-trains"),
        **{"article_authors-0-author": str(author.pk)},
        **article_body_form_data(["The first train left at ten.", "More follow."]),
        **fields,
    )


def _submit_new_article(client, section, author):
    """As the logged-in user, write an article in the admin and submit it."""
    url = reverse(
        "wagtailadmin_pages:add", args=("newsroom", "articlepage", section.pk)
    )
    data = _article_form(client, url, author=author)
    data["action-submit"] = "Submit for moderation"
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    return ArticlePage.objects.get(slug="night-trains")


def _approve_url(article, action="approve"):
    task_state = article.current_workflow_task_state
    return reverse(
        "wagtailadmin_pages:workflow_action", args=(article.pk, action, task_state.pk)
    )


def test_contributor_writes_an_article_and_submits_it_for_review(
    client, section, author, contributor
):
    client.force_login(contributor)

    article = _submit_new_article(client, section, author)

    assert not article.live
    assert article.owner == contributor
    assert [a.author for a in article.article_authors.all()] == [author]
    state = article.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "Editorial review"
    assert state.current_task_state.task.name == "Editor approval"


def test_publish_is_not_offered_to_a_contributor_but_is_to_an_editor(
    client, section, contributor, editor
):
    article = make_article(section, HEADLINE, publish=False, owner=contributor)

    client.force_login(contributor)
    as_contributor = client.get(_edit_url(article))
    client.force_login(editor)
    as_editor = client.get(_edit_url(article))

    assert as_contributor.status_code == 200
    assert b'name="action-publish"' not in as_contributor.content
    assert b'name="action-submit"' in as_contributor.content
    assert b'name="action-publish"' in as_editor.content


def test_contributor_posting_publish_only_saves_a_draft(
    client, section, author, contributor, django_capture_on_commit_callbacks
):
    article = make_article(section, HEADLINE, publish=False, owner=contributor)
    client.force_login(contributor)
    data = _article_form(client, _edit_url(article), author=author, slug=article.slug)
    data["action-publish"] = "Publish"

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(_edit_url(article), data)

    article.refresh_from_db()
    assert response.status_code == 302
    assert not article.live
    assert article.first_published_at is None
    assert article.get_latest_revision_as_object().title == HEADLINE
    assert events == []


def test_contributor_cannot_edit_someone_elses_draft(client, section, contributor):
    other = make_staff(CONTRIBUTORS)
    article = make_article(section, "Somebody else's scoop", publish=False, owner=other)
    client.force_login(contributor)

    response = client.get(_edit_url(article))

    assert response.status_code in (302, 403)
    assert b"Somebody else" not in response.content


def test_editor_approves_a_submission_and_it_goes_live_once(
    client, section, author, contributor, editor, django_capture_on_commit_callbacks
):
    client.force_login(contributor)
    article = _submit_new_article(client, section, author)
    client.force_login(editor)

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(_approve_url(article))

    article.refresh_from_db()
    assert response.status_code == 302
    assert article.live
    assert article.current_workflow_state is None
    assert [(e.name, e.user_id) for e in events] == [("article_published", editor.pk)]
    assert client.get(article.url).status_code == 200


def test_editor_requests_changes_and_the_article_stays_a_draft(
    client, section, author, contributor, editor
):
    client.force_login(contributor)
    article = _submit_new_article(client, section, author)
    client.force_login(editor)

    response = client.post(
        _approve_url(article, "reject"), {"comment": "Add the timetable, please."}
    )

    article.refresh_from_db()
    assert response.status_code == 302
    assert not article.live
    state = WorkflowState.objects.for_instance(article).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "Add the timetable, please."


def test_contributor_cannot_approve_their_own_submission(
    client, section, author, contributor
):
    client.force_login(contributor)
    article = _submit_new_article(client, section, author)

    response = client.post(_approve_url(article))

    article.refresh_from_db()
    # Wagtail answers a refused admin action with a redirect to the dashboard.
    assert (response.status_code, response.get("Location")) in (
        (403, None),
        (302, reverse("wagtailadmin_home")),
    )
    assert not article.live
    assert article.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_editor_publishes_directly_from_the_editor(
    client, section, author, editor, django_capture_on_commit_callbacks
):
    article = make_article(section, "Draft headline", publish=False)
    client.force_login(editor)
    data = _article_form(client, _edit_url(article), author=author, slug=article.slug)
    data["action-publish"] = "Publish"

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(_edit_url(article), data)

    article.refresh_from_db()
    assert response.status_code == 302
    assert article.live
    assert article.title == HEADLINE
    assert events.names() == ["article_published"]


def test_editor_schedules_from_the_editor_and_nothing_is_public_yet(
    client, section, author, editor, django_capture_on_commit_callbacks
):
    article = make_article(section, HEADLINE, publish=False)
    client.force_login(editor)
    go_live = timezone.now() + timedelta(days=1)
    data = _article_form(
        client,
        _edit_url(article),
        author=author,
        slug=article.slug,
        go_live_at=timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M"),
    )
    data["action-publish"] = "Publish"

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(_edit_url(article), data)

    article.refresh_from_db()
    assert response.status_code == 302
    assert not article.live
    assert article.scheduled_revision is not None
    assert article.scheduled_revision.approved_go_live_at > timezone.now()
    assert events == []
    client.logout()
    assert client.get(article.url).status_code == 404


def test_preview_of_an_article_renders_the_draft(client, section, author, editor):
    article = make_article(section, "Old headline", publish=False)
    client.force_login(editor)
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(article.pk,))
    data = _article_form(
        client, _edit_url(article), author=author, slug=article.slug, title=HEADLINE
    )

    posted = client.post(preview_url, data)
    shown = client.get(preview_url)

    assert posted.status_code == 200
    assert posted.json()["is_valid"] is True
    assert shown.status_code == 200
    assert HEADLINE.encode() in shown.content
    assert b"The first train left at ten." in shown.content


def test_contributor_can_choose_images_and_authors(client, contributor):
    make_image(title="Platform at dusk")
    make_author("Mira Okafor")
    client.force_login(contributor)

    images = client.get(reverse("wagtailimages_chooser:choose"))
    authors = client.get(reverse("wagtailsnippetchoosers_newsroom_author:choose"))

    assert images.status_code == 200
    assert b"Platform at dusk" in images.content
    assert authors.status_code == 200
    assert b"Mira Okafor" in authors.content


def test_moderator_reaches_the_admin_but_no_article(client, section):
    article = make_article(section, "A story moderators may not edit", publish=False)
    client.force_login(make_staff(MODERATORS))

    dashboard = client.get(reverse("wagtailadmin_home"))
    edit = client.get(_edit_url(article))

    assert dashboard.status_code == 200
    assert edit.status_code in (302, 403)
    assert b"A story moderators may not edit" not in edit.content


def test_wagtails_default_groups_are_reconciled_with_the_newsroom_roles():
    names = set(Group.objects.values_list("name", flat=True))
    moderators = Group.objects.get(name=MODERATORS)
    editors = Group.objects.get(name=EDITORS)

    assert {CONTRIBUTORS, EDITORS, MODERATORS, "Administrators"} <= names
    assert not moderators.page_permissions.exists()
    # Admin access and the comment moderation desk (reactions 0004), nothing else.
    assert sorted(p.codename for p in moderators.permissions.all()) == [
        "access_admin",
        "moderate_comments",
    ]
    assert {p.permission.codename for p in editors.page_permissions.all()} >= {
        "add_page",
        "change_page",
        "publish_page",
    }


def test_dashboard_lists_scheduled_articles_for_editors_only(
    client, section, editor, contributor
):
    from herald.newsroom.actions import schedule_article

    article = make_article(section, "Embargoed budget report", publish=False)
    schedule_article(
        article, go_live_at=timezone.now() + timedelta(days=1), user=editor
    )

    client.force_login(editor)
    as_editor = client.get(reverse("wagtailadmin_home"))
    client.force_login(contributor)
    as_contributor = client.get(reverse("wagtailadmin_home"))

    assert b"Scheduled to go live" in as_editor.content
    assert b"Embargoed budget report" in as_editor.content
    assert b"Scheduled to go live" not in as_contributor.content
    assert b"Embargoed budget report" not in as_contributor.content


# Wagtail 8 autosaves the new-page form: its first autosave POSTs the form to the
# create URL (``Accept: application/json``), and only when that answer reaches the
# browser does the form get retargeted at the edit URL. A *Submit* pressed in
# between posts the whole form, with the paragraph typed last, to the create URL.
TYPED = ["The first train left at ten.", "More follow.", "Sleeper cars return."]


def _add_url(section):
    return reverse(
        "wagtailadmin_pages:add", args=("newsroom", "articlepage", section.pk)
    )


def _body_texts(article):
    return [strip_tags(block.value.source) for block in article.body]


def _new_article_form(client, url, *, author, paragraphs):
    return admin_form_data(
        client,
        url,
        title=HEADLINE,
        slug="night-trains",
        **{"article_authors-0-author": str(author.pk)},
        **article_body_form_data(paragraphs),
    )


def test_submit_racing_the_first_autosave_of_a_new_article_keeps_every_paragraph(
    client, section, author, contributor
):
    # given: the autosave of the first two paragraphs, and the submit with all three,
    # both sent from the same new-article form to the create URL
    client.force_login(contributor)
    url = _add_url(section)
    autosave = _new_article_form(client, url, author=author, paragraphs=TYPED[:2])
    submit = _new_article_form(client, url, author=author, paragraphs=TYPED)
    submit["action-submit"] = "Submit for moderation"

    # when
    autosaved = client.post(url, autosave, HTTP_ACCEPT="application/json")
    submitted = client.post(url, submit)

    # then: one article, in review, and the submitted revision holds every paragraph
    assert autosaved.status_code < 500
    assert submitted.status_code == 302, submitted.content[:2000]
    article = ArticlePage.objects.get(slug="night-trains")
    state = article.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    submitted_revision = state.current_task_state.revision
    assert _body_texts(submitted_revision.as_object()) == TYPED
    assert [a.author for a in article.article_authors.all()] == [author]


def test_autosave_landing_between_the_submits_checks_and_its_save_is_no_500(
    client, section, author, contributor, monkeypatch
):
    # given: the submit has passed its form checks (the slug was free) when the
    # autosave sent just before it, from the same form, is answered
    client.force_login(contributor)
    client.raise_request_exception = False
    url = _add_url(section)
    autosave = _new_article_form(client, url, author=author, paragraphs=TYPED[:2])
    submit = _new_article_form(client, url, author=author, paragraphs=TYPED)
    submit["action-submit"] = "Submit for moderation"
    other_tab = Client()
    other_tab.force_login(contributor)
    answered = {}
    save_form = WagtailAdminPageForm.save

    def autosave_lands_first(form, *args, **kwargs):
        if "autosave" not in answered and form.data.get("action-submit"):
            answered["autosave"] = None
            answered["autosave"] = other_tab.post(
                url, autosave, HTTP_ACCEPT="application/json"
            )
        return save_form(form, *args, **kwargs)

    monkeypatch.setattr(WagtailAdminPageForm, "save", autosave_lands_first)

    # when
    submitted = client.post(url, submit)

    # then
    assert answered["autosave"].status_code < 500
    assert submitted.status_code == 302, submitted.content[:2000]
    article = ArticlePage.objects.get(slug="night-trains")
    state = article.current_workflow_state
    assert _body_texts(state.current_task_state.revision.as_object()) == TYPED


def test_the_new_article_form_does_not_autosave_but_the_saved_draft_does(
    client, section, author, contributor
):
    client.force_login(contributor)
    url = _add_url(section)
    data = _new_article_form(client, url, author=author, paragraphs=TYPED[:1])

    new_form = client.get(url)
    client.post(url, data)
    article = ArticlePage.objects.get(slug="night-trains")
    draft_form = client.get(_edit_url(article))

    # The page is created once, by the button the writer pressed; from then on
    # Wagtail checks each autosave against the revision it would overwrite.
    assert new_form.status_code == 200
    assert b"data-w-autosave-interval-value" not in new_form.content
    assert b'id="w-autosave-indicator"' not in new_form.content
    assert draft_form.status_code == 200
    assert b"data-w-autosave-interval-value" in draft_form.content


def test_an_autosave_arriving_after_the_submit_is_refused_and_the_submission_kept(
    client, section, author, contributor
):
    # given: a saved draft whose editor autosaved the first two paragraphs
    client.force_login(contributor)
    url = _add_url(section)
    client.post(url, _new_article_form(client, url, author=author, paragraphs=[]))
    article = ArticlePage.objects.get(slug="night-trains")
    edit_url = _edit_url(article)
    autosave = _new_article_form(client, edit_url, author=author, paragraphs=TYPED[:2])
    first = client.post(edit_url, autosave, HTTP_ACCEPT="application/json")
    assert first.status_code == 200, first.content[:2000]
    autosaved_revision_id = first.json()["revision_id"]
    submit = _new_article_form(client, edit_url, author=author, paragraphs=TYPED)
    submit["action-submit"] = "Submit for moderation"
    late = _new_article_form(client, edit_url, author=author, paragraphs=TYPED[:2])
    late["overwrite_revision_id"] = str(autosaved_revision_id)

    # when: the submit lands first, then an autosave sent just before it
    submitted = client.post(edit_url, submit)
    late_autosave = client.post(edit_url, late, HTTP_ACCEPT="application/json")

    # then: the autosave is refused as out of date; nothing typed is lost
    article.refresh_from_db()
    assert submitted.status_code == 302
    assert late_autosave.status_code == 400
    assert late_autosave.json()["error_code"] == "invalid_revision"
    state = article.current_workflow_state
    assert _body_texts(state.current_task_state.revision.as_object()) == TYPED
    assert _body_texts(article.get_latest_revision_as_object()) == TYPED
