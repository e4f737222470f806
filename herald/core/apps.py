from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "herald.core"
    label = "core"
    verbose_name = "Herald core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out
        from django.core import checks as django_checks

        from . import checks, keep
        from .keep import offline

        keep.connect_signals()
        user_logged_out.connect(
            offline.note_sign_out, dispatch_uid="herald-offline-sign-out"
        )
        # Untagged: `migrate` and `runserver` run it too, not only `check --deploy`.
        django_checks.register(checks.live_providers)
