"""Every non-trivial read of newsroom content, with select/prefetch applied.

Reader views reach article text only through ``article_body_for``, which asks
``members.access.can_read``. Listing functions return article "cards": pages with
their hero image, renditions, authors and section attached, in a bounded number
of queries whatever the number of items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from herald.core import keep
from herald.members.access import Reader, can_read

from . import hooks
from .models import (
    TOP_STORY_SLOTS,
    ArticleAuthor,
    ArticlePage,
    Author,
    Correction,
    HomePage,
    HomeTopStory,
    LeadClaim,
    PublicationSettings,
    SectionPage,
    StandardPage,
    StandardPageKind,
)
from .rendering import (
    GATED_CLASS,
    body_images,
    body_part_key,
    reading_minutes,
    render_body_parts,
)

# --- Articles ----------------------------------------------------------------


def live_articles() -> QuerySet[ArticlePage]:
    """Published articles, newest first."""
    return (
        ArticlePage.objects.live()
        .filter(first_published_at__isnull=False)
        .order_by("-first_published_at", "-pk")
    )


def with_cards(qs: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    """Attach what a story card shows: hero image and renditions, authors.

    The body (the largest column by far) is never shown on a card: deferred.
    """
    return (
        qs.defer("body")
        .select_related("hero_image")
        .prefetch_related(
            "hero_image__renditions",
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by(
                    "sort_order"
                ),
            ),
        )
    )


def attach_sections(articles: list[ArticlePage]) -> list[ArticlePage]:
    """Set ``card_section`` on each article, from the per-process sections map."""
    sections = sections_by_path()
    for article in articles:
        article.card_section = sections.get(article.path[: -ArticlePage.steplen])
    return articles


def sections_by_path() -> dict[str, SectionPage]:
    """Every section by tree path, kept per process until any page changes."""
    return keep.get_or_build("sections-by-path", _load_sections_by_path)


def _load_sections_by_path() -> dict[str, SectionPage]:
    return {
        s.path: s
        for s in SectionPage.objects.only(
            "id", "title", "slug", "url_path", "path", "depth", "live"
        )
    }


def cards(qs: QuerySet[ArticlePage]) -> list[ArticlePage]:
    """Evaluate ``qs`` as a list of cards (bounded queries)."""
    return attach_sections(list(with_cards(qs)))


def under(page: Any) -> QuerySet[ArticlePage]:
    """Live articles anywhere below ``page`` (a section and its sub-sections)."""
    return live_articles().filter(path__startswith=page.path, depth__gt=page.depth)


@dataclass
class ArticleBody:
    """What one reader may see of an article's body."""

    can_read: bool
    is_gated: bool
    preview_html: SafeString
    rest_html: SafeString | None
    gated_class: str = GATED_CLASS


def article_body_for(
    article: ArticlePage,
    reader: Reader,
    *,
    publication: PublicationSettings | None,
    request: Any = None,
) -> ArticleBody:
    """Render the body as far as ``reader`` may read it (the paywall gate)."""
    allowed = can_read(reader, article)
    preview_paragraphs = publication.preview_paragraphs if publication else 3
    is_gated = article.access_level != "public"
    preview, rest = render_body_parts(
        article,
        full=allowed,
        preview_paragraphs=preview_paragraphs,
        request=request,
        durable=request is not None,
    )
    return ArticleBody(
        can_read=allowed, is_gated=is_gated, preview_html=preview, rest_html=rest
    )


def related_articles(
    article: ArticlePage, *, limit: int = 4, tag_ids: list[int] | None = None
) -> list[ArticlePage]:
    """Recent stories sharing a tag, then from the same section."""
    if tag_ids is None:
        tag_ids = [t.pk for t in article.tags.all()]
    qs = live_articles().exclude(pk=article.pk)
    picked: list[ArticlePage] = []
    if tag_ids:
        picked = list(
            qs.filter(tagged_items__tag_id__in=tag_ids)
            .distinct()
            .select_related("hero_image")
            .prefetch_related("hero_image__renditions")[:limit]
        )
    if len(picked) < limit:
        parent_path = article.path[: -ArticlePage.steplen]
        more = (
            qs.filter(path__startswith=parent_path)
            .exclude(pk__in=[p.pk for p in picked])
            .select_related("hero_image")
            .prefetch_related("hero_image__renditions")[: limit - len(picked)]
        )
        picked.extend(more)
    return picked


