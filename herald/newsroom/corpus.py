"""Bulk loading of the shared benchmark corpus (``../shared/bench/content.py``).

The corpus has sections, authors and up to 100,000 articles. Going through
Wagtail's ``add_child`` costs several queries per article (tree locking, sibling
lookups, revisions), which takes hours at that size, so articles are written here
in batches: the page tree rows are computed directly (treebeard materialised
paths, depth, ``url_path``), then the ``wagtailcore_page`` rows, the
``ArticlePage`` rows that extend them, the bylines and the search index entries.
Sections and authors are few and go through the ordinary API.

What it writes is what the reader site and the admin expect of a published page
without revisions: live, with first/last published dates, in the default locale.
Loading is idempotent: an article whose slug already exists is skipped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils.html import escape
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend

from herald.core import keep

from .models import ArticleAuthor, ArticlePage, Author, HomePage, SectionPage

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_WS = re.compile(r"\s+")


class CorpusError(ValueError):
    """The corpus file cannot be loaded (names the record at fault)."""


@dataclass
class LoadResult:
    sections_created: int = 0
    authors_created: int = 0
    articles_created: int = 0
    articles_skipped: int = 0
    indexed: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _str(record: dict[str, Any], key: str, where: str, max_length: int) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CorpusError(f"{where}: '{key}' is missing or not text")
    if len(value) > max_length:
        raise CorpusError(f"{where}: '{key}' is longer than {max_length} characters")
    return value


def validate_corpus(data: Any) -> None:
    """Check the whole corpus before anything is written (it loads whole or not)."""
    if not isinstance(data, dict):
        raise CorpusError("the corpus must be a JSON object")
    for key in ("sections", "authors", "articles"):
        if not isinstance(data.get(key), list):
            raise CorpusError(f"'{key}' must be a list")
    section_slugs: set[str] = set()
    for i, section in enumerate(data["sections"]):
        where = f"sections[{i}]"
        if not isinstance(section, dict):
            raise CorpusError(f"{where}: not an object")
        slug = _str(section, "slug", where, 255)
        if not _SLUG.match(slug):
            raise CorpusError(f"{where}: invalid slug {slug!r}")
        _str(section, "name", where, 255)
        section_slugs.add(slug)
    author_slugs: set[str] = set()
    for i, author in enumerate(data["authors"]):
        where = f"authors[{i}]"
        if not isinstance(author, dict):
            raise CorpusError(f"{where}: not an object")
        slug = _str(author, "slug", where, 150)
        if not _SLUG.match(slug):
            raise CorpusError(f"{where}: invalid slug {slug!r}")
        _str(author, "name", where, 150)
        author_slugs.add(slug)
    seen: set[str] = set()
    for i, article in enumerate(data["articles"]):
        where = f"articles[{i}]"
        if not isinstance(article, dict):
            raise CorpusError(f"{where}: not an object")
        slug = _str(article, "slug", where, 255)
        if not _SLUG.match(slug):
            raise CorpusError(f"{where}: invalid slug {slug!r}")
        if slug in seen:
            raise CorpusError(f"{where}: duplicate slug {slug!r}")
        seen.add(slug)
        _str(article, "headline", where, 255)
        if article.get("section") not in section_slugs:
            raise CorpusError(f"{where}: unknown section {article.get('section')!r}")
        if article.get("author") not in author_slugs:
            raise CorpusError(f"{where}: unknown author {article.get('author')!r}")
        excerpt = article.get("excerpt", "")
        if not isinstance(excerpt, str) or len(excerpt) > 300:
            raise CorpusError(f"{where}: 'excerpt' must be text of at most 300 chars")
        paragraphs = article.get("paragraphs")
        if not isinstance(paragraphs, list) or not all(
            isinstance(p, str) for p in paragraphs
        ):
            raise CorpusError(f"{where}: 'paragraphs' must be a list of text")
        _parse_date(article.get("published_at"), where)


def _parse_date(value: Any, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise CorpusError(f"{where}: 'published_at' is not an ISO 8601 date") from exc
    if parsed.tzinfo is None:
        raise CorpusError(f"{where}: 'published_at' has no time zone")
    return parsed


def _step(number: int) -> str:
    """Encode one treebeard path step (``steplen`` characters of ``alphabet``)."""
    alphabet, steplen = Page.alphabet, Page.steplen
    if number >= len(alphabet) ** steplen:
        raise CorpusError("too many pages under one section for the page tree")
    out = ""
    for _ in range(steplen):
        number, digit = divmod(number, len(alphabet))
        out = alphabet[digit] + out
    return out


def _next_child_number(parent: Page) -> int:
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    if last is None:
        return 1
    return int(last[-Page.steplen :], len(Page.alphabet)) + 1


def _body(paragraphs: Iterable[str]) -> list[dict[str, Any]]:
    return [
        {
            "type": "paragraph",
            "value": f"<p>{escape(text)}</p>",
            "id": str(uuid.uuid4()),
        }
        for text in paragraphs
    ]


def _ensure_sections(
    home: HomePage, sections: list[dict[str, Any]], result: LoadResult
) -> dict[str, SectionPage]:
    existing = {
        page.slug: page
        for page in home.get_children().type(SectionPage).specific()
        if isinstance(page, SectionPage)
    }
    for record in sections:
        if record["slug"] in existing:
            continue
        if home.get_children().filter(slug=record["slug"]).exists():
            raise CorpusError(
                f"section {record['slug']!r}: a page that is not a section has its slug"
            )
        section = SectionPage(title=record["name"], slug=record["slug"])
        home.add_child(instance=section)
        section.save_revision().publish()
        home.refresh_from_db()
        existing[record["slug"]] = section
        result.sections_created += 1
    return existing


def _ensure_authors(
    authors: list[dict[str, Any]], result: LoadResult
) -> dict[str, Author]:
    by_slug = {
        a.slug: a for a in Author.objects.filter(slug__in=[r["slug"] for r in authors])
    }
    for record in authors:
        if record["slug"] in by_slug:
            continue
        by_slug[record["slug"]] = Author.objects.create(
            name=record["name"],
            slug=record["slug"],
            email=record.get("email", "")[:254],
            short_bio=(record.get("bio") or "")[:300],
        )
        result.authors_created += 1
    return by_slug


def _insert_articles(
    batch: list[tuple[dict[str, Any], SectionPage]],
    *,
    next_number: dict[int, int],
    authors: dict[str, Author],
    content_type: ContentType,
    locale: Locale | None,
) -> list[ArticlePage]:
    """Write one batch of pages, article rows and bylines; return the articles."""
    articles: list[ArticlePage] = []
    for record, section in batch:
        number = next_number[section.pk]
        next_number[section.pk] = number + 1
        published = _parse_date(record["published_at"], record["slug"])
        articles.append(
            ArticlePage(
                title=record["headline"],
                draft_title=record["headline"],
                slug=record["slug"],
                content_type=content_type,
                path=section.path + _step(number),
                depth=section.depth + 1,
                numchild=0,
                url_path=f"{section.url_path}{record['slug']}/",
                live=True,
                has_unpublished_changes=False,
                first_published_at=published,
                last_published_at=published,
                latest_revision_created_at=published,
                locale=locale,
                dek=record.get("excerpt", ""),
                body=_body(record["paragraphs"]),
            )
        )
    page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
    article_fields = list(ArticlePage._meta.local_concrete_fields)
    # Django's bulk_create refuses multi-table models, so insert the parent rows
    # (wagtailcore_page) first, then the child rows pointing at them, the way
    # Model.save() does it, but for a whole batch at once.
    page_batch = max(1, connection.ops.bulk_batch_size(page_fields, articles))
    article_batch = max(1, connection.ops.bulk_batch_size(article_fields, articles))
    for start in range(0, len(articles), page_batch):
        chunk = articles[start : start + page_batch]
        rows = Page._base_manager._insert(
            chunk, fields=page_fields, returning_fields=[Page._meta.pk]
        )
        for article, row in zip(chunk, rows, strict=True):
            article.id = article.page_ptr_id = row[0]
    for start in range(0, len(articles), article_batch):
        ArticlePage._base_manager._insert(
            articles[start : start + article_batch], fields=article_fields
        )
    ArticleAuthor.objects.bulk_create(
        [
            ArticleAuthor(
                article_id=article.pk,
                author_id=authors[record["author"]].pk,
                sort_order=0,
            )
            for article, (record, _section) in zip(articles, batch, strict=True)
        ]
    )
    return articles


def _constant(value: str) -> Callable[[], str]:
    return lambda: value


def _index(
    articles: list[ArticlePage], batch: list[tuple[dict[str, Any], SectionPage]]
) -> int:
    """Add a batch to the search index with the texts the model would compute.

    The model's index methods (``public_text``, ``author_names``, ``tag_names``)
    render the body and query bylines and tags, and the search backend calls each
    several times per object; the corpus already has the plain text, so each is
    answered from it (identical result: the text of public paragraphs, whitespace
    collapsed).
    """
    for article, (record, _section) in zip(articles, batch, strict=True):
        text = _WS.sub(" ", " ".join(record["paragraphs"])).strip()
        article.public_text = _constant(text)  # type: ignore[method-assign]
        article.author_names = _constant(record["author_name"])  # type: ignore[method-assign]
        article.tag_names = _constant("")  # type: ignore[method-assign]
    get_search_backend().add_bulk(ArticlePage, articles)
    return len(articles)


def load_corpus(
    data: dict[str, Any],
    *,
    batch_size: int = 2000,
    search_index: bool = True,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Load a corpus (validated first); existing article slugs are skipped."""
    import time

    validate_corpus(data)
    result = LoadResult()
    say = progress or (lambda _msg: None)
    home = HomePage.objects.order_by("path").first()
    if home is None:
        raise CorpusError("no home page: run the migrations first")
    started = time.perf_counter()
    with transaction.atomic():
        sections = _ensure_sections(home, data["sections"], result)
        authors = _ensure_authors(data["authors"], result)
        result.timings["sections_authors"] = time.perf_counter() - started

        slugs = [a["slug"] for a in data["articles"]]
        existing: set[str] = set()
        for start in range(0, len(slugs), 5000):
            existing.update(
                ArticlePage.objects.filter(
                    slug__in=slugs[start : start + 5000]
                ).values_list("slug", flat=True)
            )
        todo = [a for a in data["articles"] if a["slug"] not in existing]
        result.articles_skipped = len(data["articles"]) - len(todo)

        content_type = ContentType.objects.get_for_model(ArticlePage)
        locale = Locale.objects.filter(pk=home.locale_id).first() or (
            Locale.objects.order_by("pk").first()
        )
        next_number = {s.pk: _next_child_number(s) for s in sections.values()}
        author_names = {slug: a.name for slug, a in authors.items()}
        t_rows = time.perf_counter()
        index_s = 0.0
        for start in range(0, len(todo), batch_size):
            batch = [
                (a, sections[a["section"]]) for a in todo[start : start + batch_size]
            ]
            articles = _insert_articles(
                batch,
                next_number=next_number,
                authors=authors,
                content_type=content_type,
                locale=locale,
            )
            result.articles_created += len(articles)
            if search_index:
                t_index = time.perf_counter()
                for record, _section in batch:
                    record["author_name"] = author_names[record["author"]]
                result.indexed += _index(articles, batch)
                index_s += time.perf_counter() - t_index
            say(f"  articles {result.articles_created}/{len(todo)}")
        for section in sections.values():
            count = Page.objects.filter(
                path__startswith=section.path, depth=section.depth + 1
            ).count()
            Page.objects.filter(pk=section.pk).update(numchild=count)
        result.timings["articles"] = time.perf_counter() - t_rows - index_s
        if search_index:
            result.timings["search_index"] = index_s
        keep.bump()
    result.timings["total"] = time.perf_counter() - started
    return result
