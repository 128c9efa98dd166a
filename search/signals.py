"""Keep the full-text index in step with posts, accounts and groups.

Signals, not calls from :mod:`posts.actions`, because every write path (publish, edit,
scheduled posts, the demo seeder, the admin) must reach the index and the posts app should
not know about search. Posts are indexed by a task after commit (the task reads the final
text and hashtags, which ``edit`` replaces after saving); deletions and accounts are written
in the same transaction, and so are groups (``Group.member_count`` changes through
``update()``, which sends no signal: it is read from the group row at search time).
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
    if created and getattr(instance, "index_on_delivery", False):
        return  # posts.actions.publish: feeds.tasks.fan_out_post indexes it (one task a post)
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


GROUP_FIELDS = {"name", "handle", "description", "topics"}


def _group_saved(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not GROUP_FIELDS & set(update_fields):
        return
    index.index_groups([instance])


def _group_deleted(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    index.unindex_groups([instance.pk])


def connect() -> None:
    post_save.connect(_post_saved, sender=Post, dispatch_uid="search_post_saved")
    post_delete.connect(_post_deleted, sender=Post, dispatch_uid="search_post_deleted")
    post_save.connect(_account_saved, sender=Account, dispatch_uid="search_account_saved")
    post_delete.connect(_account_deleted, sender=Account, dispatch_uid="search_account_deleted")
    try:
        from groups.models import Group
    except ImportError:  # pragma: no cover - groups not installed
        return
    post_save.connect(_group_saved, sender=Group, dispatch_uid="search_group_saved")
    post_delete.connect(_group_deleted, sender=Group, dispatch_uid="search_group_deleted")
