"""``manage.py seed_demo`` at a tiny size: rows consistent with what the actions would write."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Q

from accounts.models import Account, AccountKind
from feeds.actions import fan_out
from feeds.models import HomeFeedEntry
from network.models import Connection, ConnectionRequest
from notifications.models import Notification
from plaza.ids import time_of
from posts.models import Like, MediaAttachment, MediaKind, MediaState, Mention, Post, PostHashtag

pytestmark = pytest.mark.django_db

TINY = ["--people", "12", "--orgs", "2", "--posts", "80", "--seed", "7"]


def _seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", *TINY, *extra, stdout=out, verbosity=0)
    return out.getvalue()


def test_seed_demo_builds_a_consistent_community(_media_root: Path) -> None:
    output = _seed()
    assert "demo-password-2026" in output

    assert Account.objects.count() == 14
    assert Account.objects.filter(kind=AccountKind.ORGANIZATION).count() == 2
    demo = Account.objects.get(username="demo")
    assert Post.objects.filter(group__isnull=True).count() == 80
    assert demo.user.check_password("demo-password-2026")

    # Denormalized counters agree with the rows.
    for account in Account.objects.annotate(
        n_followers=Count("follower_set", distinct=True),
        n_following=Count("following_set", distinct=True),
        n_connections=Count("connection_set", distinct=True),
        n_posts=Count("posts", distinct=True),
    ):
        assert account.followers_count == account.n_followers
        assert account.following_count == account.n_following
        assert account.connections_count == account.n_connections
        assert account.posts_count == account.n_posts
    assert Connection.objects.count() % 2 == 0
    for c in Connection.objects.all():
        assert Connection.objects.filter(account_id=c.other_id, other_id=c.account_id).exists()
    for post in Post.objects.annotate(
        n_likes=Count("likes", distinct=True),
        n_replies=Count("replies", distinct=True),
        n_reshares=Count("reshares", distinct=True),
        n_quotes=Count("quotes", distinct=True),
    ):
        assert (post.likes_count, post.replies_count) == (post.n_likes, post.n_replies)
        assert (post.reshares_count, post.quotes_count) == (post.n_reshares, post.n_quotes)
        # Snowflake ids encode the creation time (to the millisecond) of bulk-written posts
        # (group posts go through posts.actions.publish, which stamps them separately).
        if post.group_id is None:
            assert abs((time_of(post.pk) - post.created_at).total_seconds()) < 0.002
        if post.reshare_of_id:
            assert post.text == ""
        if post.in_reply_to_id:
            parent = Post.objects.get(pk=post.in_reply_to_id)
            assert post.thread_root_id == (parent.thread_root_id or parent.pk)
            assert post.in_reply_to_account_id == parent.author_id
        else:
            assert post.thread_root_id is None
    latest = Post.objects.filter(author=demo, reshare_of__isnull=True).aggregate(
        m=Max("created_at")
    )
    assert demo.last_posted_at == latest["m"]

    # Text went through the renderer: hashtags and mentions have their rows.
    assert PostHashtag.objects.exists()
    for mention in Mention.objects.select_related("post", "account")[:20]:
        assert f"@{mention.account.username}".lower() in mention.post.text.lower()
        assert 'class="mention"' in mention.post.html

    # Media: real files, ready, with what the post card needs.
    media = list(MediaAttachment.objects.all())
    assert {m.kind for m in media} >= {MediaKind.IMAGE, MediaKind.DOCUMENT}
    for m in media:
        assert m.state == MediaState.READY and m.post_id is not None
        assert (_media_root / str(m.file.name)).is_file()
        if m.kind == MediaKind.IMAGE:
            assert m.width and m.height and m.blurhash and m.thumbnail
            assert (_media_root / str(m.thumbnail.name)).is_file()
        else:
            assert m.page_count and m.page_count >= 3 and m.preview
            assert (_media_root / str(m.file.name)).read_bytes().startswith(b"%PDF")
    for avatar in Account.objects.values_list("avatar", flat=True):
        assert (_media_root / avatar).is_file()

    # The demo login has something to look at.
    assert HomeFeedEntry.objects.filter(owner=demo).count() > 10
    assert Notification.objects.filter(recipient=demo).exists()
    assert ConnectionRequest.objects.filter(target=demo).exists()
    assert demo.connections_count > 0 and demo.following_count > 0
    assert Like.objects.exists()
    assert Post.objects.filter(~Q(visibility="public")).exists()


def test_home_feeds_match_what_fan_out_delivers(run_tasks) -> None:
    with run_tasks():  # group posts are fanned out by the publish action's task
        _seed()
    seeded = set(HomeFeedEntry.objects.values_list("owner_id", "post_id", "source_id"))
    HomeFeedEntry.objects.all().delete()
    for post in Post.objects.order_by("id"):
        fan_out(post)
    replayed = set(HomeFeedEntry.objects.values_list("owner_id", "post_id", "source_id"))
    assert seeded == replayed
    assert len(seeded) > Post.objects.count()  # followers got posts, not only authors


def test_if_empty_does_nothing_the_second_time() -> None:
    _seed()
    posts = Post.objects.count()
    out = StringIO()
    call_command("seed_demo", *TINY, "--if-empty", stdout=out, verbosity=0)
    assert "not seeding" in out.getvalue()
    assert Post.objects.count() == posts
