"""People you may know and groups you may like, each with the reason shown.

Signals, strongest first:

- mutual connections (people connected to your connections): "4 mutual connections";
- people followed by people you follow: "Followed by ana and 2 others you follow";
- people who follow you and you don't follow back: "Follows you";
- people who post about your interests (profile interests or hashtags you follow):
  "Shares your interest in #marketing".

Candidates are computed with a few grouped statements over the viewer's own rows and cached
per viewer (:data:`CACHE_SECONDS`); each read then checks them again against the current
graph in one query (follows, requests, connections, blocks, mutes, dismissals), so a
suggestion disappears the moment it is followed or dismissed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Model

from accounts.models import Account
from network.models import Block, Connection, ConnectionRequest, Follow, FollowRequest, Mute
from plaza.ids import id_for_time
from posts.models import PostHashtag
from search.models import DismissedSuggestion, FollowedHashtag, SuggestionKind

CACHE_SECONDS = 600
POOL = 60
INTEREST_DAYS = 30
INTEREST_SAMPLE = 1000  # recent posts looked at per interest tag
SMALL_GROUP = 2000


@dataclass
class Suggestion:
    account: Account
    reason: str
    score: float


@dataclass
class GroupSuggestion:
    group: Any
    reason: str
    score: float


def _key(viewer: Account | int, kind: str) -> str:
    return f"search:suggest:{kind}:{viewer if isinstance(viewer, int) else viewer.pk}"


def forget(viewer: Account) -> None:
    """Drop the viewer's cached candidates (after a dismissal)."""
    cache.delete_many([_key(viewer, "people"), _key(viewer, "groups")])


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _interests(viewer: Account) -> list[str]:
    names = [str(n).lower() for n in (viewer.interests or []) if n]
    names += FollowedHashtag.objects.filter(account=viewer).values_list("hashtag__name", flat=True)
    return list(dict.fromkeys(names))[:20]


def _people_candidates(viewer: Account) -> list[tuple[int, str, float]]:
    """(account id, reason, score) for the best :data:`POOL` candidates. Heavy-ish: cached."""
    conn, follow = _t(Connection), _t(Follow)
    me = viewer.pk
    scores: dict[int, float] = {}
    reasons: dict[int, tuple[float, str]] = {}

    def add(pk: int, score: float, reason: str) -> None:
        if pk == me:
            return
        scores[pk] = scores.get(pk, 0.0) + score
        if pk not in reasons or reasons[pk][0] < score:
            reasons[pk] = (score, reason)

    # Go-betweens who hide their network (accounts.hide_network) are never used: a
    # suggestion would reveal whom they follow or are connected to.
    def open_via(column: str) -> str:
        return f"JOIN {_t(Account)} via ON via.id = {column} AND NOT via.hide_network"

    for pk, n in _rows(
        f"SELECT c2.other_id, COUNT(*) FROM {conn} c1 JOIN {conn} c2 ON c2.account_id = c1.other_id "
        f"{open_via('c1.other_id')} "
        "WHERE c1.account_id = %s AND c2.other_id <> %s GROUP BY c2.other_id "
        "ORDER BY COUNT(*) DESC LIMIT %s",
        [me, me, POOL],
    ):
        add(pk, 3.0 * n, f"{n} mutual connection{'s' if n != 1 else ''}")

    followed_by: dict[int, list[int]] = {}
    for pk, n, via in _rows(
        f"SELECT f2.target_id, COUNT(*), MIN(f2.follower_id) FROM {follow} f1 "
        f"JOIN {follow} f2 ON f2.follower_id = f1.target_id {open_via('f1.target_id')} "
        "WHERE f1.follower_id = %s AND f2.target_id <> %s GROUP BY f2.target_id "
        "ORDER BY COUNT(*) DESC LIMIT %s",
        [me, me, POOL],
    ):
        followed_by[pk] = [via, n]
    if followed_by:
        names = dict(
            Account.objects.filter(pk__in={v[0] for v in followed_by.values()}).values_list(
                "pk", "username"
            )
        )
        for pk, (via, n) in followed_by.items():
            others = f" and {n - 1} other{'s' if n != 2 else ''}" if n > 1 else ""
            add(pk, 1.0 * n, f"Followed by @{names.get(via, '?')}{others} you follow")

    for (pk,) in _rows(
        f"SELECT follower_id FROM {follow} WHERE target_id = %s ORDER BY id DESC LIMIT %s",
        [me, POOL],
    ):
        add(pk, 1.5, "Follows you")

    for pk, n, group_name in _co_members(me):
        others = f" and {n - 1} other group{'s' if n != 2 else ''}" if n > 1 else ""
        add(pk, 1.0 * n, f"Member of {group_name}{others}")

    interests = _interests(viewer)
    if interests:
        since = id_for_time_days(INTEREST_DAYS)
        # The newest INTEREST_SAMPLE posts per interest (a bounded walk of the tag's
        # (hashtag, -post) index), counted per author here: counting every recent post of a
        # popular tag cost hundreds of milliseconds at a million posts. Reshares carry no
        # hashtags, so no "not a reshare" condition is needed.
        counts: dict[tuple[int, str], int] = {}
        for tag in interests[:8]:
            for author, visibility in (
                PostHashtag.objects.filter(hashtag__name=tag, post_id__gte=since)
                .order_by("-post_id")
                .values_list("post__author_id", "post__visibility")[:INTEREST_SAMPLE]
            ):
                if visibility == "public" and author != me:
                    counts[(author, tag)] = counts.get((author, tag), 0) + 1
        for (author, tag), n in sorted(counts.items(), key=lambda kv: -kv[1])[: POOL * 2]:
            add(author, min(2.0, 0.5 + 0.25 * n), f"Shares your interest in #{tag}")
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:POOL]
    return [(pk, reasons[pk][1], score) for pk, score in best]


