from django.urls import URLPattern, URLResolver, path

from search import views

app_name = "search"
urlpatterns: list[URLPattern | URLResolver] = [
    path("search", views.search, name="search"),
    path("explore/people", views.explore_people, name="explore_people"),
    path("explore/trending", views.trending, name="trending"),
    path("explore/dismiss", views.dismiss, name="dismiss"),
    path("tags/<str:name>/follow", views.follow_tag, name="follow_tag"),
    path("tags/<str:name>/unfollow", views.unfollow_tag, name="unfollow_tag"),
]
