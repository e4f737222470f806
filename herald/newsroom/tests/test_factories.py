import pytest

from herald.newsroom import queries
from herald.newsroom.testing import make_article, make_image, make_section


@pytest.mark.django_db
def test_article_built_by_factory_is_live_with_authors_tags_and_image():
    section = make_section("World")
    article = make_article(
        section, "A harbour reopens", tags=["ports"], hero_image=make_image()
    )
    assert article.live
    assert [a.pk for a in queries.live_articles()] == [article.pk]
    assert article.article_authors.count() == 1
    assert [t.name for t in article.tags.all()] == ["ports"]
    assert article.url.endswith("/world/" + article.slug + "/")


@pytest.mark.django_db
def test_article_page_renders_for_anonymous_reader(client):
    section = make_section("World")
    article = make_article(section, "A harbour reopens", paragraphs=["One.", "Two."])
    response = client.get(article.url)
    assert response.status_code == 200
    assert b"A harbour reopens" in response.content