def _co_members(me: int) -> list[tuple[int, int, str]]:
    """People in the viewer's smaller groups (both active members): ``(id, shared groups,
    one group's name)``. Big groups say little about knowing someone, so they don't count."""
    try:
        from groups.models import Group, Membership
    except ImportError:  # pragma: no cover
        return []
    m, g = _t(Membership), _t(Group)
    return [
        (int(pk), int(n), str(name))
        for pk, n, name in _rows(
            f"SELECT m2.account_id, COUNT(*), MIN(g.name) FROM {m} m1 "
            f"JOIN {m} m2 ON m2.group_id = m1.group_id JOIN {g} g ON g.id = m1.group_id "
            "WHERE m1.account_id = %s AND m1.state = %s AND m2.state = %s "
            "AND m2.account_id <> %s AND g.member_count <= %s "
            "GROUP BY m2.account_id ORDER BY COUNT(*) DESC LIMIT %s",
            [me, "active", "active", me, SMALL_GROUP, POOL],
        )
    ]


def id_for_time_days(days: int) -> int:
    from datetime import timedelta

    from django.utils import timezone

    return id_for_time(timezone.now() - timedelta(days=days))


def _excluded(viewer: Account, ids: list[int]) -> set[int]:
    """Which of ``ids`` are already tied to, hidden from, or dismissed by the viewer: one
    ``UNION ALL`` statement over the viewer's own rows. The ids are sent once (a ``WITH``
    table), not once per relation: nine copies of 60 ids were 540 parameters to quote and
    parse on every page that shows suggestions."""
    if not ids:
        return set()
    values = ", ".join(["(%s)"] * len(ids))
    parts: list[str] = []
    params: list[Any] = [*ids]
    for model, owner, other in (
        (Follow, "follower_id", "target_id"),
        (FollowRequest, "requester_id", "target_id"),
        (ConnectionRequest, "requester_id", "target_id"),
        (ConnectionRequest, "target_id", "requester_id"),
        (Connection, "account_id", "other_id"),
        (Block, "account_id", "target_id"),
        (Block, "target_id", "account_id"),
        (Mute, "account_id", "target_id"),
    ):
        parts.append(
            f"SELECT {other} FROM {_t(model)} WHERE {owner} = %s "
            f"AND {other} IN (SELECT id FROM suggested)"
        )
        params.append(viewer.pk)
    parts.append(
        f"SELECT target_id FROM {_t(DismissedSuggestion)} WHERE account_id = %s AND kind = %s "
        "AND target_id IN (SELECT id FROM suggested)"
    )
    params += [viewer.pk, SuggestionKind.ACCOUNT]
    sql = f"WITH suggested(id) AS (VALUES {values}) " + " UNION ALL ".join(parts)
    return {row[0] for row in _rows(sql, params)}


def refresh_people(viewer_id: int) -> None:
    """Work out (again) whom ``viewer_id`` may know and keep it for :data:`CACHE_SECONDS`."""
    viewer = Account.objects.filter(pk=viewer_id).first()
    if viewer is not None:
        cache.set(_key(viewer, "people"), _people_candidates(viewer), CACHE_SECONDS)
    cache.delete(_key(viewer_id, "people-pending"))


