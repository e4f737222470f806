from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.topics, name="topics"),
    path("offline/", views.offline, name="offline"),
    path("offline.json", views.offline_list, name="offline_list"),
    path("key", views.key, name="key"),
    path("subscriptions", views.subscriptions, name="subscriptions"),
    path(
        "subscriptions/<uuid:subscription_id>",
        views.subscription,
        name="subscription",
    ),
    path("clicks", views.clicks, name="clicks"),
]

# At the site root: a service worker's scope is its own path's directory.
root_urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.json", views.manifest, name="manifest"),
    path("manifest.webmanifest", views.manifest, name="manifest_webmanifest"),
]
