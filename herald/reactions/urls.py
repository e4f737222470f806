from django.urls import path

from . import views

app_name = "reactions"

urlpatterns = [
    path("react/<int:article_id>/", views.react, name="react"),
    path("comment/<int:article_id>/", views.comment, name="comment"),
    path("c/<uuid:comment_uuid>/edit/", views.edit_comment, name="edit"),
    path("c/<uuid:comment_uuid>/delete/", views.delete_comment, name="delete"),
    path("c/<uuid:comment_uuid>/report/", views.report_comment, name="report"),
    path("reply-emails/", views.reply_emails, name="reply_emails"),
]
