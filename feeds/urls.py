from django.urls import path

from feeds import views

app_name = "feeds"
urlpatterns = [
    path("", views.home, name="home"),
    path("public", views.public, name="public"),
    path("tags/<str:name>", views.hashtag, name="hashtag"),
    path("@<str:username>", views.profile, name="profile"),
    path("@<str:username>/with_replies", views.profile, {"tab": "replies"}, name="profile_replies"),
    path("@<str:username>/media", views.profile, {"tab": "media"}, name="profile_media"),
]
