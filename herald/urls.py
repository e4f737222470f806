from django.conf import settings
from django.urls import include, path
from django.views.decorators.cache import never_cache
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from herald.newsroom import admin_views as newsroom_admin_views
from herald.newsroom import urls as newsroom_urls
from herald.notifications.urls import root_urlpatterns as notifications_root
from herald.settings import env

urlpatterns = [
    # Before Wagtail's own: the account settings name the publication's time
    # zone as the default (herald/newsroom/CONTEXT.md, "Desk time").
    path(
        "admin/account/",
        never_cache(require_admin_access(newsroom_admin_views.AccountView.as_view())),
        name="wagtailadmin_account",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("account/", include("herald.members.urls")),
    path("newsletters/", include("herald.newsletters.sending.urls")),
    path("newsletters/", include("herald.newsletters.urls")),
    path("email/webhooks/", include("herald.outbox.urls")),
    path("notifications/", include("herald.notifications.urls")),
    path("", include((notifications_root, "notifications_root"))),
    path("reactions/", include("herald.reactions.urls")),
    path("", include(newsroom_urls)),
    path("", include("herald.distribution.urls")),
]

if settings.DEBUG:  # pragma: no cover - served by nginx/WhiteNoise otherwise
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif env.SERVE_MEDIA:  # the demo (HERALD_SERVE_MEDIA=1): no nginx in front
    from django.views.static import serve as serve_media

    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.lstrip('/')}<path:path>",
            serve_media,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]

handler404 = "herald.core.views.page_not_found"
handler500 = "herald.core.views.server_error"
