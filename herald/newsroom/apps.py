from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NewsroomConfig(AppConfig):
    name = "herald.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from herald.core import keep

        from . import scheduler, signals
        from .models import Author, Correction, LeadClaim

        # Bylines, corrections and the front page's lead are kept in
        # reader-page caches.
        keep.watch(Author, Correction, LeadClaim)
        post_migrate.connect(signals.on_post_migrate, dispatch_uid="newsroom-admins")
        scheduler.install()
