from django.urls import URLPattern, URLResolver, path

from messaging import stream, views

app_name = "messaging"
C = "messages/<str:conversation_id>"
M = f"{C}/m/<str:message_id>"
urlpatterns: list[URLPattern | URLResolver] = [
    path("messages", views.inbox, name="inbox"),
    path("messages/requests", views.requests, name="requests"),
    path("messages/new", views.new, name="new"),
    path("messages/live", stream.live_events, name="live"),
    path(C, views.thread, name="thread"),
    path(f"{C}/send", views.send, name="send"),
    path(f"{C}/updates", views.updates, name="updates"),
    path(f"{C}/seen", views.seen, name="seen"),
    path(f"{C}/accept", views.accept, name="accept"),
    path(f"{C}/decline", views.decline, name="decline"),
    path(f"{C}/read", views.read, name="read"),
    path(f"{C}/mute", views.mute, name="mute"),
    path(f"{C}/leave", views.leave, name="leave"),
    path(f"{C}/add", views.add, name="add"),
    path(f"{C}/rename", views.rename, name="rename"),
    path(M, views.message_partial, name="message"),
    path(f"{M}/edit", views.edit, name="edit"),
    path(f"{M}/delete", views.delete, name="delete"),
    path(f"{M}/react", views.react, name="react"),
]
