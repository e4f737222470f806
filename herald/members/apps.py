from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "herald.members"
    label = "members"
    verbose_name = "Members"
