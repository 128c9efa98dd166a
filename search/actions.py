"""The only write path for discovery: following hashtags, dismissing suggestions."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from accounts.models import Account
from plaza.errors import ActionError
from posts.models import Hashtag
from search.models import DismissedSuggestion, FollowedHashtag, SuggestionKind

TAG_NAME = re.compile(r"^\w{1,100}$")
MAX_FOLLOWED_TAGS = 500


def clean_tag_name(name: str) -> str:
    """A hashtag name as stored (lowercase, no '#'), or :class:`ActionError`."""
    name = (name or "").strip().lstrip("#").lower()
    if not TAG_NAME.match(name):
        raise ActionError("A hashtag is letters, digits and underscores (up to 100).", field="name")
    return name


def follow_hashtag(actor: Account, name: str) -> Hashtag:
    """Follow ``#name``: new public posts with it reach the actor's home feed. Creates the
    tag if nobody used it yet (as Mastodon does). Idempotent."""
    name = clean_tag_name(name)
    with transaction.atomic():
        tag, _ = Hashtag.objects.get_or_create(name=name)
        if FollowedHashtag.objects.filter(account=actor, hashtag=tag).exists():
            return tag
        if FollowedHashtag.objects.filter(account=actor).count() >= MAX_FOLLOWED_TAGS:
            raise ActionError(f"You can follow at most {MAX_FOLLOWED_TAGS} hashtags.")
        try:
            with transaction.atomic():
                FollowedHashtag.objects.create(account=actor, hashtag=tag)
        except IntegrityError:
            pass  # a concurrent follow of the same tag: already done
    return tag


def unfollow_hashtag(actor: Account, name: str) -> Hashtag | None:
    """Stop following ``#name`` (posts already delivered stay). Idempotent; returns the tag
    when it exists."""
    name = clean_tag_name(name)
    tag = Hashtag.objects.filter(name=name).first()
    if tag is not None:
        FollowedHashtag.objects.filter(account=actor, hashtag=tag).delete()
    return tag


def dismiss_suggestion(actor: Account, kind: str, target_id: int) -> None:
    """Never suggest this account (or group) to the actor again. Idempotent."""
    if kind not in SuggestionKind.values:
        raise ActionError("Unknown kind of suggestion.", field="kind")
    if kind == SuggestionKind.ACCOUNT and not Account.objects.filter(pk=target_id).exists():
        raise ActionError("No such account.", field="id")
    if kind == SuggestionKind.GROUP:
        from groups.queries import visible_groups

        # A secret group the actor is not in is no group at all, as everywhere else.
        if not visible_groups(actor).filter(pk=target_id).exists():
            raise ActionError("No such group.", field="id")
    DismissedSuggestion.objects.get_or_create(account=actor, kind=kind, target_id=target_id)
    from search.suggestions import forget

    forget(actor)
