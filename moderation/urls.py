from django.urls import URLPattern, URLResolver, path

from moderation import views

app_name = "moderation"
urlpatterns: list[URLPattern | URLResolver] = [
    path("report", views.report, name="report"),
    path("reports", views.my_reports, name="my_reports"),
    path("moderation", views.queue, name="queue"),
    path("moderation/log", views.log, name="log"),
    path("moderation/reports/<int:report_id>", views.report_detail, name="report_detail"),
    path("moderation/reports/<int:report_id>/assign", views.assign, name="assign"),
    path("moderation/accounts/<str:username>", views.account_detail, name="account"),
]
