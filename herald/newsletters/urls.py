from django.urls import path

from . import views

app_name = "newsletters"

urlpatterns = [
    path("", views.index, name="index"),
    path("confirm/<str:signed>/", views.confirm, name="confirm"),
    path("preferences/<str:signed>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:signed>/", views.unsubscribe, name="unsubscribe"),
    path("account/", views.account, name="account"),
    path("<slug:slug>/", views.archive, name="archive"),
]
