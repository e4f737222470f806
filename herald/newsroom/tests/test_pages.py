"""Reader pages: what each page shows, for whom, and how it copes with bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.http import http_date
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import Site

from herald.newsroom.models import AuthorLink
from herald.newsroom.testing import (
    make_article,
    make_author,
    make_image,
    make_section,
    set_publication,
)

pytestmark = pytest.mark.django_db

CANARY = "Zebra-canary sentence that only members may read."
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def publication():
    return set_publication(
        name="The Tidewater Courier",
        tagline="News from the estuary towns",
        time_zone="Asia/Tokyo",
        support_url="https://support.example.org/give",
        newsletter_url="/newsletter/",
        about_url="/about/",
        ethics_url="/ethics/",
        corrections_url="/corrections-policy/",
        privacy_url="/privacy/",
        google_news_url="https://news.google.com/publications/CAAqBwgKMN",
        mastodon_url="https://mastodon.example/@courier",
    )


def html(response) -> str:
    return response.content.decode()


def body_of(page: str) -> str:
    return page[page.index("<body") :]


def first_focusable(page: str) -> str:
    """The first link, button or form field in the body, as written."""
    match = re.search(
        r"<(a|button|input|select|textarea|summary)\b[^>]*>", body_of(page)
    )
    assert match is not None
    return match.group(0)


# --- Layout ---------------------------------------------------------------------


def test_layout_has_landmarks_skip_link_first_and_one_h1(client, publication):
    make_article(make_section("World"), "Harbour reopens")
    page = html(client.get("/"))
    assert first_focusable(page) == '<a class="skip-link" href="#main">'
    assert '<main id="main"' in page
    for landmark in ("<header", "<nav", "<footer"):
        assert landmark in page
    assert page.count("<h1") == 1
    assert '<html lang="en" dir="ltr">' in page


def test_masthead_shows_name_tagline_and_links_from_settings(client, publication):
    page = html(client.get("/"))
    assert "The Tidewater Courier" in page
    assert "News from the estuary towns" in page
    assert 'href="/newsletter/">Subscribe<' in page
    assert 'href="https://support.example.org/give">Support us<' in page
    # Footer: policies, follow links, newsletter area and copyright.
    for url in ("/about/", "/ethics/", "/corrections-policy/", "/privacy/"):
        assert f'href="{url}"' in page
    assert 'href="https://mastodon.example/@courier"' in page
    assert 'id="newsletter"' in page
    assert f"© {timezone.now().astimezone(ZoneInfo('Asia/Tokyo')).year}" in page


def test_subscribe_points_to_heralds_newsletters_page_without_a_newsletter_url(
    client, publication
):
    publication.newsletter_url = ""
    publication.save()
    page = html(client.get("/"))
    assert 'href="/newsletters/">Subscribe<' in page
    # The footer box is a GET form without a token: the page stays reader-neutral.
    assert 'action="/newsletters/" class="inline-signup"' in page
    assert "csrfmiddlewaretoken" not in page


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_todays_date_is_in_the_publications_time_zone(client, publication, zone):
    # These two zones are 26 hours apart: they never share a date, so a date
    # taken in any single zone cannot pass both cases.
    publication.time_zone = zone
    publication.save()
    page = html(client.get("/"))
    today = timezone.now().astimezone(ZoneInfo(zone))
    match = re.search(r'class="topbar-date"><time datetime="([0-9-]+)">([^<]+)<', page)
    assert match is not None
    assert match.group(1) == today.strftime("%Y-%m-%d")
    assert today.strftime("%B") in match.group(2)


def test_date_is_written_in_the_publications_language(client, publication):
    publication.language = "fr"
    publication.save()
    page = html(client.get("/"))
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    month = months[timezone.now().astimezone(ZoneInfo("Asia/Tokyo")).month - 1]
    assert '<html lang="fr" dir="ltr">' in page
    date_text = re.search(r'class="topbar-date"><time[^>]*>([^<]+)<', page).group(1)
    assert month in date_text


@pytest.mark.parametrize("language", ["ar", "he", "fa"])
def test_right_to_left_publication_sets_dir_rtl(client, publication, language):
    publication.language = language
    publication.save()
    make_article(make_section("World"), "Harbour reopens")
    page = html(client.get("/"))
    assert f'<html lang="{language}" dir="rtl">' in page


def test_section_navigation_is_a_row_and_a_disclosure_that_needs_no_script(
    client, publication
):
    world = make_section("World")
    make_section("Asia", parent=world)
    make_section("Sport")
    page = html(client.get("/"))
    nav = page[page.index('<nav class="site-nav"') : page.index("</nav>")]
    assert 'href="/world/"' in nav and 'href="/sport/"' in nav
    assert '<details class="nav-menu">' in nav and "<summary>" in nav
    assert 'href="/world/asia/"' in nav  # children listed in the disclosure
    assert 'href="/search/"' in nav
    # No script runs the menu (JSON-LD data blocks are not scripts that run;
    # the one script file is the notifications button's, deferred).
    assert not re.search(r"<script(?![^>]*(application/ld\+json|/js/push\.js))", page)


def test_breaking_bar_lists_recent_breaking_story(client, publication):
    make_article(
        make_section("World"), "Storm surge floods lower town", is_breaking=True
    )
    make_article(make_section("Sport"), "Quiet match report")
    page = html(client.get("/"))
    bar = page[page.index('class="breaking"') :]
    bar = bar[: bar.index("</div>\n  </div>")]
    assert "Storm surge floods lower town" in bar
    assert "Quiet match report" not in bar


# --- Home -----------------------------------------------------------------------


def test_home_shows_lead_top_stories_latest_and_section_rails(client, publication):
    world, sport = make_section("World"), make_section("Sport")
    now = timezone.now()
    lead = make_article(
        world,
        "Lead story about the bridge",
        dek="The lead's dek",
        hero_image=make_image(),
        published_at=now,
    )
    # Lead, five top stories and ten in "Latest" take the 16 newest; the rails
    # show the older ones (no story twice).
    for i in range(20):
        make_article(
            sport if i % 2 else world,
            f"Story {i:02d}",
            published_at=now - timedelta(hours=i + 1),
        )
    page = html(client.get("/"))
    lead_html = page[page.index('class="card card-lead"') :]
    assert lead.title in lead_html[:3000]
    assert "The lead&#x27;s dek" in lead_html[:3000]
    assert 'fetchpriority="high"' in lead_html[:3000]
    assert page.count('class="card card-top"') == 5
    assert 'id="latest-heading"' in page
    assert re.search(r'id="rail-\d+"><a href="/world/">World</a>', page)
    assert re.search(r'id="rail-\d+"><a href="/sport/">Sport</a>', page)


def test_home_without_articles_says_so(client, publication):
    response = client.get("/")
    assert response.status_code == 200
    assert "No stories have been published yet" in html(response)


# --- Article --------------------------------------------------------------------


def test_article_shows_header_byline_dates_hero_and_reading_time(client, publication):
    world = make_section("World")
    ada = make_author("Ada Quill", photo=make_image(width=300, height=300))
    ben = make_author("Ben Marsh")
    published = datetime(2025, 3, 1, 20, 30, tzinfo=UTC)
    article = make_article(
        world,
        "Ferry service returns to the islands",
        dek="Crossings resume after the winter storms.",
        authors=[ada, ben],
        hero_image=make_image(credit="Lena Ortiz"),
        hero_caption="The first ferry leaves the quay.",
        article_type="analysis",
        published_at=published,
        display_updated_at=published + timedelta(hours=3),
    )
    page = html(client.get(article.url))
    assert '<a href="/world/">World</a>' in page
    assert '<span class="type-label type-analysis">Analysis</span>' in page
    assert re.search(r"<h1[^>]*>Ferry service returns to the islands</h1>", page)
    assert "Crossings resume after the winter storms." in page
    assert f'<a href="{ada.get_absolute_url()}">Ada Quill</a>' in page
    assert f'<a href="{ben.get_absolute_url()}">Ben Marsh</a>' in page
    # Times are shown in the publication's zone (Tokyo, UTC+9).
    assert (
        '<time datetime="2025-03-02T05:30:00+09:00">March 2, 2025, 5:30 AM JST' in page
    )
    assert "Updated" in page and 'datetime="2025-03-02T08:30:00+09:00"' in page
    assert "1 minute read" in page
    hero = page[page.index('<figure class="story-hero">') :]
    hero = hero[: hero.index("</figure>")]
    img = re.search(r"<img[^>]*>", hero).group(0)
    assert 'fetchpriority="high"' in img and 'loading="lazy"' not in img
    assert "srcset=" in img and 'sizes="' in img
    assert re.search(r'width="\d+"', img) and re.search(r'height="\d+"', img)
    assert "The first ferry leaves the quay." in hero
    assert "Lena Ortiz" in hero


def test_article_tags_share_and_follow_links(client, publication):
    article = make_article(
        make_section("World"), "Tides & times: a guide", tags=["tides", "coast"]
    )
    page = html(client.get(article.url))
    assert 'href="/tag/tides/">tides<' in page
    assert 'href="/tag/coast/">coast<' in page
    canonical = "http://testserver" + article.url
    encoded = quote(canonical, safe="")
    assert f"https://www.facebook.com/sharer/sharer.php?u={encoded}" in page
    assert "https://x.com/intent/post?url=" + encoded in page
    assert "text=Tides+%26+times%3A+a+guide" in page.replace("&amp;", "&")
    for host in ("linkedin.com", "wa.me", "t.me/share", "mailto:?subject="):
        assert host in page
    assert "Follow us on Google News" in page
    assert 'href="https://news.google.com/publications/CAAqBwgKMN"' in page


def test_article_corrections_show_a_notice_and_a_dated_box(client, publication):
    article = make_article(
        make_section("World"),
        "Council budget",
        corrections=["An earlier version misstated the budget."],
        editors_note="<p>This story was updated with the final vote.</p>",
    )
    page = html(client.get(article.url))
    notice = page.index('class="correction-notice"')
    box = page.index('id="corrections"')
    assert notice < page.index('class="story-body') < box
    assert "An earlier version misstated the budget." in page[box:]
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', page[box:])
    # The editor's note is at the top of the story (CONTEXT.md), not in the box.
    note = page.index('class="editors-note"')
    assert page.index('id="story-title"') < note < page.index('class="story-body')
    assert "This story was updated with the final vote." in page[note:notice]
    assert "This story was updated with the final vote." not in page[box:]


def test_article_author_box_and_related_stories(client, publication):
    world = make_section("World")
    author = make_author(
        "Ada Quill", role="Courts reporter", short_bio="Ada covers the courts."
    )
    article = make_article(world, "Main story", authors=[author], tags=["courts"])
    related = make_article(world, "An earlier court story", tags=["courts"])
    page = html(client.get(article.url))
    box = page[page.index('class="author-box') :]
    assert "Courts reporter" in box and "Ada covers the courts." in box
    assert f'href="{author.get_absolute_url()}"' in box
    assert "All stories by Ada Quill" in box
    assert related.title in page[page.index('id="related-heading"') :]


def test_article_print_styles_print_its_url(client, publication):
    article = make_article(make_section("World"), "Printable")
    page = html(client.get(article.url))
    assert f'<p class="print-url">http://testserver{article.url}</p>' in page


# --- Paywall --------------------------------------------------------------------


def gated_article(level: str = "paid"):
    return make_article(
        make_section("Business"),
        "Inside the port deal",
        paragraphs=["Free opening.", "Free second.", CANARY],
        paywall_after=2,
        access_level=level,
    )


def test_anonymous_reader_gets_an_offer_and_none_of_the_gated_text(client, publication):
    article = gated_article()
    page = html(client.get(article.url))
    assert "Free opening." in page
    assert CANARY not in page
    assert "paywall-offer-subscribe" in page


def test_members_story_offers_a_free_account_to_anonymous_readers(client, publication):
    article = gated_article("members")
    page = html(client.get(article.url))
    assert "paywall-offer-signup" in page
    assert CANARY not in page


def test_signed_in_reader_without_access_is_offered_an_upgrade(client, publication):
    article = gated_article("paid")
    user = get_user_model().objects.create_user(
        email="reader@example.org", password="a-long-password-1"
    )
    client.force_login(user, backend=MODEL_BACKEND)
    page = html(client.get(article.url))
    assert "paywall-offer-upgrade" in page
    assert "paywall-offer-subscribe" not in page
    assert CANARY not in page


def test_reader_with_access_reads_the_rest_in_the_gated_part(client, publication):
    article = gated_article("paid")
    staff = get_user_model().objects.create_user(
        email="editor@example.org", password="a-long-password-1", is_staff=True
    )
    client.force_login(staff, backend=MODEL_BACKEND)
    page = html(client.get(article.url))
    gated = page[page.index('<div class="paywall">') :]
    assert CANARY in gated
    assert "paywall-offer" not in page


# --- Body blocks ----------------------------------------------------------------


def blocks_article(body, **fields):
    return make_article(make_section("World"), "Blocks", body=body, **fields)


def test_figure_block_has_srcset_sizes_caption_credit_and_alt(client, publication):
    picture = make_image(alt="Boats in the harbour", credit="Agency credit")
    override = make_image(alt="Not used")
    body = [
        {
            "type": "image",
            "value": {
                "image": picture.pk,
                "caption": "Boats at rest.",
                "credit": "",
                "alt_text": "",
            },
        },
        {
            "type": "image",
            "value": {
                "image": override.pk,
                "caption": "",
                "credit": "Own credit",
                "alt_text": "A crane lifting a hull",
            },
        },
    ]
    page = html(client.get(blocks_article(body).url))
    figures = re.findall(r'<figure class="figure">.*?</figure>', page, re.S)
    assert len(figures) == 2
    first, second = figures
    assert 'alt="Boats in the harbour"' in first
    assert 'loading="lazy"' in first and "srcset=" in first and "sizes=" in first
    assert "Boats at rest." in first and "Agency credit" in first
    assert 'alt="A crane lifting a hull"' in second and "Own credit" in second


def test_text_blocks_render_with_their_semantics(client, publication):
    body = [
        {"type": "heading", "value": {"text": "Sub point", "level": "h3"}},
        {
            "type": "blockquote",
            "value": {"quote": "Bonjour", "attribution": "A", "language": "fr"},
        },
        {"type": "pullquote", "value": {"quote": "Big words", "attribution": ""}},
        {
            "type": "factbox",
            "value": {"title": "Key facts", "body": "<p>Ten ships.</p>"},
        },
        {
            "type": "source",
            "value": {
                "title": "Port report",
                "url": "https://example.org/report",
                "document": None,
                "description": "",
            },
        },
        {"type": "paywall", "value": None},
        {"type": "paragraph", "value": "<p>After the break.</p>"},
    ]
    page = html(client.get(blocks_article(body).url))
    assert '<h3 class="body-heading">Sub point</h3>' in page
    assert '<blockquote lang="fr"><p>Bonjour</p></blockquote>' in page
    assert '<figure class="pullquote">' in page and "Big words" in page
    assert '<h2 class="factbox-title">Key facts</h2>' in page
    assert '<a href="https://example.org/report" rel="noopener">Port report</a>' in page
    assert "After the break." in page
    assert "block-paywall" not in page


def test_embed_that_cannot_be_fetched_falls_back_to_a_plain_link(client, publication):
    # The network is closed in tests, so the provider cannot be reached.
    url = "https://www.youtube.com/watch?v=aaaaaaaaaaa"
    body = [
        {
            "type": "embed",
            "value": {
                "embed": url,
                "fallback_title": "Watch the debate",
                "caption": "",
            },
        }
    ]
    page = html(client.get(blocks_article(body).url))
    assert f'<a href="{url}" rel="noopener">Watch the debate</a>' in page
    assert "embed-frame" not in page


def test_embed_with_empty_html_falls_back_to_a_plain_link(client, publication):
    url = "https://vimeo.com/1234"
    Embed.objects.create(
        url=url, hash=get_embed_hash(url), html="", type="video", width=640, height=360
    )
    body = [
        {"type": "embed", "value": {"embed": url, "fallback_title": "", "caption": ""}}
    ]
    page = html(client.get(blocks_article(body).url))
    assert f'<a href="{url}" rel="noopener">{url}</a>' in page


def test_embed_renders_inside_a_reserved_ratio_box(client, publication):
    url = "https://vimeo.com/5678"
    Embed.objects.create(
        url=url,
        hash=get_embed_hash(url),
        html=(
            '<iframe src="https://player.vimeo.com/video/5678" title="Video"></iframe>'
        ),
        type="video",
        width=640,
        height=360,
    )
    body = [
        {
            "type": "embed",
            "value": {"embed": url, "fallback_title": "", "caption": "Cap"},
        }
    ]
    page = html(client.get(blocks_article(body).url))
    assert '<div class="embed-frame ratio-16x9"><iframe' in page
    assert "<figcaption>Cap</figcaption>" in page


# --- Listing pages --------------------------------------------------------------


def test_section_page_lists_its_and_subsection_stories_with_pagination(
    client, publication, settings
):
    settings.HERALD_PAGE_SIZE = 3
    world = make_section("World", intro="Our foreign desk.")
    asia = make_section("Asia", parent=world)
    now = timezone.now()
    for i in range(5):
        make_article(
            asia if i % 2 else world,
            f"World story {i}",
            published_at=now - timedelta(hours=i),
        )
    page = html(client.get("/world/"))
    assert re.search(r"<h1>World</h1>", page)
    assert "Our foreign desk." in page
    assert 'href="/world/asia/">Asia<' in page
    assert "World story 1" in page and "World story 4" not in page
    assert 'rel="next" href="?page=2"' in page
    second = html(client.get("/world/?page=2"))
    assert "World story 4" in second
    assert 'rel="prev" href="?"' in second


@pytest.mark.parametrize("raw", ["abc", "0", "-3", "999", "1.5", "%00"])
def test_bad_page_numbers_answer_a_real_page(client, publication, settings, raw):
    settings.HERALD_PAGE_SIZE = 2
    world = make_section("World")
    author = make_author("Ada Quill")
    for i in range(5):
        make_article(world, f"Story {i}", authors=[author], tags=["port"])
    for url in ("/world/", author.get_absolute_url(), "/tag/port/", "/search/?q=story"):
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}page={raw}")
        assert response.status_code == 200, url
        assert "Page " in html(response)


def test_author_page_shows_photo_bio_links_and_stories(client, publication):
    author = make_author(
        "Ada Quill",
        role="Courts reporter",
        photo=make_image(width=300, height=300),
        bio="<p>Ada has covered the <b>courts</b> since 2015.</p>",
    )
    AuthorLink.objects.create(
        author=author, label="Mastodon", url="https://mastodon.example/@ada"
    )
    make_article(make_section("World"), "Verdict in the harbour case", authors=[author])
    page = html(client.get(author.get_absolute_url()))
    assert re.search(r"<h1>Ada Quill</h1>", page)
    assert "Courts reporter" in page
    assert "<b>courts</b>" in page  # rich text rendered, not escaped
    assert 'href="https://mastodon.example/@ada"' in page
    assert "Verdict in the harbour case" in page
    assert 'class="avatar avatar-xl"' in page


def test_tag_page_lists_tagged_stories(client, publication):
    world = make_section("World")
    make_article(world, "Tagged story", tags=["fisheries"])
    make_article(world, "Other story", tags=["sport"])
    page = html(client.get("/tag/fisheries/"))
    assert re.search(r"<h1>fisheries</h1>", page)
    assert "Tagged story" in page and "Other story" not in page


def test_unknown_author_and_tag_are_404(client, publication):
    assert client.get("/author/nobody/").status_code == 404
    assert client.get("/tag/nothing/").status_code == 404


# --- Search ---------------------------------------------------------------------


def test_search_page_has_a_labelled_form_and_is_not_indexed(client, publication):
    page = html(client.get("/search/"))
    assert '<meta name="robots" content="noindex">' in page
    assert '<label for="search-q">' in page and 'id="search-q"' in page


def test_search_finds_stories_and_offers_both_orders(client, publication):
    make_article(make_section("World"), "Lighthouse keeper retires")
    page = html(client.get("/search/?q=lighthouse"))
    assert "Lighthouse keeper retires" in page
    assert 'href="?q=lighthouse&amp;order=newest"' in page
    newest = html(client.get("/search/?q=lighthouse&order=newest"))
    assert "Lighthouse keeper retires" in newest
    assert 'href="?q=lighthouse"' in newest


def test_search_without_results_says_so(client, publication):
    page = html(client.get("/search/?q=zzzqqq"))
    assert "No stories match" in page


def test_overlong_search_query_is_cut_and_answered(client, publication, settings):
    response = client.get("/search/", {"q": "harbour " * 625})  # 5,000 characters
    assert response.status_code == 200
    page = html(response)
    assert "we used its first" in page
    value = re.search(r'id="search-q" name="q" value="([^"]*)"', page).group(1)
    assert len(value) <= settings.HERALD_QUERY_MAX_LENGTH


# --- Escaping -------------------------------------------------------------------


def test_html_in_a_headline_is_escaped_everywhere(client, publication):
    world = make_section("World")
    article = make_article(
        world,
        "<script>alert('x')</script> Headline",
        dek="<b>bold dek</b>",
        tags=["escape"],
    )
    for url in (article.url, "/", "/world/", "/tag/escape/", "/search/?q=Headline"):
        page = html(client.get(url))
        assert "<script>alert" not in page, url
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page, url
        assert "<b>bold dek</b>" not in page, url


def test_html_in_author_fields_is_escaped(client, publication):
    author = make_author(
        "<img src=x onerror=alert(1)>",
        slug="sneaky",
        role="<i>role</i>",
        short_bio="<script>bio()</script>",
    )
    article = make_article(make_section("World"), "Story", authors=[author])
    for url in (article.url, "/author/sneaky/"):
        page = html(client.get(url))
        assert "<img src=x" not in page and "<script>bio()" not in page
        assert "<i>role</i>" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


# --- Missing files and errors ---------------------------------------------------


def test_missing_image_file_shows_the_article_without_it(client, publication):
    hero = make_image(alt="Gone hero")
    inline = make_image(alt="Gone inline")
    for image in (hero, inline):
        image.file.storage.delete(image.file.name)
    body = [
        {"type": "paragraph", "value": "<p>Text stays.</p>"},
        {
            "type": "image",
            "value": {
                "image": inline.pk,
                "caption": "Lost",
                "credit": "",
                "alt_text": "",
            },
        },
    ]
    article = make_article(
        make_section("World"), "No pictures", body=body, hero_image=hero
    )
    for url in (article.url, "/", "/world/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = html(response)
        assert "not-found" not in page
        assert "Gone hero" not in page and "Gone inline" not in page
    page = html(client.get(article.url))
    assert "Text stays." in page
    assert '<figure class="story-hero">' not in page


def test_unknown_path_gets_the_branded_404(client, publication):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = html(response)
    assert "We can’t find that page" in page
    assert "The Tidewater Courier" in page
    assert '<a class="skip-link" href="#main">' in page


def test_404_renders_when_there_is_no_site(client):
    Site.objects.all().delete()
    response = client.get("/anything/")
    assert response.status_code == 404
    assert "We can’t find that page" in html(response)


def test_500_page_renders_without_a_request(rf):
    from herald.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


# --- Cache headers --------------------------------------------------------------


def test_anonymous_article_is_cacheable_and_answers_conditional_get(
    client, publication
):
    article = make_article(make_section("World"), "Cache me")
    response = client.get(article.url)
    assert "public" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    last_modified = response["Last-Modified"]
    assert last_modified == http_date(article.last_published_at.timestamp())
    again = client.get(article.url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("url", ["/", "/world/", "/tag/port/"])
def test_listings_carry_an_etag_and_answer_304(client, publication, url):
    make_article(make_section("World"), "Tagged", tags=["port"])
    response = client.get(url)
    assert "public" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_signed_in_reader_gets_private_responses(client, publication):
    article = make_article(make_section("World"), "Private copy")
    user = get_user_model().objects.create_user(
        email="reader@example.org", password="a-long-password-1"
    )
    client.force_login(user, backend=MODEL_BACKEND)
    response = client.get(article.url)
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_share_link_builder_encodes_url_and_title():
    from herald.newsroom.templatetags.herald_tags import share_links

    links = {
        link["network"]: link["href"]
        for link in share_links("https://n.example/a b/?x=1&y=2", "Fish & chips?")
    }
    assert unquote(links["email"].split("body=")[1]).endswith("?x=1&y=2")
    assert "%26" in links["facebook"] and " " not in links["facebook"]
    assert "text=Fish+%26+chips%3F" in links["telegram"]
