"""Site search: fields searched, filters, order, snippets, pages and bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from herald.newsroom.testing import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


def page_of(client, **params):
    response = client.get("/search/", data=params)
    assert response.status_code == 200
    return response.content.decode()


def found(client, **params) -> list[str]:
    """Headlines of the result cards, in order."""
    page = page_of(client, **params)
    listing = page.split('class="story-list"', 1)[1] if "story-list" in page else ""
    return re.findall(r"<h2[^>]*>\s*<a[^>]*>([^<]+)</a>", listing)


@pytest.fixture
def desk(db):
    world = make_section("World")
    asia = make_section("Asia", parent=world)
    sport = make_section("Sport")
    ada = make_author("Ada Quill")
    bo = make_author("Bo Lindqvist")
    now = timezone.now()
    articles = {
        "ferry": make_article(
            world,
            "Ferry service returns to the islands",
            dek="Timetables published for the summer crossing.",
            paragraphs=["The harbourmaster confirmed the schedule.", "More later."],
            authors=[ada],
            tags=["shipping"],
            published_at=now - timedelta(days=10),
        ),
        "typhoon": make_article(
            asia,
            "Typhoon closes schools",
            dek="Classes move online for a week.",
            paragraphs=["Meteorologists tracked the orchard damage overnight."],
            authors=[bo],
            tags=["weather"],
            published_at=now - timedelta(days=2),
        ),
        "derby": make_article(
            sport,
            "Derby ends in a draw",
            dek="A late equaliser in the rain.",
            paragraphs=["Orchard Park was full.", "The gated zeppelin verdict."],
            paywall_after=1,
            access_level="paid",
            authors=[ada],
            tags=["football"],
            published_at=now - timedelta(days=1),
        ),
    }
    return {"world": world, "asia": asia, "sport": sport, "ada": ada, "bo": bo} | {
        "articles": articles
    }


def test_search_finds_by_headline_dek_public_text_author_and_tag(client, desk):
    assert found(client, q="ferry") == ["Ferry service returns to the islands"]
    assert found(client, q="timetables") == ["Ferry service returns to the islands"]
    assert found(client, q="harbourmaster") == ["Ferry service returns to the islands"]
    assert found(client, q="Lindqvist") == ["Typhoon closes schools"]
    assert found(client, q="football") == ["Derby ends in a draw"]


def test_search_does_not_find_gated_text(client, desk):
    page = page_of(client, q="zeppelin")
    assert "Derby ends in a draw" not in page
    assert found(client, q="zeppelin") == []


def test_section_filter_includes_sub_sections(client, desk):
    world = str(desk["world"].pk)
    assert found(client, q="orchard", section=world) == ["Typhoon closes schools"]
    sport = str(desk["sport"].pk)
    assert found(client, q="orchard", section=sport) == ["Derby ends in a draw"]


def test_author_filter(client, desk):
    assert sorted(found(client, q="orchard", author="ada-quill")) == [
        "Derby ends in a draw"
    ]
    assert found(client, q="orchard", author="bo-lindqvist") == [
        "Typhoon closes schools"
    ]


def test_date_range_filter(client, desk):
    today = timezone.localdate()
    since = (today - timedelta(days=3)).isoformat()
    until = (today - timedelta(days=2)).isoformat()
    assert found(client, q="orchard", **{"from": since, "to": until}) == [
        "Typhoon closes schools"
    ]
    old = (today - timedelta(days=5)).isoformat()
    assert found(client, q="ferry", to=old) == ["Ferry service returns to the islands"]
    assert found(client, q="ferry", **{"from": old}) == []


def test_newest_order_puts_the_latest_story_first(client, desk):
    assert found(client, q="orchard", order="newest") == [
        "Derby ends in a draw",
        "Typhoon closes schools",
    ]


def test_snippet_marks_terms_and_escapes_html_of_the_article(client, db):
    section = make_section("News")
    make_article(
        section,
        "Markup story",
        paragraphs=["Council &lt;script&gt;alert(1)&lt;/script&gt; budget vote."],
    )
    page = page_of(client, q="budget")
    snippet = re.search(r'<p class="search-snippet">(.*?)</p>', page, re.S).group(1)
    assert "<mark>budget</mark>" in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "<script>alert" not in page


def test_snippet_never_shows_gated_text(client, desk):
    page = page_of(client, q="orchard")
    assert "Derby ends in a draw" in page
    assert "zeppelin" not in page
    snippets = re.findall(r'<p class="search-snippet">(.*?)</p>', page, re.S)
    assert any("<mark>Orchard</mark>" in s for s in snippets)


@pytest.fixture
def many(db, settings):
    settings.HERALD_PAGE_SIZE = 20
    section = make_section("Local")
    now = timezone.now()
    for i in range(30):
        make_article(
            section,
            f"Lantern story {i}",
            dek="Lanterns along the quay.",
            paragraphs=[f"Lantern paragraph {i}.", "Second paragraph."],
            authors=[make_author()],
            tags=["lanterns", f"topic-{i % 3}"],
            published_at=now - timedelta(hours=i),
        )


@pytest.mark.parametrize("param", ["0", "-1", "abc", "999", "2.5", ""])
def test_bad_or_past_end_page_gets_first_or_last_page(client, many, param):
    titles = found(client, q="lantern", page=param, order="newest")
    assert len(titles) in (20, 10)
    if param == "999":
        assert titles[-1] == "Lantern story 29" and len(titles) == 10


def test_long_query_is_cut_and_answered(client, desk, settings):
    settings.HERALD_QUERY_MAX_LENGTH = 200
    page = page_of(client, q="ferry " + "x" * 5000)
    assert "very long" in page
    assert "x" * 201 not in page


@pytest.mark.parametrize(
    "params",
    [
        {"section": "999999"},
        {"section": "abc"},
        {"author": "nobody-here"},
        {"from": "2024-13-45"},
        {"to": "yesterday"},
        {"from": "\x00"},
    ],
)
def test_bad_filters_are_ignored_with_a_note(client, desk, params):
    page = page_of(client, q="ferry", **params)
    assert 'class="note" role="status"' in page
    assert "Ferry service returns to the islands" in page


def test_results_page_query_budget(client, many, django_assert_max_num_queries):
    client.get("/")  # site-wide cached chrome
    client.get("/search/", data={"q": "lantern"})
    with django_assert_max_num_queries(10):
        response = client.get("/search/", data={"q": "lantern"})
    assert response.status_code == 200
    assert response.content.decode().count('class="search-snippet"') == 20


def test_anonymous_search_is_rate_limited(client, desk, settings):
    settings.HERALD_SEARCH_RATE = "3/m"
    cache.clear()
    for _ in range(3):
        assert client.get("/search/", data={"q": "ferry"}).status_code == 200
    response = client.get("/search/", data={"q": "ferry"})
    assert response.status_code == 429
    assert "Ferry service returns" not in response.content.decode()


@pytest.fixture
def crowd(db, monkeypatch):
    """Eight stories about kelp, one a day; the oldest has kelp in its headline."""
    from herald.newsroom import queries

    monkeypatch.setattr(queries, "SEARCH_RESULT_CAP", 5)
    section = make_section("Coast")
    now = timezone.now()
    for i in range(7):
        make_article(
            section,
            f"Harbour notes {i}",
            paragraphs=[f"The kelp harvest, day {i}.", "Boats came in late."],
            published_at=now - timedelta(days=i),
        )
    make_article(
        section,
        "Kelp forests return",
        paragraphs=["Divers counted the kelp again."],
        published_at=now - timedelta(days=30),
    )


def test_a_search_past_the_cap_says_more_than_and_keeps_the_newest(client, crowd):
    page = page_of(client, q="kelp", order="newest")
    assert "More than 5 results for" in page
    assert "narrow your search by section, author or date" in page
    assert found(client, q="kelp", order="newest") == [
        f"Harbour notes {i}" for i in range(5)
    ]


def test_relevance_past_the_cap_ranks_only_the_newest_matches(client, crowd):
    titles = found(client, q="kelp")
    assert sorted(titles) == [f"Harbour notes {i}" for i in range(5)]
    assert "Kelp forests return" not in titles


def test_a_date_filter_reaches_stories_older_than_the_cap(client, crowd):
    old = (timezone.localdate() - timedelta(days=20)).isoformat()
    assert found(client, q="kelp", to=old) == ["Kelp forests return"]
    assert "More than" not in page_of(client, q="kelp", to=old)


def test_relevance_puts_a_headline_match_first(client, db):
    section = make_section("Coast")
    now = timezone.now()
    make_article(
        section,
        "Ferry timetable published",
        paragraphs=["The kelp was mentioned once."],
        published_at=now,
    )
    make_article(
        section,
        "Kelp harvest doubles",
        paragraphs=["Growers were pleased."],
        published_at=now - timedelta(days=3),
    )
    assert found(client, q="kelp") == [
        "Kelp harvest doubles",
        "Ferry timetable published",
    ]
    assert found(client, q="kelp", order="newest") == [
        "Ferry timetable published",
        "Kelp harvest doubles",
    ]


@pytest.mark.parametrize("access_level", ["public", "paid"])
def test_snippet_reads_only_as_much_public_text_as_it_shows(db, access_level):
    from herald.newsroom.rendering import public_text
    from herald.newsroom.snippets import excerpt, highlight, query_terms, search_snippet

    section = make_section("Long reads")
    filler = " ".join(f"word{i}" for i in range(60))
    article = make_article(
        section,
        "A long story",
        dek="A dek about kelp.",
        paragraphs=[filler, filler, f"{filler} the kelp &amp; the tide {filler}"]
        + [filler] * 4
        + ["Gated kelp paragraph."],
        paywall_after=7,
        access_level=access_level,
    )
    for query in ("kelp tide", "word3", "nothing-here", "dek"):
        full = public_text(article)
        dek = article.dek
        terms = query_terms(query)
        text = full
        if (
            terms
            and not any(t in full.lower() for t in terms)
            and any(t in dek.lower() for t in terms)
        ):
            text = dek
        expected = highlight(excerpt(text or dek, terms), terms)
        assert search_snippet(article, query) == expected
    if access_level == "paid":
        assert "Gated" not in search_snippet(article, "gated")


HOSTILE_QUERIES = [
    '"unclosed',
    '"ferry',
    'ferry"',
    '""',
    "a OR",
    "OR",
    "ferry AND",
    "NOT ferry",
    "NEAR(",
    "NEAR(ferry harbourmaster",
    "ferry NEAR/2 islands",
    "*",
    "ferry*",
    "-",
    "-ferry",
    "^ferry",
    "ferry:",
    "title:ferry",
    "{title}: ferry",
    "(ferry",
    "ferry)",
    "ferry\x00",
    "\x00",
    "fer\x00ry",
    "'; DROP TABLE x; --",
    "+",
    ":",
    "%_",
    "\\",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
@pytest.mark.parametrize("order", ["relevance", "newest"])
def test_search_operators_quotes_and_nul_bytes_answer_a_results_page(
    client, desk, query, order
):
    response = client.get("/search/", data={"q": query, "order": order})

    assert response.status_code == 200
    page = response.content.decode()
    assert "\x00" not in page
    assert "zeppelin" not in page


@pytest.mark.parametrize(
    "query", ['"ferry', "ferry*", "-ferry", "(ferry)", "ferry\x00", "fer\x00ry"]
)
def test_search_keeps_the_words_of_a_query_with_operator_syntax(client, desk, query):
    assert found(client, q=query) == ["Ferry service returns to the islands"]


PREVIEW_CANARY = "quillsecretword"


def gated_story_with_a_canary_second_paragraph():
    return make_article(
        make_section("Harbour"),
        "Council budget talks",
        dek="Talks went on late.",
        paragraphs=[
            "The council opened the budget talks.",
            f"The {PREVIEW_CANARY} detail that only members read.",
            "A third paragraph about the budget talks.",
        ],
        access_level="members",
    )


@pytest.mark.parametrize("query", [PREVIEW_CANARY, "budget", "talks council"])
def test_search_honours_a_one_paragraph_preview(client, db, query):
    from herald.newsroom.testing import set_publication

    # given: a preview of one paragraph, and a gated story without a break
    set_publication(preview_paragraphs=1)
    gated_story_with_a_canary_second_paragraph()

    # when
    page = page_of(client, q=query)

    # then: the second paragraph is neither found nor shown (the page echoes
    # the query itself, so only the results are scanned)
    results = page.split('class="story-list"', 1)[-1] if "story-list" in page else ""
    assert PREVIEW_CANARY not in results.lower()
    if query == PREVIEW_CANARY:
        assert found(client, q=query) == []
    else:
        assert found(client, q=query) == ["Council budget talks"]


def test_shortening_the_preview_takes_gated_text_out_of_the_index(
    client, db, django_capture_on_commit_callbacks
):
    from herald.newsroom.testing import set_publication

    # given: a story indexed while the preview was three paragraphs long
    set_publication(preview_paragraphs=3)
    gated_story_with_a_canary_second_paragraph()
    assert found(client, q=PREVIEW_CANARY) == ["Council budget talks"]

    # when: an editor shortens the preview to one paragraph
    with django_capture_on_commit_callbacks(execute=True):
        set_publication(preview_paragraphs=1)

    # then
    assert found(client, q=PREVIEW_CANARY) == []
    assert PREVIEW_CANARY not in page_of(client, q="budget talks").lower()
    assert found(client, q="budget talks") == ["Council budget talks"]


def test_index_text_of_a_gated_story_uses_its_sites_preview_length(db):
    from herald.newsroom.rendering import public_text
    from herald.newsroom.testing import set_publication

    set_publication(preview_paragraphs=1)
    article = gated_story_with_a_canary_second_paragraph()

    assert PREVIEW_CANARY not in public_text(article)
    assert "opened the budget talks" in public_text(article)
