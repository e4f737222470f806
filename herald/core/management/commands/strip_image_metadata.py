"""Strip EXIF and other metadata from every stored image original."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from wagtail.images import get_image_model

from herald.core.images import strip_stored_original


class Command(BaseCommand):
    help = (
        "Rewrite image originals uploaded before metadata was stripped on upload "
        "(GPS position, camera) without it, and delete the old files."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = failed = 0
        for image in get_image_model().objects.order_by("pk").iterator():
            try:
                changed += strip_stored_original(image)
            except OSError as exc:  # a missing file must not stop the others
                failed += 1
                self.stderr.write(f"Image {image.pk}: {exc}")
        self.stdout.write(f"Stripped {changed} originals; {failed} unreadable.")
