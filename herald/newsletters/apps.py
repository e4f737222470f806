from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "herald.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"

    def ready(self) -> None:
        from herald.core import keep

        from . import receivers
        from .models import Newsletter

        receivers.connect()
        # The paywall offer lists the newsletters anyone may join (kept); no
        # kept article rendering shows them.
        keep.watch(Newsletter, pages=lambda newsletter: ())