def article_extras(article: ArticlePage, request: Any = None) -> dict[str, Any]:
    """Bylines, corrections, section, tags and related stories of ``article``.

    Nothing here depends on the reader. Only needed to render the article's
    fragments (``article_fragments``), which are kept; so on a warm page none
    of this is read at all.
    """
    authors = [
        aa.author
        for aa in ArticleAuthor.objects.filter(article=article)
        .select_related("author__photo")
        .prefetch_related("author__photo__renditions")
        .order_by("sort_order")
    ]
    corrections = list(Correction.objects.filter(article=article).order_by("date"))
    parent_path = article.path[: -ArticlePage.steplen]
    section = sections_by_path().get(parent_path)
    tags = list(article.tags.all())
    return {
        "section": section,
        "authors": authors,
        "tags": tags,
        "corrections": corrections,
        "related": related_articles(article, tag_ids=[t.pk for t in tags]),
        "reading_minutes": reading_minutes(article, request),
    }


ARTICLE_FRAGMENTS = ("head", "foot")


def article_uses(article: ArticlePage, extras: dict[str, Any]) -> list[tuple[str, Any]]:
    """What the article's kept renderings show (``core.keep.durable``): a change
    to any of these drops them."""
    from wagtail.images import get_image_model
    from wagtail.models import ReferenceIndex

    page, image = keep.durable.PAGE_LABEL, get_image_model()._meta.label_lower
    uses: list[tuple[str, Any]] = [(image, article.hero_image_id)]
    section = extras.get("section")
    if section is not None:
        uses.append((page, section.pk))
    for author in extras.get("authors", ()):
        uses += [(Author._meta.label_lower, author.pk), (image, author.photo_id)]
    uses += [("taggit.tag", tag.pk) for tag in extras.get("tags", ())]
    for other in extras.get("related", ()):
        uses += [(page, other.pk), (image, other.hero_image_id)]
    uses += [(image, picture.pk) for picture in body_images(list(article.body))]
    # Pages, pictures and snippets the body links to or embeds.
    references = ReferenceIndex.objects.filter(
        content_type_id=article.content_type_id, object_id=str(article.pk)
    ).values_list(
        "to_content_type__app_label", "to_content_type__model", "to_object_id"
    )
    uses += [(f"{app}.{model}", pk) for app, model, pk in references]
    return uses


ARTICLE_FRAGMENTS = ("head", "foot")


def article_fragments(
    article: ArticlePage, request: Any
) -> tuple[dict[str, SafeString], dict[str, Any]]:
    """The reader-neutral parts of the article page, rendered once per revision.

    ``head`` (kicker, headline, dek, byline, dates, hero) and ``foot``
    (corrections, tags, share and follow links, author box, calls to action,
    related stories) show the same to every reader, so ``core.keep`` keeps
    them for the live revision (never for a preview), per language and time
    zone: in this process's cache under the change generation, and in the database
    (``keep.durable``) until something they show changes.
    The gated body is never part of them.

    Returns the fragments and, when they had to be rendered, the extras they
    were rendered from (empty when they were kept).
    """
    from django.template.loader import render_to_string

    keys: dict[str, str] = {}
    since = None
    if keep.may_keep(request, article) and article.first_published_at:
        keys = {
            part: keep.rendering_key(f"article-{part}", article)
            for part in ARTICLE_FRAGMENTS
        }
        found = keep.get_many(list(keys.values()), page=article)
        if len(found) == len(keys):
            # Rendered by our own templates with autoescaping (below).
            html = {part: found[key] for part, key in keys.items()}
            return {p: mark_safe(h) for p, h in html.items()}, {}  # noqa: S308 - our templates' output
        since = keep.durable.begin(article)  # before the rows below are read
    extras = article_extras(article, request)
    context = {"article": article, **extras}
    fragments = {
        part: render_to_string(f"newsroom/article_{part}.html", context, request)
        for part in ARTICLE_FRAGMENTS
    }
    if keys:
        keep.set_many(
            {keys[part]: str(html) for part, html in fragments.items()},
            page=article,
            uses=article_uses(article, extras),
            since=since,
        )
    return fragments, extras


