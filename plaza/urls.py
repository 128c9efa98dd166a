from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from plaza import views
from plaza.api import api as plaza_api

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/plaza/v1/", plaza_api.urls),
    path("", include("mastodon.urls")),
    path("", include("feeds.urls")),
    path("", include("accounts.urls")),
    path("", include("network.urls")),
    path("", include("posts.urls")),
    path("", include("notifications.urls")),
    path("", include("groups.urls")),
    path("", include("messaging.urls")),
    path("", include("moderation.urls")),
    path("", include("search.urls")),
    path("", include("filters.urls")),
    path("", include("lists.urls")),
]

if settings.PLAZA.serve_media:
    # The embedded default serves uploads itself; production serves MEDIA_ROOT from nginx/S3.
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", views.media, name="media"))
