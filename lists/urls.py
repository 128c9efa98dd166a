from django.urls import URLPattern, URLResolver, path

from lists import views

app_name = "lists"
urlpatterns: list[URLPattern | URLResolver] = [
    path("lists", views.index, name="index"),
    path("lists/<int:list_id>", views.detail, name="detail"),
    path("lists/<int:list_id>/edit", views.edit, name="edit"),
    path("lists/<int:list_id>/members/add", views.add_member, name="add_member"),
    path("lists/<int:list_id>/members/remove", views.remove_member, name="remove_member"),
    path("lists/<int:list_id>/delete", views.delete, name="delete"),
]
