"""Keep the full-text index in step with posts and accounts.

Signals, not calls from :mod:`posts.actions`, because every write path (publish, edit,
scheduled posts, the demo seeder, the admin) must reach the index and the posts app should
not know about search. Posts are indexed by a task after commit (the task reads the final
text and hashtags, which ``edit`` replaces after saving); deletions and accounts are written
in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts.models import Account
from posts.models import Post
from search import index


def _post_saved(sender: type[Post], instance: Post, created: bool, **kwargs: Any) -> None:
    if instance.reshare_of_id is not None or kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not {"text", "content_warning"} & set(update_fields):
        return  # counters and flags: nothing searchable changed
    from search.tasks import index_post

    post_id = instance.pk
    transaction.on_commit(lambda: index_post(post_id))


def _post_deleted(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    if instance.reshare_of_id is None:
        index.unindex_posts([instance.pk])


def _account_saved(sender: type[Account], instance: Account, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not {"username", "display_name", "bio"} & set(update_fields):
        return
    index.index_accounts([instance])


def _account_deleted(sender: type[Account], instance: Account, **kwargs: Any) -> None:
    index.unindex_accounts([instance.pk])


def connect() -> None:
    post_save.connect(_post_saved, sender=Post, dispatch_uid="search_post_saved")
    post_delete.connect(_post_deleted, sender=Post, dispatch_uid="search_post_deleted")
    post_save.connect(_account_saved, sender=Account, dispatch_uid="search_account_saved")
    post_delete.connect(_account_deleted, sender=Account, dispatch_uid="search_account_deleted")
