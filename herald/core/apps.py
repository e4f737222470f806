from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "herald.core"
    label = "core"
    verbose_name = "Herald core"

    def ready(self) -> None:
        from django.core import checks as django_checks

        from . import checks, keep

        keep.connect_signals()
        # Untagged: `migrate` and `runserver` run it too, not only `check --deploy`.
        django_checks.register(checks.live_providers)
