"""Admin pages for the relationship graph: read-mostly, for support and moderation.

Changes to relationships must go through :mod:`network.actions` (counters, feeds and
notifications depend on it), so these admins only list, search and delete nothing by hand.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from network.models import Block, Connection, ConnectionRequest, Follow, FollowRequest, Mute


class ReadOnlyAdmin(admin.ModelAdmin):
    """List and inspect only: writes here would skip the counters and feed updates."""

    list_per_page = 50
    show_full_result_count = False  # avoid COUNT(*) on big tables

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ("id", "follower", "target", "show_reshares", "notify", "created_at")
    list_select_related = ("follower", "target")
    search_fields = ("follower__username", "target__username")
    raw_id_fields = ("follower", "target")


@admin.register(FollowRequest)
class FollowRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "requester", "target", "created_at")
    list_select_related = ("requester", "target")
    search_fields = ("requester__username", "target__username")
    raw_id_fields = ("requester", "target")


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "other", "created_at")
    list_select_related = ("account", "other")
    search_fields = ("account__username", "other__username")
    raw_id_fields = ("account", "other")


@admin.register(ConnectionRequest)
class ConnectionRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "requester", "target", "note", "created_at")
    list_select_related = ("requester", "target")
    search_fields = ("requester__username", "target__username")
    raw_id_fields = ("requester", "target")


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "target", "created_at")
    list_select_related = ("account", "target")
    search_fields = ("account__username", "target__username")
    raw_id_fields = ("account", "target")


@admin.register(Mute)
class MuteAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "target", "notifications", "created_at")
    list_select_related = ("account", "target")
    search_fields = ("account__username", "target__username")
    raw_id_fields = ("account", "target")
