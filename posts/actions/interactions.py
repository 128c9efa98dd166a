"""What people do with posts: like, reshare, bookmark, pin (and undo them).

Part of :mod:`posts.actions` (import from there)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account, Visibility
from network.queries import is_blocked_either_way
from notifications.actions import notify, withdraw
from notifications.models import NotificationKind
from plaza.errors import ActionError, NotAllowed, NotFound
from posts.actions.publishing import MAX_PINS, _bump, _deliver_on_commit, delete
from posts.models import Bookmark, Like, Pin, Post
from posts.queries import OPEN, can_see


def like(actor: Account, post: Post) -> None:
    """Like a post (the original, when given a reshare). Idempotent."""
    post = _original(actor, post)
    try:
        with transaction.atomic():
            Like.objects.create(account=actor, post=post)
            _bump(Post, post.pk, likes_count=1)
            notify(post.author_id, actor, NotificationKind.LIKE, post=post)
    except IntegrityError:
        return


def unlike(actor: Account, post: Post) -> None:
    """Take back a like. Idempotent."""
    post = post.reshare_of if post.reshare_of_id else post  # type: ignore[assignment]
    with transaction.atomic():
        deleted, _ = Like.objects.filter(account=actor, post=post).delete()
        if deleted:
            Post.objects.filter(pk=post.pk, likes_count__gt=0).update(
                likes_count=F("likes_count") - 1
            )
            withdraw(actor, NotificationKind.LIKE, post=post)


def reshare(actor: Account, post: Post, *, visibility: str = Visibility.PUBLIC) -> Post:
    """Reshare a post to the actor's audience. Idempotent: returns the existing reshare.

    Public and unlisted posts, and one's own followers-only posts: a reshare of those goes to
    the same followers again (as Mastodon's boost of one's own private post does), whatever
    ``visibility`` asks for."""
    post = _original(actor, post)
    own_followers_only = post.author_id == actor.pk and post.visibility == Visibility.FOLLOWERS
    if post.visibility not in OPEN and not own_followers_only:
        raise NotAllowed(
            "Only public and unlisted posts can be reshared (and your own followers-only "
            "posts, to your followers)."
        )
    if post.group_id is not None:
        # A reshare would carry the post out to followers' home feeds, read without the
        # group's rule; group posts stay in their group.
        raise NotAllowed("Posts in groups can't be reshared.")
    if visibility not in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.FOLLOWERS):
        raise ActionError("A reshare can be public, unlisted or for followers.", field="visibility")
    if own_followers_only:
        visibility = Visibility.FOLLOWERS
    existing = Post.objects.filter(author=actor, reshare_of=post).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            share = Post.objects.create(
                author=actor, reshare_of=post, visibility=visibility, created_at=timezone.now()
            )
            _bump(Post, post.pk, reshares_count=1)
            _bump(Account, actor.pk, posts_count=1)
            notify(post.author_id, actor, NotificationKind.RESHARE, post=post)
            _deliver_on_commit(share)
    except IntegrityError:
        return Post.objects.get(author=actor, reshare_of=post)
    return share


def unreshare(actor: Account, post: Post) -> None:
    """Undo a reshare. Idempotent."""
    original_id = post.reshare_of_id or post.pk
    share = Post.objects.filter(author=actor, reshare_of_id=original_id).first()
    if share is not None:
        with transaction.atomic():
            withdraw(actor, NotificationKind.RESHARE, post=share.reshare_of)
            delete(actor, share)


def bookmark(actor: Account, post: Post) -> None:
    """Save a post for later (private to the actor). Idempotent."""
    post = _original(actor, post)
    Bookmark.objects.get_or_create(account=actor, post=post)


def unbookmark(actor: Account, post: Post) -> None:
    Bookmark.objects.filter(account=actor, post_id=post.reshare_of_id or post.pk).delete()


def pin(actor: Account, post: Post) -> None:
    """Pin one of the actor's own posts to their profile (at most five)."""
    if post.author_id != actor.pk or post.reshare_of_id:
        raise NotAllowed("You can only pin your own posts.")
    if post.visibility == Visibility.DIRECT:
        raise ActionError("Direct posts can't be pinned.")
    with transaction.atomic():
        if Pin.objects.filter(account=actor, post=post).exists():
            return
        if Pin.objects.filter(account=actor).count() >= MAX_PINS:
            raise ActionError(f"You can pin at most {MAX_PINS} posts.")
        Pin.objects.create(account=actor, post=post)


def unpin(actor: Account, post: Post) -> None:
    Pin.objects.filter(account=actor, post=post).delete()


def _original(actor: Account, post: Post) -> Post:
    original = post.reshare_of if post.reshare_of_id else post
    assert original is not None
    if not can_see(actor, original):
        raise NotFound("This post does not exist or you can't see it.")
    if is_blocked_either_way(actor, original.author_id):
        raise NotFound("This post does not exist or you can't see it.")
    return original
