"""The demo loader (``manage.py load_demo``): what it makes; rerunning keeps it."""

from __future__ import annotations

import io
import stat
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from herald.members.models import AccessLevel, Tier
from herald.newsroom.models import (
    ArticlePage,
    Author,
    Correction,
    PublicationSettings,
    SectionPage,
)
from herald.settings import env

pytestmark = pytest.mark.django_db


def load(tmp_path, **options):
    out = io.StringIO()
    call_command(
        "load_demo", password_file=tmp_path / "password.txt", stdout=out, **options
    )
    return out.getvalue()


def printed_password(output: str) -> str:
    line = next(x for x in output.splitlines() if x.strip().startswith("Password:"))
    return line.split("Password:")[1].split()[0]


def snapshot() -> dict[str, object]:
    user = get_user_model().objects.get(email="admin@herald.localhost")
    return {
        "pages": sorted(Page.objects.values_list("pk", "live", "title")),
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "authors": Author.objects.count(),
        "users": get_user_model().objects.count(),
        "corrections": Correction.objects.count(),
        "tiers": Tier.objects.count(),
        "admin_password": user.password,
    }


def test_load_demo_builds_the_publication_with_sections_authors_and_articles(
    tmp_path, monkeypatch
):
    # given no HERALD_ADMIN_PASSWORD
    monkeypatch.setattr(env, "ADMIN_PASSWORD", "")

    # when
    output = load(tmp_path, articles=12)

    # then: the publication and its settings
    publication = PublicationSettings.objects.get()
    assert publication.name == "The Avenell Courier"
    assert publication.logo and publication.favicon
    assert publication.x_url.startswith("https://x.com/")
    assert len(publication.follow_links()) == 9
    # feeds on 127.0.0.1 are not announced to a public WebSub hub
    feeds = apps.get_model("distribution", "DistributionSettings").objects.get()
    assert feeds.hub_urls() == []
    # six top-level sections and one nested under World
    sections = SectionPage.objects.all()
    assert sections.count() == 7
    asia = SectionPage.objects.get(slug="asia")
    assert asia.get_parent().slug == "world"
    assert all(section.live and section.intro for section in sections)
    # eight authors with photos and links
    assert Author.objects.count() == 8
    assert not Author.objects.filter(photo__isnull=True).exists()
    assert Author.objects.filter(links__isnull=False).distinct().count() == 8
    # twelve articles: one draft and one scheduled among them
    articles = ArticlePage.objects.all()
    assert articles.count() == 12
    live = articles.filter(live=True)
    assert live.count() == 10
    assert live.filter(is_breaking=True).count() == 1
    breaking = live.get(is_breaking=True)
    assert breaking.first_published_at > timezone.now() - timedelta(hours=2)
    oldest = live.order_by("first_published_at").first()
    assert oldest.first_published_at < timezone.now() - timedelta(days=7)
    scheduled = articles.get(live=False, go_live_at__isnull=False)
    assert scheduled.go_live_at > timezone.now()
    assert Revision.page_revisions.filter(
        object_id=str(scheduled.pk), approved_go_live_at__isnull=False
    ).exists()
    assert articles.filter(live=False, go_live_at__isnull=True).count() == 1
    # gated articles, one of them for a specific tier
    levels = set(live.values_list("access_level", flat=True))
    assert {AccessLevel.MEMBERS, AccessLevel.PAID, AccessLevel.TIERS} <= levels
    tiers_article = live.get(access_level=AccessLevel.TIERS)
    assert [t.slug for t in tiers_article.tiers.all()] == ["patron"]
    gated = live.exclude(access_level=AccessLevel.PUBLIC).first()
    assert "paywall" in [block.block_type for block in gated.body]
    assert Correction.objects.filter(article__in=live).exists()
    assert live.exclude(editors_note="").exists()
    # every article has a large hero image with alt text and a credit
    for article in articles.select_related("hero_image"):
        assert article.hero_image.width >= 1600 and article.hero_image.height >= 900
        assert article.hero_image.description and article.hero_image.credit
        assert article.article_authors.exists()
    # (a draft's tags live in its revision until it is published)
    assert all(article.tags.exists() for article in live)
    # the admin, and a password kept only in the private file
    admin = get_user_model().objects.get(email="admin@herald.localhost")
    assert admin.is_superuser and admin.is_staff
    password_file = tmp_path / "password.txt"
    assert password_file.read_text().strip() == printed_password(output)
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert "http://127.0.0.1:8000/admin/" in output
    # newsletters with generated subscribers; Subscribe goes to Herald's own page
    from herald.newsletters import queries as newsletter_queries
    from herald.newsletters.models import Newsletter

    assert publication.newsletter_url == ""
    letters = {n.slug: n for n in Newsletter.objects.all()}
    assert set(letters) == {"morning-tide", "harbour-ledger", "council-watch"}
    assert letters["harbour-ledger"].visibility == "paid"
    assert newsletter_queries.subscribers(letters["morning-tide"]).count() == 296
    weeks = newsletter_queries.growth_by_week(letters["morning-tide"], weeks=12)
    assert sum(w.gained for w in weeks) == 320 and sum(w.lost for w in weeks) == 24
    # one sent issue with its report; each reader's copy kept in the Outbox
    from herald.newsletters.sending.models import Send
    from herald.newsletters.sending.queries import report
    from herald.outbox.models import OutboundMessage

    (issue,) = Send.objects.filter(newsletter=letters["morning-tide"])
    assert issue.state == "sent"
    assert report(issue).sent == report(issue).recipients == 296
    assert OutboundMessage.objects.filter(stream="bulk").count() == 296
    assert "Newsletter issue sent:" in output


