from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "herald.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from herald.newsroom import hooks

        from . import receivers

        hooks.register("article_published", receivers.on_article_published)
