"""Admin views of posts and media, read-mostly: writes belong to posts.actions."""

from __future__ import annotations

from django.contrib import admin

from posts.models import Hashtag, MediaAttachment, Post, PostEdit


class MediaInline(admin.TabularInline):
    model = MediaAttachment
    extra = 0
    fields = ("kind", "state", "file", "alt_text", "error")
    readonly_fields = ("kind", "state", "file", "error")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("id", "author", "visibility", "short_text", "created_at", "likes_count")
    list_filter = ("visibility",)
    search_fields = ("text", "author__username")
    raw_id_fields = (
        "author",
        "in_reply_to",
        "in_reply_to_account",
        "thread_root",
        "reshare_of",
        "quote_of",
    )
    readonly_fields = ("html", "replies_count", "likes_count", "reshares_count", "quotes_count")
    inlines = [MediaInline]

    @admin.display(description="text")
    def short_text(self, obj: Post) -> str:
        return obj.text[:80]


@admin.register(MediaAttachment)
class MediaAttachmentAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "kind", "state", "content_type", "size_bytes", "created_at")
    list_filter = ("kind", "state")
    raw_id_fields = ("account", "post")


@admin.register(PostEdit)
class PostEditAdmin(admin.ModelAdmin):
    list_display = ("post", "created_at")
    raw_id_fields = ("post",)


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    search_fields = ("name",)
