from django.urls import URLPattern, URLResolver, path

from filters import views

app_name = "filters"
urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/filters", views.filter_list, name="list"),
    path("settings/filters/new", views.filter_new, name="new"),
    path("settings/filters/<int:filter_id>", views.filter_edit, name="edit"),
    path("settings/filters/<int:filter_id>/delete", views.filter_delete, name="delete"),
]
