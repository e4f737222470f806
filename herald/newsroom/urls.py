from django.urls import path

from . import views

app_name = "newsroom"

urlpatterns = [
    path("author/<slug:slug>/", views.author_page, name="author"),
    path("tag/<slug:slug>/", views.tag_page, name="tag"),
    path("search/", views.search, name="search"),
]
