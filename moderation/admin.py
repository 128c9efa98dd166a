"""Django admin for reports and the audit log. The log is read-only: decisions are made on
the moderation pages, which write the log entry in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

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
