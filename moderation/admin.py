"""Django admin for reports, the audit log and groups. The log is read-only: decisions are
made on the moderation pages, which write the log entry in the same transaction as the
change.

Groups are registered here (the groups app has no admin module) so staff can find, edit and
delete any group, secret ones included. Memberships are shown read-only: joining, roles and
bans go through :mod:`groups.actions`, which keep ``member_count`` and notifications right.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from groups.models import Group, Membership
from moderation.models import ModerationAction, Report


class ActionInline(admin.TabularInline):
    model = ModerationAction
    extra = 0
    can_delete = False
    fields = ("action", "moderator", "reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "category",
        "target_kind",
        "target_account",
        "reporter",
        "status",
        "outcome",
        "assigned_to",
        "created_at",
    )
    list_filter = ("status", "category", "target_kind", "outcome")
    search_fields = ("target_account__username", "reporter__username", "comment", "snapshot")
    raw_id_fields = ("reporter", "target_account", "assigned_to", "resolved_by")
    readonly_fields = (
        "id",
        "reporter",
        "target_kind",
        "target_id",
        "target_account",
        "group_id",
        "post_ids",
        "snapshot",
        "context",
        "category",
        "comment",
        "status",
        "resolved_by",
        "outcome",
        "created_at",
        "resolved_at",
    )
    inlines = [ActionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports come from people, through the report form or the APIs


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ("id", "action", "target_kind", "target_account", "moderator", "created_at")
    list_filter = ("action", "target_kind")
    search_fields = ("target_account__username", "moderator__username", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("account", "role", "state", "follow_closely", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = False
    ordering = ("role", "id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GroupAdmin(admin.ModelAdmin):
    list_display = (
        "handle",
        "name",
        "visibility",
        "join_policy",
        "owner",
        "member_count",
        "created_at",
    )
    list_filter = ("visibility", "join_policy")
    search_fields = ("handle", "name", "description", "owner__username")
    # Ownership moves with groups.actions.transfer_ownership (it changes both roles).
    readonly_fields = ("id", "owner", "member_count", "created_at")
    inlines = [MembershipInline]


# The groups app may grow its own admin module; it is registered first (INSTALLED_APPS
# order), and then this one steps aside.
if not admin.site.is_registered(Group):
    admin.site.register(Group, GroupAdmin)
