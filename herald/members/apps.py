from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "herald.members"
    label = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from herald.core import keep

        from .models import Tier, User
        from .signals import user_groups_changed

        # Gated articles offer the active paid tiers (queries.tiers_unlocking).
        keep.watch(Tier)
        m2m_changed.connect(
            user_groups_changed,
            sender=User.groups.through,
            dispatch_uid="herald.members.user_groups_changed",
        )
