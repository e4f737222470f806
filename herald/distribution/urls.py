"""Distribution URLs. Included by herald.urls before Wagtail's page catch-all.

Feed URL scheme (RSS at the bare path, then ``atom/`` and ``json/``)::

    /feed/                        home            /feed/atom/   /feed/json/
    /section/<section path>/feed/ a section and its sub-sections, where the
                                  section path is the section's path on the
                                  site (``world`` or ``world/asia``), unique
                                  even when sub-sections share a slug
    /author/<slug>/feed/          an author
    /tag/<slug>/feed/             a tag
    /feed/private/<token>/        a member's private feed (full text as entitled)
"""

from django.urls import path

from . import views

app_name = "distribution"


def _feed_patterns(prefix: str, kind: str) -> list:
    return [
        path(f"{prefix}feed/", views.public_feed(kind, "rss"), name=f"{kind}_rss"),
        path(
            f"{prefix}feed/atom/", views.public_feed(kind, "atom"), name=f"{kind}_atom"
        ),
        path(
            f"{prefix}feed/json/", views.public_feed(kind, "json"), name=f"{kind}_json"
        ),
    ]


urlpatterns = [
    path("feed/private/rotate/", views.rotate_private_feed, name="private_rotate"),
    path("feed/private/revoke/", views.revoke_private_feed, name="private_revoke"),
    path("feed/private/<str:token>/", views.private_feed("rss"), name="private_rss"),
    path(
        "feed/private/<str:token>/atom/",
        views.private_feed("atom"),
        name="private_atom",
    ),
    path(
        "feed/private/<str:token>/json/",
        views.private_feed("json"),
        name="private_json",
    ),
    *_feed_patterns("", "home"),
    *_feed_patterns("section/<path:section_path>/", "section"),
    *_feed_patterns("author/<slug:slug>/", "author"),
    *_feed_patterns("tag/<slug:slug>/", "tag"),
    path("sitemap.xml", views.sitemap_index, name="sitemap_index"),
    path("sitemap-news.xml", views.news_sitemap, name="news_sitemap"),
    path("sitemap-<slug:name>.xml", views.sitemap_page, name="sitemap_page"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("oembed/", views.oembed_view, name="oembed"),
    path("oembed", views.oembed_view, name="oembed_noslash"),
]
