from django.urls import path

from posts import views

app_name = "posts"
urlpatterns = [
    path("compose", views.compose, name="compose"),
    path("bookmarks", views.bookmarks, name="bookmarks"),
    path("@<str:username>/<int:post_id>", views.detail, name="detail"),
    path("@<str:username>/<int:post_id>/edit", views.edit, name="edit"),
    path("@<str:username>/<int:post_id>/history", views.history, name="history"),
    path("@<str:username>/<int:post_id>/likes", views.liked_by_view, name="liked_by"),
    path("@<str:username>/<int:post_id>/reshares", views.reshared_by_view, name="reshared_by"),
    path("posts/<int:post_id>/like", views.like, name="like"),
    path("posts/<int:post_id>/unlike", views.unlike, name="unlike"),
    path("posts/<int:post_id>/reshare", views.reshare, name="reshare"),
    path("posts/<int:post_id>/unreshare", views.unreshare, name="unreshare"),
    path("posts/<int:post_id>/bookmark", views.bookmark, name="bookmark"),
    path("posts/<int:post_id>/unbookmark", views.unbookmark, name="unbookmark"),
    path("posts/<int:post_id>/pin", views.pin, name="pin"),
    path("posts/<int:post_id>/unpin", views.unpin, name="unpin"),
    path("posts/<int:post_id>/mute-thread", views.mute_thread, name="mute_thread"),
    path("posts/<int:post_id>/unmute-thread", views.unmute_thread, name="unmute_thread"),
    path("posts/<int:post_id>/delete", views.delete, name="delete"),
    path("posts/<int:post_id>/vote", views.vote, name="vote"),
]
