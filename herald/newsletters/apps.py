from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "herald.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
