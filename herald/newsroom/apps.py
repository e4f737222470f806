from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "herald.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"
