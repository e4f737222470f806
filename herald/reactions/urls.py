from django.urls import path

from . import views

app_name = "reactions"

urlpatterns = [
    path("react/<int:article_id>/", views.react, name="react"),
    path("comment/<int:article_id>/", views.comment, name="comment"),
]
