"""Admin forms for newsroom pages."""

from __future__ import annotations

from typing import Any

from wagtail.admin.forms import WagtailAdminPageForm


class ArticleAdminForm(WagtailAdminPageForm):
    """New articles start with the publication's default access level."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk or "access_level" not in self.fields:
            return
        from .models import PublicationSettings

        parent = getattr(self, "parent_page", None)
        site = parent.get_site() if parent is not None else None
        if site is not None:
            publication = PublicationSettings.for_site(site)
            self.initial["access_level"] = publication.default_access_level