def test_demo_pages_render_for_a_reader(client, tmp_path):
    load(tmp_path, articles=3)
    article = ArticlePage.objects.live().filter(access_level="public").first()

    home = client.get("/")
    page = client.get(article.url)
    section = client.get("/world/asia/")

    assert home.status_code == 200 and b"The Avenell Courier" in home.content
    assert page.status_code == 200 and article.title.encode() in page.content
    assert section.status_code == 200


def test_demo_has_its_standing_pages_linked_from_the_footer(client, tmp_path):
    from herald.newsroom.models import StandardPage

    load(tmp_path, articles=1)

    kinds = set(StandardPage.objects.live().values_list("kind", flat=True))
    footer = client.get("/").content.decode().split('<footer class="site-footer"')[1]

    assert kinds == {"about", "ethics", "corrections", "privacy", "contact"}
    for path in (
        "/about/",
        "/ethics/",
        "/corrections-policy/",
        "/privacy/",
        "/contact/",
    ):
        assert f'href="{path}"' in footer
        assert client.get(path).status_code == 200
    assert "avenellcourier.news/about" not in footer


def test_second_run_changes_nothing_and_prints_the_login_again(tmp_path, monkeypatch):
    monkeypatch.setattr(env, "ADMIN_PASSWORD", "")
    first = load(tmp_path, articles=4)
    before = snapshot()

    second = load(tmp_path, articles=4)

    assert snapshot() == before
    assert "already loaded" in second
    assert printed_password(second) == printed_password(first)


def test_second_run_without_the_password_file_keeps_the_password(tmp_path, monkeypatch):
    monkeypatch.setattr(env, "ADMIN_PASSWORD", "")
    load(tmp_path, articles=0)
    before = snapshot()
    (tmp_path / "password.txt").unlink()

    second = load(tmp_path, articles=0)

    assert snapshot() == before
    assert "printed on the first run" in second


def test_admin_signs_in_with_the_short_name_and_the_printed_password(
    client, tmp_path, monkeypatch
):
    monkeypatch.setattr(env, "ADMIN_PASSWORD", "")
    password = printed_password(load(tmp_path, articles=0))

    response = client.post("/admin/login/", {"username": "admin", "password": password})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_password_comes_from_the_environment_when_set(
    client, tmp_path, monkeypatch
):
    monkeypatch.setattr(env, "ADMIN_PASSWORD", "a-long-demo-password-1")

    output = load(tmp_path, articles=0)
    wrong = client.post(
        "/admin/login/", {"username": "admin", "password": "not-the-password"}
    )
    signed_in_after_wrong = "_auth_user_id" in client.session
    right = client.post(
        "/admin/login/", {"username": "admin", "password": "a-long-demo-password-1"}
    )

    assert "from HERALD_ADMIN_PASSWORD" in output
    assert not (tmp_path / "password.txt").exists()
    assert wrong.status_code == 200 and not signed_in_after_wrong
    assert right.status_code == 302 and "_auth_user_id" in client.session


def test_newsroom_users_join_the_editors_and_contributors_groups(tmp_path):
    load(tmp_path, articles=0)

    users = get_user_model().objects.filter(email__endswith="@herald.localhost")
    editor = users.get(email="maren.oduya@herald.localhost")
    contributor = users.get(email="benedikt.osei@herald.localhost")
    assert editor.is_staff and contributor.is_staff
    assert not editor.is_superuser and not contributor.is_superuser
    # The groups come from the newsroom's migrations.
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert list(contributor.groups.values_list("name", flat=True)) == ["Contributors"]
    assert Author.objects.get(slug="maren-oduya").user == editor


