"""Trending hashtags and posts: recent activity with time decay, hard to game from one account.

Hashtags: over the last :data:`WINDOW`, each *account* that used a tag contributes according
to how recently it last used it (half-life :data:`HALF_LIFE_HOURS`) and in how many distinct
hours it did (``1 + 0.25`` per extra hour, capped at :data:`ACCOUNT_CAP`). So one account
posting a tag a hundred times weighs at most ``ACCOUNT_CAP``, while ten people using it once
weigh ten. Only public posts count.

Posts: public original posts of the window with likes, reshares or quotes, scored by
engagement over age (``(likes + 2·reshares + 2·quotes + replies/2) / (age_hours + 2)^1.5``),
at most :data:`PER_AUTHOR` posts per author.

Both lists are global and cached for :data:`CACHE_SECONDS`; the per-viewer part (blocks,
mutes, visibility) is applied on every read.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts.models import Account, Visibility
from plaza.ids import id_for_time
from posts.models import Hashtag, Post, PostHashtag

WINDOW = dt.timedelta(hours=48)
HALF_LIFE_HOURS = 12.0
ACCOUNT_CAP = 1.5
CACHE_SECONDS = 120
POOL = 100
PER_AUTHOR = 2
HOUR_MS = 3_600_000


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _has_field(name: str) -> bool:
    return any(f.name == name for f in Account._meta.get_fields())


def _kept_out_sql() -> str:
    """A condition on ``p.author_id`` keeping suspended and limited accounts out of trends
    (when moderation exists)."""
    if not (_has_field("suspended_at") and _has_field("limited_at")):
        return ""
    return (
        f" AND p.author_id NOT IN (SELECT id FROM {_t(Account)} "
        "WHERE suspended_at IS NOT NULL OR limited_at IS NOT NULL)"
    )


def hashtag_scores(pool: int = POOL) -> list[tuple[str, float, int]]:
    """``(name, score, posts)`` of the trending tags, best first (cached)."""
    key = f"search:trending_tags:{pool}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    since = id_for_time(timezone.now() - WINDOW)
    ph, post = _t(PostHashtag), _t(Post)
    # One row per (tag, account): the latest use, the distinct hours used, the posts.
    # Ids carry their millisecond in the bits above 16, so the hour is arithmetic on the id.
    sql = (
        "SELECT ph.hashtag_id, p.author_id, MAX(ph.post_id), "
        "COUNT(DISTINCT (ph.post_id / 65536) / 3600000), COUNT(*) "
        f"FROM {ph} ph JOIN {post} p ON p.id = ph.post_id "
        "WHERE ph.post_id >= %s AND p.visibility = %s AND p.reshare_of_id IS NULL"
        f"{_kept_out_sql()} GROUP BY ph.hashtag_id, p.author_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, Visibility.PUBLIC])
        rows = cursor.fetchall()
    now_ms = time.time() * 1000
    scores: dict[int, float] = {}
    posts: dict[int, int] = {}
    for tag_id, _author, latest, hours, n in rows:
        age_h = max(0.0, (now_ms - (int(latest) >> 16)) / HOUR_MS)
        decay = 0.5 ** (age_h / HALF_LIFE_HOURS)
        weight = min(ACCOUNT_CAP, 1.0 + 0.25 * (int(hours) - 1))
        scores[tag_id] = scores.get(tag_id, 0.0) + decay * weight
        posts[tag_id] = posts.get(tag_id, 0) + int(n)
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:pool]
    names = dict(Hashtag.objects.filter(pk__in=[pk for pk, _ in best]).values_list("pk", "name"))
    result = [(names[pk], score, posts[pk]) for pk, score in best if pk in names]
    result.sort(key=lambda r: (-r[1], r[0]))
    cache.set(key, result, CACHE_SECONDS)
    return result


def trending_post_ids(pool: int = POOL) -> list[int]:
    """Ids of the trending posts, best first, before any viewer's filters (cached)."""
    key = f"search:trending_posts:{pool}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    since = id_for_time(timezone.now() - WINDOW)
    qs = Post.objects.filter(
        id__gte=since, visibility=Visibility.PUBLIC, reshare_of__isnull=True
    ).exclude(likes_count=0, reshares_count=0, quotes_count=0)
    if _has_field("limited_at"):
        qs = qs.exclude(author__limited_at__isnull=False).exclude(
            author__suspended_at__isnull=False
        )
    rows = qs.values_list(
        "pk", "author_id", "likes_count", "reshares_count", "quotes_count", "replies_count"
    )
    now_ms = time.time() * 1000
    scored: list[tuple[float, int, int]] = []
    for pk, author_id, likes, reshares, quotes, replies in rows.iterator(chunk_size=2000):
        age_h = max(0.0, (now_ms - (pk >> 16)) / HOUR_MS)
        engagement = likes + 2 * reshares + 2 * quotes + replies / 2
        scored.append((engagement / math.pow(age_h + 2, 1.5), pk, author_id))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    per_author: dict[int, int] = {}
    result: list[int] = []
    for _score, post_id, author in scored:
        if per_author.get(author, 0) >= PER_AUTHOR:
            continue  # one prolific account can't fill the list
        per_author[author] = per_author.get(author, 0) + 1
        result.append(post_id)
        if len(result) >= pool:
            break
    cache.set(key, result, CACHE_SECONDS)
    return result


def visible_trending_posts(
    viewer: Account | None, *, limit: int = 20, offset: int = 0
) -> list[Post]:
    """The trending posts ``viewer`` may see and hasn't hidden (blocks, mutes), best first."""
    from posts.queries import visible_posts, with_related

    ids = trending_post_ids()
    if not ids:
        return []
    qs = visible_posts(viewer).filter(pk__in=ids)
    if viewer is not None:
        from network.queries import muted_ids

        qs = qs.exclude(author_id__in=muted_ids(viewer))
    allowed = list(qs.values_list("pk", flat=True))
    keep = set(allowed)
    page = [pk for pk in ids if pk in keep][offset : offset + limit]
    by_id = {p.pk: p for p in with_related(Post.objects.filter(pk__in=page))}
    return [by_id[pk] for pk in page if pk in by_id]
