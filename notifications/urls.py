from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications", views.notification_list, name="list"),
    path("notifications/mentions", views.notification_list, {"mentions": True}, name="mentions"),
    path("notifications/read", views.mark_read, name="mark_read"),
    path("notifications/unread-count", views.unread_count, name="unread_count"),
]
