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
