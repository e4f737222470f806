from django.urls import path

from . import views

app_name = "sends"

urlpatterns = [
    # The base of a delivery's tracking links; nothing is served at it.
    path("t/<str:token>/", views.track_open, name="track"),
    path("t/<str:token>/open.gif", views.track_open, name="open"),
    path("t/<str:token>/c/<int:number>", views.track_click, name="click"),
]
