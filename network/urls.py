from django.urls import path

from network import views

app_name = "network"

# Relationship actions: POST-only form endpoints under the profile URL (/@username/...).
_actions = [
    ("follow", views.follow, "follow"),
    ("unfollow", views.unfollow, "unfollow"),
    ("notify", views.notify_on, "notify_on"),
    ("notify/off", views.notify_off, "notify_off"),
    ("connect", views.connect, "connect"),
    ("connection/accept", views.accept_connection, "accept_connection"),
    ("connection/decline", views.decline_connection, "decline_connection"),
    ("connection/withdraw", views.withdraw_connection, "withdraw_connection"),
    ("connection/remove", views.remove_connection, "remove_connection"),
    ("follow-request/approve", views.approve_follow, "approve_follow"),
    ("follow-request/reject", views.reject_follow, "reject_follow"),
    ("remove-follower", views.remove_follower, "remove_follower"),
    ("block", views.block, "block"),
    ("block/confirm", views.block_confirm, "block_confirm"),
    ("unblock", views.unblock, "unblock"),
    ("mute", views.mute, "mute"),
    ("unmute", views.unmute, "unmute"),
    ("note", views.note, "note"),
]

urlpatterns = [
    *(path(f"@<str:username>/{suffix}", view, name=name) for suffix, view, name in _actions),
    path("@<str:username>/followers", views.followers, name="followers"),
    path("@<str:username>/following", views.following, name="following"),
    path("@<str:username>/connections", views.connections_of, name="connections_of"),
    path("network", views.connections, name="connections"),
    path("network/invitations", views.invitations, name="invitations"),
    path("network/follow-requests", views.follow_requests, name="follow_requests"),
    path("network/sent", views.sent_requests, name="sent_requests"),
    path("network/sent/follow-requests", views.sent_follow_requests, name="sent_follow_requests"),
    path("settings/blocks", views.blocks, name="blocks"),
    path("settings/mutes", views.mutes, name="mutes"),
]
