from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "herald.distribution"
    label = "distribution"
    verbose_name = "Distribution"

    def ready(self) -> None:
        from herald.newsroom import hooks

        from . import accounts, websub

        for event in hooks.EVENTS:
            hooks.register(event, websub.on_article_event)
        accounts.connect()