def people_you_may_know(viewer: Account, *, limit: int = 5, wait: bool = True) -> list[Suggestion]:
    """Up to ``limit`` people for ``viewer`` to follow or connect with, each with its
    strongest reason. Three queries on a warm cache (excluded ids, accounts).

    Working out the candidates walks the viewer's second-degree network (10-70 ms on a large
    network). The side panels pass ``wait=False``: on a cold cache they get nothing now and
    a task works the candidates out for the next page (one task per viewer at a time)."""
    key = _key(viewer, "people")
    candidates = cache.get(key)
    if candidates is None and not wait:
        if cache.add(_key(viewer.pk, "people-pending"), 1, 120):
            from search.tasks import refresh_people_suggestions

            refresh_people_suggestions(viewer.pk)
        candidates = cache.get(key)  # the task has run already when tasks run inline
        if candidates is None:
            return []
    if candidates is None:
        candidates = _people_candidates(viewer)
        cache.set(key, candidates, CACHE_SECONDS)
    if not candidates:
        return []
    excluded = _excluded(viewer, [pk for pk, _, _ in candidates])
    wanted = [c for c in candidates if c[0] not in excluded]
    # Moderated accounts are never suggested: suspended ones are gone, limited ones reach
    # only the people who already follow them.
    accounts = Account.objects.filter(
        pk__in=[pk for pk, _, _ in wanted[: limit * 2]],
        discoverable=True,
        suspended_at__isnull=True,
        limited_at__isnull=True,
    ).in_bulk()
    out = [
        Suggestion(accounts[pk], reason, score) for pk, reason, score in wanted if pk in accounts
    ]
    return out[:limit]


# --- groups ---------------------------------------------------------------------------------


def groups_you_may_like(viewer: Account, *, limit: int = 5) -> list[GroupSuggestion]:
    """Listed groups the viewer is not in: groups their connections and follows belong to
    ("Ana and 2 others you know are members"), and groups whose topics match their interests
    ("About #marketing, one of your interests"). Empty while the groups app has no models."""
    try:
        from groups.models import Group, Membership
    except ImportError:  # pragma: no cover
        return []
    key = _key(viewer, "groups")
    candidates = cache.get(key)
    if candidates is None:
        candidates = _group_candidates(viewer, Group, Membership)
        cache.set(key, candidates, CACHE_SECONDS)
    if not candidates:
        return []
    ids = [pk for pk, _, _ in candidates]
    mine = set(
        Membership.objects.filter(account=viewer, group_id__in=ids).values_list(
            "group_id", flat=True
        )
    )
    dismissed = set(
        DismissedSuggestion.objects.filter(
            account=viewer, kind=SuggestionKind.GROUP, target_id__in=ids
        ).values_list("target_id", flat=True)
    )
    groups = Group.objects.filter(pk__in=ids, visibility__in=["public", "private"]).in_bulk()
    out = [
        GroupSuggestion(groups[pk], reason, score)
        for pk, reason, score in candidates
        if pk in groups and pk not in mine and pk not in dismissed
    ]
    return out[:limit]


def _group_candidates(viewer: Account, group: Any, membership: Any) -> list[tuple[int, str, float]]:
    known = list(Connection.objects.filter(account=viewer).values_list("other_id", flat=True)[:500])
    known += list(Follow.objects.filter(follower=viewer).values_list("target_id", flat=True)[:500])
    scores: dict[int, float] = {}
    reasons: dict[int, tuple[float, str]] = {}
    listed = group.objects.filter(visibility__in=["public", "private"])
    if known:
        rows = (
            membership.objects.filter(
                account_id__in=known, state="active", group__in=listed.values("pk")
            )
            .values("group_id")
            .annotate(n=Count("id"))
            .order_by("-n")[:POOL]
        )
        for row in rows:
            n = row["n"]
            pk = row["group_id"]
            scores[pk] = scores.get(pk, 0.0) + 2.0 * n
            reason = f"{n} {'person' if n == 1 else 'people'} you know {'is a member' if n == 1 else 'are members'}"
            reasons[pk] = (2.0 * n, reason)
    interests = _interests(viewer)
    if interests:
        for g in listed.order_by("-member_count")[:500].values("pk", "topics"):
            shared = [t for t in (g["topics"] or []) if str(t).lower() in interests]
            if shared:
                s = 1.5 * len(shared)
                scores[g["pk"]] = scores.get(g["pk"], 0.0) + s
                if g["pk"] not in reasons or reasons[g["pk"]][0] < s:
                    reasons[g["pk"]] = (s, f"About #{shared[0]}, one of your interests")
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:POOL]
    return [(pk, reasons[pk][1], score) for pk, score in best]
