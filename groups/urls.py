from django.urls import URLPattern, URLResolver, path

from groups import views

app_name = "groups"
urlpatterns: list[URLPattern | URLResolver] = [
    path("groups", views.group_list, name="list"),
    path("groups/new", views.create, name="new"),
    path("g/<str:handle>", views.detail, name="detail"),
    path("g/<str:handle>/join", views.join, name="join"),
    path("g/<str:handle>/leave", views.leave, name="leave"),
    path("g/<str:handle>/cancel-request", views.cancel_request, name="cancel_request"),
    path("g/<str:handle>/invitation", views.invitation, name="invitation"),
    path("g/<str:handle>/follow-closely", views.follow_closely, name="follow_closely"),
    path("g/<str:handle>/post", views.post, name="post"),
    path("g/<str:handle>/posts/<int:post_id>/<str:action>", views.post_action, name="post_action"),
    path("g/<str:handle>/members", views.members, name="members"),
    path(
        "g/<str:handle>/members/<int:account_id>/<str:action>",
        views.member_action,
        name="member_action",
    ),
    path("g/<str:handle>/invite", views.invite, name="invite"),
    path("g/<str:handle>/requests", views.join_requests, name="requests"),
    path(
        "g/<str:handle>/requests/<int:account_id>/<str:action>",
        views.decide_request,
        name="decide_request",
    ),
    path("g/<str:handle>/settings", views.settings, name="settings"),
]
