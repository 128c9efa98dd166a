from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications", views.notification_list, name="list"),
    path("notifications/mentions", views.notification_list, {"mentions": True}, name="mentions"),
    path("notifications/read", views.mark_read, name="mark_read"),
    path("notifications/unread-count", views.unread_count, name="unread_count"),
    path("notifications/settings", views.policy_settings, name="policy"),
    path("notifications/requests", views.request_list, name="requests"),
    path("notifications/requests/<int:request_id>", views.request_detail, name="request"),
    path(
        "notifications/requests/<int:request_id>/accept",
        views.request_answer,
        {"accept": True},
        name="request_accept",
    ),
    path(
        "notifications/requests/<int:request_id>/dismiss",
        views.request_answer,
        {"accept": False},
        name="request_dismiss",
    ),
]
