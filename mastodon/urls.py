"""Routes of the Mastodon client API, OAuth and discovery documents."""

from __future__ import annotations

from django.urls import include, path, re_path
from oauth2_provider import views as oauth_views

from mastodon import oauth
from mastodon.views import extras, instance

urlpatterns = [
    # OAuth 2
    path("oauth/authorize", oauth.AuthorizeView.as_view(), name="oauth_authorize"),
    path("oauth/token", oauth.TokenView.as_view(), name="oauth_token"),
    path("oauth/revoke", oauth.RevokeView.as_view(), name="oauth_revoke"),
    path(
        "oauth/authorized_applications",
        oauth_views.AuthorizedTokensListView.as_view(),
        name="oauth_authorized",
    ),
    # discovery
    path(".well-known/oauth-authorization-server", instance.oauth_authorization_server),
    path(".well-known/nodeinfo", instance.nodeinfo_index),
    path(".well-known/host-meta", instance.host_meta),
    path(".well-known/webfinger", instance.webfinger),
    re_path(r"^nodeinfo/(?P<version>[0-9.]+)$", instance.nodeinfo),
    path("api/v1/instance", instance.instance_v1),
    path("api/v2/instance", instance.instance_v2),
    path("api/v1/instance/extended_description", instance.instance_extended_description),
    path("api/v1/instance/peers", instance.instance_empty_list),
    path("api/v1/instance/rules", instance.instance_empty_list),
    path("api/v1/custom_emojis", instance.custom_emojis),
    path("health", extras.health),
    # The endpoints, one module per area, each route written in full ("api/v1/..."). They
    # sit behind a look-ahead for "api/" so that a page's path (``/g/<handle>``, ``/@alice``)
    # is not tried against their ~140 routes on every request; the look-ahead consumes
    # nothing, and reverse() ignores it.
    re_path(
        r"^(?=api/)",
        include(
            [
                path("", include("mastodon.views.apps")),
                # these three come before the areas whose older routes they replace
                path("", include("mastodon.views.filters")),
                path("", include("mastodon.views.lists")),
                path("", include("mastodon.views.conversations")),
                path("", include("mastodon.views.accounts_credentials")),
                path("", include("mastodon.views.accounts")),
                path("", include("mastodon.views.accounts_relations")),
                path("", include("mastodon.views.statuses")),
                path("", include("mastodon.views.polls")),
                path("", include("mastodon.views.media")),
                path("", include("mastodon.views.scheduled")),
                path("", include("mastodon.views.timelines")),
                path("", include("mastodon.views.notifications")),
                path("", include("mastodon.views.streaming")),
                path("", include("mastodon.views.search")),
                path("", include("mastodon.views.misc")),
                path("", include("mastodon.views.reports")),
                path("", include("mastodon.views.admin")),
            ]
        ),
    ),
]
