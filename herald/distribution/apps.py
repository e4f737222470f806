from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "herald.distribution"
    label = "distribution"
    verbose_name = "Distribution"

    def ready(self) -> None:
        from herald.core import keep
        from herald.newsroom import hooks

        from . import accounts, frontend_cache, websub
        from .templatetags.distribution import head_vary

        # Every article view shows the head tags: look them up with its parts.
        keep.durable.register_part("dist-head", head_vary)

        for event in hooks.EVENTS:
            hooks.register(event, websub.on_article_event)
            hooks.register(event, frontend_cache.on_article_event)
        accounts.connect()
