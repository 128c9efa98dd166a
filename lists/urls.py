from django.urls import URLPattern, URLResolver

app_name = "lists"
urlpatterns: list[URLPattern | URLResolver] = []
