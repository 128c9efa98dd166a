from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import Account, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Preferences", {"fields": ("time_zone",)}),
    )
    list_display = ("username", "email", "is_active", "is_staff", "last_login", "date_joined")


class ModerationStateFilter(admin.SimpleListFilter):
    title = "moderation"
    parameter_name = "moderation"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("suspended", "Suspended"), ("limited", "Limited"), ("warned", "Warned")]

    def queryset(self, request: Any, queryset: QuerySet[Account]) -> QuerySet[Account]:
        if self.value() == "suspended":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "limited":
            return queryset.filter(limited_at__isnull=False)
        if self.value() == "warned":
            return queryset.filter(warnings_count__gt=0)
        return queryset


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = (
        "username",
        "display_name",
        "kind",
        "locked",
        "followers_count",
        "suspended_at",
        "limited_at",
        "created_at",
    )
    list_filter = ("kind", "locked", "discoverable", ModerationStateFilter)
    search_fields = ("username", "display_name", "user__email")
    raw_id_fields = ("user",)
    # Moderation state changes only through the moderation pages (/moderation/accounts/...),
    # which record who did it and why in the audit log.
    readonly_fields = (
        "id",
        "bio_html",
        "created_at",
        "suspended_at",
        "limited_at",
        "warnings_count",
        "moderation_page",
    )

    @admin.display(description="Moderation")
    def moderation_page(self, obj: Account) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("moderation:account", args=[obj.username])
        return format_html('<a href="{}">Record and actions</a>', url)
