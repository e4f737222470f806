"""Cache purges only: drop cached feeds and site details when their sources change.

Business reactions to publishing (WebSub pings) go through ``newsroom.hooks``;
these receivers do nothing but invalidate caches, which also covers edits made
outside the publishing action (settings screens, bulk moves in the admin).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from wagtail.models import Site
from wagtail.signals import page_published, page_unpublished

from . import caching


def _bump_site(**_: Any) -> None:
    caching.bump_site_version()


def _bump_feeds(**_: Any) -> None:
    caching.bump_feed_version()


def connect() -> None:
    from herald.newsroom.models import Author, PublicationSettings

    from .models import DistributionSettings

    for model in (PublicationSettings, DistributionSettings, Site):
        post_save.connect(_bump_site, sender=model, dispatch_uid=f"dist-site-{model}")
        post_delete.connect(
            _bump_site, sender=model, dispatch_uid=f"dist-site-del-{model}"
        )
    post_save.connect(_bump_feeds, sender=Author, dispatch_uid="dist-feeds-author")
    page_published.connect(_bump_feeds, dispatch_uid="dist-feeds-published")
    page_unpublished.connect(_bump_feeds, dispatch_uid="dist-feeds-unpublished")
