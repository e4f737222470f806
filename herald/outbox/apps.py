from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "herald.outbox"
    label = "outbox"
    verbose_name = "Outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anymail.signals import tracking

        from . import providers, receivers

        # Fail at start-up, not at the first email: an unknown provider name.
        providers.delivery_backend_path()
        tracking.connect(
            receivers.record_tracking_event, dispatch_uid="herald.outbox.tracking"
        )