def article_page_context(article: ArticlePage, request: Any) -> dict[str, Any]:
    """Everything the article template shows, gated for the request's reader.

    The gate (``article_body_for``) runs on every request; only reader-neutral
    parts are kept (``article_fragments``). Every kept part this request may
    need (head, foot, the body parts the reader gets, the ``<head>`` tags) is
    looked up at once: one round trip to the shared cache and, on a miss, one
    query.
    """
    from herald.members.access import reader_for_request

    publication = PublicationSettings.for_request(request) if request else None
    reader = reader_for_request(request, article)
    if keep.may_keep(request, article) and article.first_published_at:
        preview_paragraphs = publication.preview_paragraphs if publication else 3
        parts = ["preview", "rest"] if can_read(reader, article) else ["preview"]
        wanted = [
            keep.rendering_key(f"article-{part}", article) for part in ARTICLE_FRAGMENTS
        ]
        wanted += [body_part_key(article, preview_paragraphs, part) for part in parts]
        wanted += keep.durable.part_keys(request, article).values()
        if len(keep.get_many(wanted, page=article)) < len(wanted):
            keep.durable.begin(article)  # before anything is read to render them
    fragments, extras = article_fragments(article, request)
    return {
        # When the fragments were just rendered, what they were rendered from
        # (the page's <head> tags use the bylines).
        **extras,
        "article": article,
        "fragments": fragments,
        "body": article_body_for(
            article, reader, publication=publication, request=request
        ),
        "reader": reader,
    }


# --- Listings ----------------------------------------------------------------