def test_negative_article_count_is_refused(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        load(tmp_path, articles=-1)
    assert not PublicationSettings.objects.filter(name="The Avenell Courier").exists()


def test_env_file_example_documents_every_herald_variable():
    """docs/deploy/herald.env.example lists each HERALD_* variable env.py reads."""
    import re
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    source = (root / "herald" / "settings" / "env.py").read_text()
    example = (root / "docs" / "deploy" / "herald.env.example").read_text()
    read = set(re.findall(r'"(HERALD_[A-Z0-9_]+)"', source))
    documented = set(re.findall(r"^#?(HERALD_[A-Z0-9_]+)=", example, re.MULTILINE))

    assert read, "no HERALD_* variable found in env.py"
    assert sorted(read - documented) == []


def test_demo_links_follow_a_non_default_port_on_every_run(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.test import Client
    from lxml import html as lxml_html
    from wagtail.models import Site

    from herald.newsroom.management.commands import serve_demo

    # given: a demo loaded on the default port, then run again on 8123
    load(tmp_path, articles=2, port=8000)
    second = load(tmp_path, articles=2, port=8123)
    assert "http://127.0.0.1:8123/" in second
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8123)

    # when: serve_demo prepares to serve on 8123 with the default base URL
    settings.BASE_URL = settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    serve_demo.follow_port(8123)
    reader = Client(HTTP_HOST="127.0.0.1:8123")

    # then: canonical links, feeds, sitemaps and emailed links carry :8123
    article = ArticlePage.objects.live().first()
    page = reader.get(article.url)
    assert page.status_code == 200
    canonical = lxml_html.fromstring(page.content).find(".//link[@rel='canonical']")
    assert canonical.get("href").startswith("http://127.0.0.1:8123/")
    for url in ("/feed/", "/sitemap.xml", "/sitemap-news.xml", "/robots.txt"):
        response = reader.get(url)
        body = b"".join(response) if response.streaming else response.content
        assert response.status_code == 200, url
        assert b"http://127.0.0.1:8123/" in body, url
        assert b":8000" not in body, url
    assert b":8000" not in page.content

    get_user_model().objects.create_user("reader@example.org")
    # The sign-in email leaves on commit, as it does in production.
    with django_capture_on_commit_callbacks(execute=True):
        reader.post("/account/signin/", {"email": "reader@example.org"})
    assert "http://127.0.0.1:8123/" in mail.outbox[-1].body
    assert ":8000" not in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8123"),
        ("http://localhost", "http://localhost:8123"),
        ("http://[::1]:8000", "http://[::1]:8123"),
        ("https://news.example.org", "https://news.example.org"),
    ],
)
def test_only_a_base_url_on_this_machine_follows_the_demo_port(configured, expected):
    from herald.newsroom.management.commands.load_demo import demo_loader

    assert demo_loader().local_base_url(configured, 8123) == expected


def test_the_demo_serves_from_one_process_unless_the_cache_is_shared(settings):
    from django.core.management.base import CommandError

    from herald.newsroom.management.commands.serve_demo import demo_workers

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    assert demo_workers(None) == 1
    assert demo_workers(1) == 1
    with pytest.raises(CommandError, match="HERALD_REDIS_URL"):
        demo_workers(4)
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "herald.core.cache.HeraldRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
        },
    }
    assert demo_workers(None) == 2
    assert demo_workers(4) == 4


def test_demo_captions_say_what_each_picture_shows_and_text_fits_its_headings(
    client, tmp_path
):
    from tools.demo.pictures import Picture
    from tools.demo.stories import SECTION_PASSAGES

    def caption_of(image) -> str:
        return Picture(b"", image.width, image.height, image.description).caption

    load(tmp_path, articles=12)
    live = ArticlePage.objects.live().select_related("hero_image")
    galleries = 0
    for article in live:
        # the hero caption describes the drawing above it (its alt text)
        assert article.hero_caption == caption_of(article.hero_image)
        assert article.hero_caption.startswith(("Illustration: ", "Abstract "))
        section = article.get_parent().slug
        written = {heading: set(texts) for heading, texts in SECTION_PASSAGES[section]}
        heading = None
        for block in article.body:
            if block.block_type == "heading":
                heading = block.value["text"]
                assert heading in written, heading
            elif block.block_type == "paragraph" and heading is not None:
                text = block.value.source.removeprefix("<p>").removesuffix("</p>")
                # filler under a heading was written for that heading
                assert text in written[heading], (heading, text)
            elif block.block_type == "gallery":
                galleries += 1
                items = block.value["images"]
                captions = [item["caption"] for item in items]
                assert len(set(captions)) == len(captions) == 4
                for item in items:
                    assert item["caption"] == caption_of(item["image"])
            elif block.block_type == "image":
                assert block.value["caption"] == caption_of(block.value["image"])
    assert galleries >= 1
    # the logo has a dark-mode variant; the editors chose the top stories
    assert PublicationSettings.objects.get().logo_dark
    home = client.get("/").content.decode()
    assert home.count('class="card card-top"') == 5
    breaking = live.get(is_breaking=True)
    lead = home[home.index('class="card card-lead') :]
    assert breaking.title in lead[: lead.index("</article>")]
