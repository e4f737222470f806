"""Shared model bases."""

import os

from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image


class TimeStampedModel(models.Model):
    """Adds created_at / updated_at to a model."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class HeraldImage(AbstractImage):
    """An uploaded picture. Alt text is required; the credit travels with the image."""

    # Required alt text: Wagtail uses ``description`` as the default alt attribute.
    description = models.CharField(
        _("alt text"),
        max_length=255,
        help_text=_(
            "Describe the picture for readers who cannot see it (not the caption)."
        ),
    )
    credit = models.CharField(
        _("credit"),
        max_length=255,
        blank=True,
        help_text=_("Photographer or agency, shown under the picture."),
    )

    admin_form_fields = (*Image.admin_form_fields, "credit")

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-created_at"]

    def save(self, *args, **kwargs):
        # Every upload (admin add, multiple upload, file replace, importers)
        # saves the model with a file not yet in storage: strip it just then,
        # before the public original is written.
        if self.file and not getattr(self.file, "_committed", True):
            from .images import without_metadata

            cleaned = without_metadata(self.file)
            if cleaned is not None:
                name = os.path.basename(self.file.name)
                self.file = ContentFile(cleaned, name=name)
                self._set_image_file_metadata()
        super().save(*args, **kwargs)


class HeraldRendition(AbstractRendition):
    image = models.ForeignKey(
        HeraldImage, on_delete=models.CASCADE, related_name="renditions"
    )

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class KeptRendering(models.Model):
    """A reader-neutral rendering of a live page revision, kept in the database.

    Written and read only by ``core.keep.durable``: it survives a cache flush and
    a restart, so a page's first view after either costs one lookup.
    """

    key = models.CharField(max_length=255)
    page_id = models.IntegerField(db_index=True)
    # The code that made it (``keys.renderer``): a release's renderings are
    # never read by another release's code.
    renderer = models.CharField(max_length=16)
    value = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["page_id", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "renderer"], name="core_kept_rendering_unique"
            )
        ]

    def __str__(self) -> str:
        return self.key


class RenderingUse(models.Model):
    """One object that a page's kept renderings show (a picture, an author...)."""

    page_id = models.IntegerField()
    label = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)

    class Meta:
        ordering = ["page_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["page_id", "label", "object_id"],
                name="core_rendering_use_unique",
            )
        ]
        indexes = [models.Index(fields=["label", "object_id"], name="core_use_object")]

    def __str__(self) -> str:
        return f"{self.page_id} uses {self.label}:{self.object_id}"


class RenderingStamp(models.Model):
    """How many times a page's kept renderings were dropped (page 0: every page's).

    A rendering made while its page's stamp moved is not kept (``durable.store``).
    """

    page_id = models.IntegerField(primary_key=True)
    stamp = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["page_id"]

    def __str__(self) -> str:
        return f"{self.page_id}: {self.stamp}"