def paginate(items: Any, page_param: Any, *, per_page: int | None = None) -> Page:
    """Return the requested page; bad or out-of-range values get the first/last."""
    paginator = Paginator(items, per_page or settings.HERALD_PAGE_SIZE)
    try:
        return paginator.page(page_param or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def page_cards(page: Page) -> Page:
    """Attach sections (and apps' card extras) to a page's articles in place."""
    page.object_list = hooks.add_card_extras(attach_sections(list(page.object_list)))
    return page


LATEST_COUNT = 10


@dataclass
class FrontPageLead:
    """Who leads the front page, and why."""

    article_id: int | None = None
    breaking: bool = False
    # The editor's pinned story when a breaking story took its place.
    displaced_pin_id: int | None = None


def front_page_lead(home: HomePage) -> FrontPageLead:
    """The newest claim to the lead whose story is live (``LeadClaim``), if any.

    A pinned claim counts only for the story the home page pins now; a pinned
    story without a claim (pinned before claims were recorded) ranks below
    every claim. One query.
    """
    claims = list(
        LeadClaim.objects.filter(
            article__live=True, article__first_published_at__isnull=False
        ).values_list("article_id", "kind")
    )
    pin = home.lead_article_id
    ranked = [
        (article_id, kind)
        for article_id, kind in claims
        if kind == LeadClaim.Kind.BREAKING or article_id == pin
    ]
    pin_claimed = any(article_id == pin for article_id, _kind in claims)
    if pin is not None and not pin_claimed:
        ranked.append((pin, LeadClaim.Kind.PINNED))
    if not ranked:
        return FrontPageLead()
    article_id, kind = ranked[0]
    breaking = kind == LeadClaim.Kind.BREAKING
    displaced = pin if breaking and pin is not None and pin != article_id else None
    return FrontPageLead(article_id, breaking, displaced)


def home_page_context(home: HomePage) -> dict[str, Any]:
    """Lead story, top stories, latest list and one rail per top-level section.

    - **Lead**: the newest claim (a breaking story, or the editor's pin), else
      the newest story.
    - **Top stories**: a pin that a breaking story displaced, then the
      editor's top-story slots in order; with no live slot, the newest stories.
    - **Latest**: the newest stories not already shown above.
    - **Rails**: each section's newest stories not already shown.

    No story appears twice. Pinned or curated stories that are not live are
    skipped. A bounded number of queries whatever the number of stories.
    """
    lead_claim = front_page_lead(home)
    slot_ids = list(
        HomeTopStory.objects.filter(home_id=home.pk)
        .order_by("sort_order")
        .values_list("article_id", flat=True)
    )
    newest_ids = list(
        live_articles().values_list("pk", flat=True)[
            : 1 + TOP_STORY_SLOTS + LATEST_COUNT
        ]
    )
    chosen = [lead_claim.article_id, lead_claim.displaced_pin_id, *slot_ids]
    wanted = {pk for pk in (*chosen, *newest_ids) if pk is not None}
    found = {a.pk: a for a in with_cards(live_articles().filter(pk__in=wanted))}

    shown: list[ArticlePage] = []

    def take(ids: Any, limit: int) -> list[ArticlePage]:
        picked: list[ArticlePage] = []
        for pk in ids:
            article = found.get(pk)
            if len(picked) >= limit:
                break
            if article is not None and article not in shown:
                picked.append(article)
                shown.append(article)
        return picked

    lead_list = take([lead_claim.article_id, *newest_ids], 1)
    lead = lead_list[0] if lead_list else None
    curated = [lead_claim.displaced_pin_id, *slot_ids]
    top = take(curated, TOP_STORY_SLOTS)
    if not any(found.get(pk) for pk in slot_ids):
        top += take(newest_ids, TOP_STORY_SLOTS - len(top))
    latest = take(newest_ids, LATEST_COUNT)
    rails = section_rails(home, exclude=[a.pk for a in shown])
    all_cards = list(shown)
    for _section, items in rails:
        all_cards.extend(items)
    hooks.add_card_extras(attach_sections(all_cards))
    return {
        "lead": lead,
        "lead_is_breaking": bool(
            lead is not None
            and lead_claim.breaking
            and lead.pk == lead_claim.article_id
        ),
        "top_stories": top,
        "latest": latest,
        "rails": rails,
    }


def section_rails(
    home: HomePage, *, per_rail: int = 4, exclude: list[int] | None = None
) -> list[tuple[SectionPage, list]]:
    """The newest ``per_rail`` stories of each top-level section, in one query.

    Stories in ``exclude`` (already on the front page) are left out.
    """
    sections = list(
        SectionPage.objects.live()
        .filter(depth=home.depth + 1, path__startswith=home.path)
        .order_by("path")
    )
    if not sections:
        return []
    # One "newest ids" subquery per section (each an index scan on
    # first_published_at that stops after ``per_rail`` rows), glued with UNION ALL
    # and used as the id list of a single cards query. A window function over
    # every live article cost seconds at 100,000 articles.
    parts, params = [], []
    for i, section in enumerate(sections):
        ids = (
            live_articles()
            .filter(path__startswith=section.path)
            .exclude(pk__in=exclude or [])
            .values_list("pk", flat=True)[:per_rail]
        )
        sql, sql_params = ids.query.sql_with_params()
        # The SQL is the ORM's own compilation; values stay in params.
        parts.append(f"SELECT * FROM ({sql}) AS rail{i}")  # noqa: S608
        params.extend(sql_params)
    newest = live_articles().filter(
        pk__in=RawSQL(" UNION ALL ".join(parts), tuple(params))  # noqa: S611
    )
    prefix_len = len(home.path) + ArticlePage.steplen
    by_rail: dict[str, list[ArticlePage]] = {}
    for article in with_cards(newest):
        by_rail.setdefault(article.path[:prefix_len], []).append(article)
    return [(s, by_rail.get(s.path, [])) for s in sections if by_rail.get(s.path)]


def listing_variant(request: Any) -> str:
    """Which cached version of a listing's main part ``request`` gets, or "".

    A listing's stories are the same for every reader, so its main part is kept
    (``{% cache … using="local" %}``) per page number. Only a bare URL or a plain
    ``?page=N`` is kept; anything else (junk parameters, ``?page=abc``) is
    rendered each time, so odd URLs cannot crowd out the cache.
    """
    query = request.META.get("QUERY_STRING", "") if request is not None else ""
    if not query:
        return "page-1"
    name, _, value = query.partition("=")
    if name == "page" and value.isdigit() and len(value) <= 5:
        return f"page-{int(value)}"
    return ""


def section_page_context(section: SectionPage, request: Any) -> dict[str, Any]:
    """A section's sub-sections and its paginated stories (including sub-sections)."""
    children = list(SectionPage.objects.live().child_of(section).order_by("path"))
    page = paginate(with_cards(under(section)), request.GET.get("page"))
    page_cards(page)
    return {"articles": page, "subsections": children}


def author_articles(author: Author) -> QuerySet[ArticlePage]:
    return live_articles().filter(article_authors__author=author)


def tag_articles(tag: Tag) -> QuerySet[ArticlePage]:
    return live_articles().filter(tagged_items__tag=tag)


def get_author(slug: str) -> Author | None:
    return Author.objects.select_related("photo").filter(slug=slug).first()


def get_tag(slug: str) -> Tag | None:
    return Tag.objects.filter(slug=slug).first()


def site_chrome_items() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(navigation_sections(), breaking_news()), kept for a minute at most.

    Kept in this process and the shared cache under the change generation;
    breaking news also ages out by time, hence the minute.
    """
    return keep.get_or_build(
        "site-chrome", lambda: (navigation_sections(), breaking_news()), 60, shared=True
    )


def navigation_sections() -> list[dict[str, Any]]:
    """Top-level sections (with their children) for the masthead."""
    home = HomePage.objects.live().first()
    nav: list[dict[str, Any]] = []
    if home is None:
        return nav
    rows = list(
        SectionPage.objects.live()
        .filter(
            path__startswith=home.path,
            depth__in=(home.depth + 1, home.depth + 2),
            show_in_navigation=True,
        )
        .order_by("path")
        .values("title", "url_path", "path", "depth")
    )
    root_url_path = home.url_path
    for row in rows:
        url = "/" + row["url_path"][len(root_url_path) :]
        item = {"title": row["title"], "url": url, "children": []}
        if row["depth"] == home.depth + 1:
            nav.append(item | {"path": row["path"]})
        elif nav and row["path"].startswith(nav[-1]["path"]):
            nav[-1]["children"].append(item)
    return nav


def breaking_news(hours: int | None = None) -> list[dict[str, Any]]:
    """Breaking stories published in the last few hours."""
    hours = hours or settings.HERALD_BREAKING_HOURS
    since = timezone.now() - timedelta(hours=hours)
    return [
        {"title": a.title, "url": a.url, "published_at": a.first_published_at}
        for a in live_articles()
        .filter(is_breaking=True, first_published_at__gte=since)
        .only("id", "title", "url_path", "path", "depth", "first_published_at")[:3]
    ]


# --- Search ------------------------------------------------------------------


@dataclass
class SearchFilters:
    """Filters of a search, parsed from the request; ``notes`` explain ignored ones."""

    section: SectionPage | None = None
    author: Author | None = None
    since: date | None = None
    until: date | None = None
    notes: list[str] = field(default_factory=list)


def search_choices() -> dict[str, Any]:
    """Sections (with sub-sections) and authors offered as search filters."""
    sections = list(
        SectionPage.objects.live().order_by("path").only("id", "title", "path", "depth")
    )
    top = min((s.depth for s in sections), default=0)
    for s in sections:
        s.indent = s.depth - top  # type: ignore[attr-defined]
    authors = list(Author.objects.order_by("name").only("id", "name", "slug"))
    return {"sections": sections, "authors": authors}


def parse_search_filters(params: Any, choices: dict[str, Any]) -> SearchFilters:
    """Read section, author and date range; unknown or malformed values are noted."""
    from django.utils.dateparse import parse_date
    from django.utils.translation import gettext as _

    filters = SearchFilters()
    section = (params.get("section") or "").strip()
    if section:
        filters.section = next(
            (s for s in choices["sections"] if str(s.pk) == section), None
        )
        if filters.section is None:
            filters.notes.append(_("We don't know that section, so we searched all."))
    author = (params.get("author") or "").strip()
    if author:
        filters.author = next((a for a in choices["authors"] if a.slug == author), None)
        if filters.author is None:
            filters.notes.append(_("We don't know that author, so we searched all."))
    for name, attr in (("from", "since"), ("to", "until")):
        value = (params.get(name) or "").strip()
        if not value:
            continue
        try:
            parsed = parse_date(value)
        except ValueError:
            parsed = None
        if parsed is None:
            filters.notes.append(
                _("“%(value)s” is not a date (use YYYY-MM-DD), so we ignored it.")
                % {"value": value[:20]}
            )
        setattr(filters, attr, parsed)
    return filters


# A search matching more stories than this is not counted or ranked in full: at
# 100,000 stories two common words each match most of them, and ranking all of
# those takes seconds. Such a search shows "more than" this many results, and
# relevance ranks the newest SEARCH_RESULT_CAP matches (the section, author and
# date filters move that window, so older stories stay reachable).
SEARCH_RESULT_CAP = 100
_SCORE = "search_score"
_SEARCH_WORD = re.compile(r"[^\W_]+")


def backend_query(query: str) -> str:
    """The words of a reader's query, lower-cased, as the search backend gets them.

    Readers type quotes, ``*``, ``-``, ``NEAR(``, ``OR`` and NUL bytes; SQLite's
    FTS5 reads those as its own syntax (an unclosed quote is a syntax error)
    and PostgreSQL rejects NUL. Only the words matter for a news search, and
    lower case keeps ``OR``/``AND``/``NOT``/``NEAR`` from being operators.
    """
    return " ".join(word.lower() for word in _SEARCH_WORD.findall(query))


def search_articles(
    query: str, *, order: str = "relevance", filters: SearchFilters | None = None
) -> Any:
    """Search headline, dek, public text, authors and tags (never gated text).

    Every match, counted and ranked in full: a results page uses
    ``search_page``, which bounds both.
    """
    # The snippet is built from the body's public part: load it (cards defer it).
    qs = with_cards(live_articles()).defer(None)
    if filters is not None:
        qs = _filter_search(qs, filters)
    query = backend_query(query)
    if not query:
        return qs.none()
    if order == "newest":
        return _newest_first(qs).search(query, order_by_relevance=False)
    return qs.search(query)


def _newest_first(qs: Any) -> Any:
    # Sort on an indexed FilterField only: live_articles' "-pk" tie-break is not
    # one, and the search backend refuses it.
    return qs.order_by("-first_published_at")


def _filter_search(qs: Any, filters: SearchFilters) -> Any:
    from datetime import datetime, time

    if filters.section is not None:
        qs = qs.filter(path__startswith=filters.section.path)
    if filters.author is not None:
        qs = qs.filter(
            id__in=ArticleAuthor.objects.filter(author=filters.author).values(
                "article_id"
            )
        )
    tz = timezone.get_current_timezone()
    if filters.since is not None:
        since = datetime.combine(filters.since, time.min, tzinfo=tz)
        qs = qs.filter(first_published_at__gte=since)
    if filters.until is not None:
        until = datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=tz)
        qs = qs.filter(first_published_at__lt=until)
    return qs


def _scores_rank_higher_first() -> bool:
    """Whether the search backend's scores are PostgreSQL ``ts_rank`` values."""
    from wagtail.search.backends import get_search_backend
    from wagtail.search.backends.database.postgres.postgres import (
        PostgresSearchBackend,
    )

    return isinstance(get_search_backend(), PostgresSearchBackend)


def _newest_matches(
    qs: Any, query: str, *, limit: int, scored: bool
) -> list[tuple[int, float | None]]:
    """(pk, relevance score or None) of the ``limit`` newest matches, newest first.

    Wagtail's database backends run a search as a Django queryset
    (``get_queryset``): asking it for the key and score alone keeps the matched
    text vectors off the wire and builds no object per match. Other backends
    return their objects.
    """
    results = _newest_first(qs).search(query, order_by_relevance=False)
    if scored:
        # With a sort order of its own, the backend still scores each row it
        # returns, and only those (ranking happens after the LIMIT).
        results = results.annotate_score(_SCORE)
    results = results[:limit]
    get_queryset = getattr(results, "get_queryset", None)
    if get_queryset is None:
        return [(obj.pk, getattr(obj, _SCORE, None)) for obj in results]
    rows = get_queryset()
    if scored:
        return list(rows.values_list("pk", _SCORE))
    return [(pk, None) for pk in rows.values_list("pk", flat=True)]


def _by_relevance(
    matches: list[tuple[int, float | None]], query: str, *, scored: bool
) -> list[int]:
    """The keys of ``matches``, most relevant first, as the backend orders them."""
    if scored:
        # The order of Wagtail's PostgreSQL backend: rank, then newest key.
        ranked = sorted(matches, key=lambda m: (-(m[1] or 0.0), -m[0]))
        return [pk for pk, _score in ranked]
    # Other backends rank the matches themselves (one more search, bounded).
    ids = [pk for pk, _score in matches]
    results = ArticlePage.objects.filter(pk__in=ids).search(query)
    get_queryset = getattr(results, "get_queryset", None)
    if get_queryset is None:
        return [obj.pk for obj in results]
    return list(get_queryset().values_list("pk", flat=True))


# What a search result shows: the card's fields (its page URL from ``url_path``,
# its section from ``path``) and the body, whose public part makes the snippet.
_SEARCH_CARD_FIELDS = (
    "title",
    "slug",
    "url_path",
    "path",
    "depth",
    "live",
    "first_published_at",
    "last_published_at",
    "latest_revision_id",
    "dek",
    "article_type",
    "access_level",
    "hero_image",
    "body",
)


def _search_cards(ids: list[int]) -> list[ArticlePage]:
    """Cards of the articles ``ids``, in that order, with their body for snippets."""
    # with_cards defers the body; defer(None) clears that before only().
    cards = (
        with_cards(ArticlePage.objects.filter(pk__in=ids))
        .defer(None)
        .only(*_SEARCH_CARD_FIELDS)
    )
    found = {a.pk: a for a in cards}
    return [found[pk] for pk in ids if pk in found]


def search_page(
    query: str, page_param: Any, *, order: str, filters: SearchFilters
) -> Page:
    """One page of results with sections and highlighted snippets attached.

    One query finds the newest ``SEARCH_RESULT_CAP`` matches (and one more, to
    tell whether there are more), with their relevance scores for relevance
    order: their number is the count, and the page is cut from them in either
    order. ``page.more_than`` is the cap when more stories match, else None.
    """
    from .snippets import preview_length_of, preview_lengths, search_snippet

    scored = order != "newest" and _scores_rank_higher_first()
    words = backend_query(query)
    matches = (
        _newest_matches(
            _filter_search(live_articles(), filters),
            words,
            limit=SEARCH_RESULT_CAP + 1,
            scored=scored,
        )
        if words
        else []
    )
    more_than = SEARCH_RESULT_CAP if len(matches) > SEARCH_RESULT_CAP else None
    matches = matches[:SEARCH_RESULT_CAP]
    if order == "newest":
        ids = [pk for pk, _score in matches]
    else:
        ids = _by_relevance(matches, words, scored=scored)
    page = paginate(ids, page_param)
    page.object_list = _search_cards(list(page.object_list))
    page = page_cards(page)
    page.more_than = more_than  # type: ignore[attr-defined]
    lengths = preview_lengths()
    for article in page.object_list:
        article.snippet = search_snippet(
            article, query, preview_paragraphs=preview_length_of(article, lengths)
        )
    return page


# The footer's "About us" links, in this order: (kind, settings field, label).
FOOTER_PAGE_LINKS = (
    (StandardPageKind.ABOUT, "about_url"),
    (StandardPageKind.ETHICS, "ethics_url"),
    (StandardPageKind.CORRECTIONS, "corrections_url"),
    (StandardPageKind.PRIVACY, "privacy_url"),
    (StandardPageKind.CONTACT, ""),
)


def footer_page_links(publication: Any) -> list[tuple[str, str]]:
    """(label, href) for the footer: each kind's setting link, else its live page.

    One query (the footer is kept by ``core.keep``, so it runs when the kept
    footer is rebuilt). The first live page of a kind, in tree order, wins.
    """
    from herald.core.links import safe_link

    pages: dict[str, str] = {}
    for kind, url_path in (
        StandardPage.objects.live()
        .exclude(kind=StandardPageKind.OTHER)
        .order_by("path")
        .values_list("kind", "url_path")
    ):
        pages.setdefault(kind, url_path)
    site_root = _site_root_url_path()
    links = []
    for kind, field_name in FOOTER_PAGE_LINKS:
        href = safe_link(getattr(publication, field_name, "")) if field_name else ""
        if not href and kind in pages and pages[kind].startswith(site_root):
            href = "/" + pages[kind][len(site_root) :]
        if href:
            links.append((str(StandardPageKind(kind).label), href))
    return links


def _site_root_url_path() -> str:
    home = keep.get_or_build(
        "home-url-path",
        lambda: HomePage.objects.values_list("url_path", flat=True).first() or "/",
    )
    return str(home)
