from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "herald.members"
    label = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from herald.core import localcache

        from .models import Tier

        # Gated articles offer the active paid tiers (queries.tiers_unlocking).
        localcache.watch(Tier)
