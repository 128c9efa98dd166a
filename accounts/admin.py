from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Account, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Preferences", {"fields": ("time_zone",)}),
    )
    list_display = ("username", "email", "is_active", "is_staff", "last_login", "date_joined")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("username", "display_name", "kind", "locked", "followers_count", "created_at")
    list_filter = ("kind", "locked", "discoverable")
    search_fields = ("username", "display_name", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("id", "bio_html", "created_at")
