from django.apps import AppConfig


class ReactionsConfig(AppConfig):
    name = "herald.reactions"
    label = "reactions"
    verbose_name = "Public reaction"
