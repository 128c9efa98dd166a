"""Writes to materialized home feeds: fan-out, backfill and pruning.

Design (see README, "Home feed"): fan-out on write into :class:`HomeFeedEntry` with one
``INSERT … SELECT`` per audience, so delivering a post to 20,000 followers is a single
statement, not 20,000 round trips. Accounts above ``PLAZA_FANOUT_LIMIT`` followers are not
fanned out; :mod:`feeds.queries` pulls their posts at read time. The table is the source of
truth, not a cache, so a read never has to guess whether a range is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model

from accounts.models import Account, Visibility
from feeds.models import HomeFeedEntry
from network.models import Connection, Follow
from posts.models import Mention, Post

BACKFILL_POSTS = 40


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert_select(select_sql: str, params: Sequence[Any]) -> int:
    entry = _table(HomeFeedEntry)
    sql = (
        f"INSERT INTO {entry} (owner_id, post_id, source_id) {select_sql} "
        "ON CONFLICT (owner_id, post_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def audience_sql(author_id: int, visibility: str, *, reshare: bool) -> tuple[str, list[object]]:
    """SQL selecting the ids of accounts whose home feed a post by ``author_id`` belongs in.

    Followers see public, unlisted and followers-only posts; connections see those and
    connections-only posts (a connection is the closer tie). Followers who turned reshares
    off for this account don't get its reshares.
    """
    follow, conn = _table(Follow), _table(Connection)
    parts: list[str] = []
    params: list[object] = []
    if visibility in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.FOLLOWERS):
        cond = " AND show_reshares" if reshare else ""
        parts.append(f"SELECT follower_id AS owner FROM {follow} WHERE target_id = %s{cond}")
        params.append(author_id)
    if visibility in (
        Visibility.PUBLIC,
        Visibility.UNLISTED,
        Visibility.FOLLOWERS,
        Visibility.CONNECTIONS,
    ):
        parts.append(f"SELECT account_id AS owner FROM {conn} WHERE other_id = %s")
        params.append(author_id)
    if not parts:
        return "SELECT NULL AS owner WHERE 1 = 0", []
    return " UNION ".join(parts), params


def fan_out(post: Post) -> int:
    """Put ``post`` into the home feeds of everyone it is for. Returns rows written.

    One ``INSERT … SELECT`` over the union of everyone it is for (the author, the people it
    mentions, followers of its hashtags, the author's audience), however many they are.
    Idempotent (``ON CONFLICT DO NOTHING``), so a retried task never duplicates entries.
    """
    if post.group_id is not None:
        return _fan_out_in_group(post)
    # The author, and mentioned people: they always get it, whatever they follow and however
    # big the author.
    parts = ["SELECT %s AS owner", f"SELECT account_id FROM {_table(Mention)} WHERE post_id = %s"]
    params: list[object] = [post.author_id, post.pk]
    if post.visibility != Visibility.DIRECT:
        tag_sql, tag_params = _tag_followers_sql(post)
        if tag_sql:
            parts.append(tag_sql)
            params += tag_params
        audience, audience_params = audience_sql(
            post.author_id, post.visibility, reshare=post.is_reshare
        )
        other = post.in_reply_to_account_id
        if other is not None and other != post.author_id:
            # Like Mastodon: a reply to someone else reaches only people who follow both
            # sides (and the person replied to, when they follow the author).
            other_audience, other_params = audience_sql(other, Visibility.FOLLOWERS, reshare=False)
            audience = (
                f"SELECT owner FROM ({audience}) a WHERE owner = %s OR owner IN ({other_audience})"
            )
            audience_params = [*audience_params, other, *other_params]
        # Authors above the limit are pulled at read time (feeds.queries): a condition the
        # database evaluates once, before reading any follower.
        parts.append(
            f"SELECT owner FROM ({audience}) fans WHERE (SELECT followers_count FROM "
            f"{_table(Account)} WHERE id = %s) <= %s"
        )
        params += [*audience_params, post.author_id, settings.PLAZA.fanout_limit]
    return _insert_select(
        f"SELECT owner, %s, %s FROM ({' UNION '.join(parts)}) aud WHERE owner IS NOT NULL",
        [post.pk, post.author_id, *params],
    )


def _tag_followers_sql(post: Post) -> tuple[str, list[object]]:
    """Public broadcasts reach the home feeds of people following one of their hashtags
    (search.models.FollowedHashtag), minus anyone blocking or blocked by the author: the
    SELECT of those owners (empty for other posts). Delivered even for authors above the
    fan-out limit (those are pulled only for their own followers)."""
    if post.visibility != Visibility.PUBLIC or not post.is_broadcast:
        return "", []
    if getattr(post, "group_id", None):
        return "", []  # group posts reach the group's members, by the group's rules
    from network.models import Block
    from posts.models import PostHashtag
    from search.models import FollowedHashtag

    followed, tagged, block = _table(FollowedHashtag), _table(PostHashtag), _table(Block)
    return (
        f"SELECT fh.account_id AS owner FROM {followed} fh "
        f"INNER JOIN {tagged} ph ON ph.hashtag_id = fh.hashtag_id "
        "WHERE ph.post_id = %s AND fh.account_id <> %s "
        f"AND fh.account_id NOT IN (SELECT target_id FROM {block} WHERE account_id = %s) "
        f"AND fh.account_id NOT IN (SELECT account_id FROM {block} WHERE target_id = %s)",
        [post.pk, post.author_id, post.author_id, post.author_id],
    )


def _fan_out_in_group(post: Post) -> int:
    """A group post goes to the group's active members only, never to the author's followers.

    A new thread reaches every active member; a reply reaches the author, the member replied
    to and the members it mentions (as a reply elsewhere reaches only the people concerned).
    One ``INSERT … SELECT`` over the memberships, however big the group.
    """
    from groups.models import Membership, MemberState

    membership, mention = _table(Membership), _table(Mention)
    sql = f"SELECT m.account_id, %s, %s FROM {membership} m WHERE m.group_id = %s AND m.state = %s"
    params: list[Any] = [post.pk, post.author_id, post.group_id, MemberState.ACTIVE]
    other = post.in_reply_to_account_id
    if other is not None and other != post.author_id:
        sql += (
            " AND (m.account_id IN (%s, %s) OR m.account_id IN "
            f"(SELECT account_id FROM {mention} WHERE post_id = %s))"
        )
        params += [post.author_id, other, post.pk]
    return _insert_select(sql, params)


def add_group_posts(owner: Account | int, group_id: int, *, limit: int = BACKFILL_POSTS) -> int:
    """After someone joins a group, bring its latest threads into their home feed."""
    owner_id = owner if isinstance(owner, int) else owner.pk
    rows = [
        HomeFeedEntry(owner_id=owner_id, post_id=pid, source_id=author_id)
        for pid, author_id in Post.objects.filter(
            group_id=group_id, in_reply_to__isnull=True, reshare_of__isnull=True
        )
        .order_by("-id")
        .values_list("id", "author_id")[:limit]
    ]
    HomeFeedEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def remove_group_posts(owner: Account | int, group_id: int) -> int:
    """After someone leaves, is removed from or banned from a group: its posts leave their
    home feed (home feeds are read without a visibility check, so this must happen)."""
    deleted, _ = HomeFeedEntry.objects.filter(owner=owner, post__group_id=group_id).delete()
    return deleted


def backfill(owner: Account | int, source: Account | int, *, limit: int = BACKFILL_POSTS) -> int:
    """After a new follow or connection, bring the source's recent posts into owner's feed.

    The same rules as :func:`fan_out` apply: no direct posts, no replies to people the owner
    doesn't follow, and no reshares when the owner turned them off for this account.
    """
    from feeds.queries import home_reply_q
    from posts.queries import visible_posts

    owner_acc = owner if isinstance(owner, Account) else Account.objects.get(pk=owner)
    source_id = source if isinstance(source, int) else source.pk
    qs = (
        visible_posts(owner_acc)
        .filter(author_id=source_id)
        .exclude(visibility=Visibility.DIRECT)
        .filter(home_reply_q(owner_acc), group__isnull=True)
    )
    connected = Connection.objects.filter(account=owner_acc, other_id=source_id).exists()
    if (
        not connected
        and not Follow.objects.filter(
            follower=owner_acc, target_id=source_id, show_reshares=True
        ).exists()
    ):
        qs = qs.filter(reshare_of__isnull=True)
    post_ids = list(qs.order_by("-id").values_list("id", flat=True)[:limit])
    rows = [
        HomeFeedEntry(owner_id=owner_acc.pk, post_id=pid, source_id=source_id) for pid in post_ids
    ]
    HomeFeedEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def prune(owner: Account | int, source: Account | int) -> int:
    """Remove what ``owner`` may no longer see from ``source`` (after an unfollow, a removed
    connection, a block or a mute). Posts that mention ``owner`` stay unless it's a block."""
    from posts.queries import visible_posts

    owner_acc = owner if isinstance(owner, Account) else Account.objects.get(pk=owner)
    entries = HomeFeedEntry.objects.filter(owner=owner_acc, source=source)
    still_visible = visible_posts(owner_acc).filter(
        author_id=source if isinstance(source, int) else source.pk
    )
    still_followed = (
        Follow.objects.filter(follower=owner_acc, target=source).exists()
        or Connection.objects.filter(account=owner_acc, other=source).exists()
    )
    if still_followed:
        deleted, _ = entries.exclude(post__in=still_visible.values("id")).delete()
    else:
        # Posts in groups the owner is still in were delivered by the group, not the follow.
        from groups.models import Membership, MemberState

        groups = Membership.objects.filter(account=owner_acc, state=MemberState.ACTIVE)
        deleted, _ = (
            entries.exclude(post__mentions=owner_acc)
            .exclude(post__group_id__in=groups.values("group_id"))
            .delete()
        )
    return deleted


def refan_out_recent(author: Account | int, *, limit: int = BACKFILL_POSTS) -> int:
    """Deliver an account's recent posts again, after it fell back under the fan-out limit.

    While an account is above ``PLAZA_FANOUT_LIMIT`` its posts are pulled at read time, not
    delivered; once it drops to the limit they would no longer be pulled either, so its
    latest posts are fanned out now (entries already there are left alone).
    """
    author_id = author if isinstance(author, int) else author.pk
    recent = Post.objects.filter(author_id=author_id, group__isnull=True).exclude(
        visibility=Visibility.DIRECT
    )
    return sum(fan_out(post) for post in recent.order_by("-id")[:limit])


def remove_all_between(a: Account, b: Account) -> None:
    """After a block: neither feed keeps anything from the other."""
    with transaction.atomic():
        HomeFeedEntry.objects.filter(owner=a, source=b).delete()
        HomeFeedEntry.objects.filter(owner=b, source=a).delete()
        HomeFeedEntry.objects.filter(owner=a, post__reshare_of__author=b).delete()
        HomeFeedEntry.objects.filter(owner=b, post__reshare_of__author=a).delete()
