"""Admin forms for newsroom pages."""

from __future__ import annotations

import re
from typing import Any

from wagtail.admin.forms import WagtailAdminPageForm

_SPACES = re.compile(r"\s+")


class ArticleAdminForm(WagtailAdminPageForm):
    """A new article starts with the default access level and the writer's byline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            return
        self._start_with_the_publication_access()
        self._start_with_the_writers_byline()

    def _start_with_the_publication_access(self) -> None:
        if "access_level" not in self.fields:
            return
        from .models import PublicationSettings

        parent = getattr(self, "parent_page", None)
        site = parent.get_site() if parent is not None else None
        if site is not None:
            publication = PublicationSettings.for_site(site)
            self.initial["access_level"] = publication.default_access_level

    def _start_with_the_writers_byline(self) -> None:
        """Fill the first byline slot with the signed-in writer's author profile."""
        formset = self.formsets.get("article_authors")
        user = getattr(self, "for_user", None)
        if formset is None or self.is_bound or user is None:
            return
        from .desk import author_profile_of

        author = author_profile_of(user)
        if author is not None:
            # Read when the formset builds its forms (lazily, on render).
            formset.initial_extra = [{"author": author.pk}]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        self._move_updated_time_for_new_corrections(cleaned)
        return cleaned

    def _move_updated_time_for_new_corrections(self, cleaned: dict[str, Any]) -> None:
        """A new correction marked "show as updated" moves the story's Updated time.

        The time goes into the revision, so it reaches readers when the
        correction does (on publishing), and stays on later edits.
        """
        formset = self.formsets.get("corrections")
        if formset is None or "display_updated_at" not in self.fields:
            return
        if not formset.is_valid():  # cleans its forms (cached for ClusterForm)
            return
        latest = cleaned.get("display_updated_at")
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if form.instance.pk or not data or data.get("DELETE"):
                continue
            when = data.get("date") if data.get("mark_updated") else None
            if when is not None and (latest is None or when > latest):
                latest = when
        if latest is not None:
            cleaned["display_updated_at"] = latest

    def clean_title(self) -> str:
        # The headline field wraps (a textarea): a line break typed in it is a space.
        return _SPACES.sub(" ", self.cleaned_data.get("title") or "").strip()
