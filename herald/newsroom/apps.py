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

        # Bylines, corrections and the front page's lead are kept in reader-page
        # caches; pages record the authors they show, a correction belongs to
        # its article, and no kept article rendering shows a lead claim.
        keep.watch(Author, used_by_pages=True)
        keep.watch(Correction, pages=lambda correction: [correction.article_id])
        keep.watch(LeadClaim, pages=lambda claim: ())
        # Pages whose kept renderings a change dropped are made again on a worker.
        from .actions import render_articles_soon

        keep.durable.on_drop(render_articles_soon)
        post_migrate.connect(signals.on_post_migrate, dispatch_uid="newsroom-admins")
        scheduler.install()
