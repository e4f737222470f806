"""Thin receivers: translate Wagtail's and Django's signals into newsroom actions.

No logic lives here; see ``actions.announce_publication`` and friends.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from . import actions
from .models import ArticlePage, PublicationSettings


@receiver(pre_save, sender=ArticlePage, dispatch_uid="newsroom-previous-state")
def remember_previous_state(
    sender: type, instance: ArticlePage, raw: bool = False, **kwargs: Any
) -> None:
    # Wagtail publishes with a full save() of a live instance; draft saves pass
    # update_fields, so only publishing pays for this one-row read.
    if raw or kwargs.get("update_fields") is not None or not instance.pk:
        return
    previous = actions.read_previous_state(instance) if instance.live else None
    setattr(instance, actions.PREVIOUS_STATE_ATTR, previous)


@receiver(page_published, dispatch_uid="newsroom-page-published")
def on_page_published(
    sender: type, instance: Any, revision: Any = None, **kwargs: Any
) -> None:
    actions.announce_publication(instance, revision=revision)


@receiver(page_unpublished, dispatch_uid="newsroom-page-unpublished")
def on_page_unpublished(sender: type, instance: Any, **kwargs: Any) -> None:
    actions.announce_unpublication(instance)


def on_post_migrate(
    app_config: Any, using: str = "default", apps: Any = None, **kwargs: Any
) -> None:
    # Connected from ready(), which runs before django.contrib.auth's own
    # receiver: create this app's permissions first so none is missed.
    create_permissions(app_config, verbosity=0, using=using, apps=apps or global_apps)
    actions.grant_all_permissions_to_administrators()


@receiver(page_published, dispatch_uid="newsroom-reindex-after-publish")
def reindex_after_publish(sender: type, instance: Any, **kwargs: Any) -> None:
    """Index a published article again, now that its tags are saved.

    The search index is written on post_save, before modelcluster saves the
    tags, so without this a story could not be found by a tag it was given.
    """
    if isinstance(instance, ArticlePage):
        from wagtail.search import index

        index.insert_or_update_object(instance)


_PREVIOUS_PREVIEW_ATTR = "_herald_previous_preview_paragraphs"


@receiver(pre_save, sender=PublicationSettings, dispatch_uid="newsroom-preview-was")
def remember_previous_preview_length(
    sender: type, instance: PublicationSettings, raw: bool = False, **kwargs: Any
) -> None:
    if raw or not instance.pk:
        return
    previous = (
        PublicationSettings.objects.filter(pk=instance.pk)
        .values_list("preview_paragraphs", flat=True)
        .first()
    )
    setattr(instance, _PREVIOUS_PREVIEW_ATTR, previous)


@receiver(
    post_save, sender=PublicationSettings, dispatch_uid="newsroom-preview-reindex"
)
def reindex_after_preview_length_change(
    sender: type, instance: PublicationSettings, raw: bool = False, **kwargs: Any
) -> None:
    """Reindex gated stories after commit when the preview length changed.

    The index holds each gated story's preview: text indexed under a longer
    preview would stay searchable after an editor shortens it.
    """
    if raw:
        return
    previous = getattr(instance, _PREVIOUS_PREVIEW_ATTR, None)
    if previous == instance.preview_paragraphs:
        return
    site_id = instance.site_id
    transaction.on_commit(lambda: actions.reindex_gated_articles_soon(site_id))
