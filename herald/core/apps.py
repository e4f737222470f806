from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "herald.core"
    label = "core"
    verbose_name = "Herald core"

    def ready(self) -> None:
        from . import localcache

        localcache.connect_signals()
