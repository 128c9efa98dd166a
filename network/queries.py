"""Reads of the relationship graph. Every other app asks here, never the models directly."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import Account
from network.models import Block, Connection, ConnectionRequest, Follow, FollowRequest, Mute


@dataclass(frozen=True)
class Relationship:
    """How ``viewer`` relates to another account, as a profile header shows it."""

    following: bool = False
    followed_by: bool = False
    follow_requested: bool = False
    follow_requested_by: bool = False
    connected: bool = False
    connection_requested: bool = False
    connection_requested_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    is_self: bool = False


def is_following(follower: Account | int, target: Account | int) -> bool:
    return Follow.objects.filter(follower=follower, target=target).exists()


def is_connected(a: Account | int, b: Account | int) -> bool:
    return Connection.objects.filter(account=a, other=b).exists()


def is_blocked_either_way(a: Account | int, b: Account | int) -> bool:
    """True when either account blocks the other: they must not see or reach each other."""
    return Block.objects.filter(Q(account=a, target=b) | Q(account=b, target=a)).exists()


def blocked_ids(viewer: Account) -> QuerySet[Block, int]:
    """Ids of accounts ``viewer`` blocks (a subquery: use with ``__in``)."""
    return Block.objects.filter(account=viewer).values_list("target_id", flat=True)


def blocker_ids(viewer: Account) -> QuerySet[Block, int]:
    """Ids of accounts that block ``viewer`` (a subquery: use with ``__in``)."""
    return Block.objects.filter(target=viewer).values_list("account_id", flat=True)


def muted_ids(viewer: Account) -> QuerySet[Mute, int]:
    """Ids of accounts ``viewer`` muted (a subquery: use with ``__in``)."""
    return Mute.objects.filter(account=viewer).values_list("target_id", flat=True)


def following_ids(viewer: Account) -> QuerySet[Follow, int]:
    return Follow.objects.filter(follower=viewer).values_list("target_id", flat=True)


def connection_ids(viewer: Account) -> QuerySet[Connection, int]:
    return Connection.objects.filter(account=viewer).values_list("other_id", flat=True)


def hidden_from(viewer: Account | None) -> set[int]:
    """Accounts whose content ``viewer`` must not see at all (blocks, either way)."""
    if viewer is None:
        return set()
    rows = Block.objects.filter(Q(account=viewer) | Q(target=viewer)).values_list(
        "account_id", "target_id"
    )
    return {a if b == viewer.pk else b for a, b in rows}


def relationships(
    viewer: Account | None, targets: Iterable[Account | int]
) -> dict[int, Relationship]:
    """The viewer's relationship to each target, in a fixed number of queries (one per kind)."""
    ids = [t if isinstance(t, int) else t.pk for t in targets]
    if viewer is None or not ids:
        return {i: Relationship() for i in ids}
    me = viewer.pk

    def targets_of(qs: QuerySet, column: str) -> set[int]:
        return set(qs.values_list(column, flat=True))

    following = targets_of(Follow.objects.filter(follower=me, target__in=ids), "target_id")
    followed_by = targets_of(Follow.objects.filter(target=me, follower__in=ids), "follower_id")
    f_req = targets_of(FollowRequest.objects.filter(requester=me, target__in=ids), "target_id")
    f_req_by = targets_of(
        FollowRequest.objects.filter(target=me, requester__in=ids), "requester_id"
    )
    connected = targets_of(Connection.objects.filter(account=me, other__in=ids), "other_id")
    c_req = targets_of(ConnectionRequest.objects.filter(requester=me, target__in=ids), "target_id")
    c_req_by = targets_of(
        ConnectionRequest.objects.filter(target=me, requester__in=ids), "requester_id"
    )
    blocking = targets_of(Block.objects.filter(account=me, target__in=ids), "target_id")
    blocked_by = targets_of(Block.objects.filter(target=me, account__in=ids), "account_id")
    muting = targets_of(Mute.objects.filter(account=me, target__in=ids), "target_id")
    return {
        i: Relationship(
            following=i in following,
            followed_by=i in followed_by,
            follow_requested=i in f_req,
            follow_requested_by=i in f_req_by,
            connected=i in connected,
            connection_requested=i in c_req,
            connection_requested_by=i in c_req_by,
            blocking=i in blocking,
            blocked_by=i in blocked_by,
            muting=i in muting,
            is_self=i == me,
        )
        for i in ids
    }


def relationship(viewer: Account | None, target: Account) -> Relationship:
    """The viewer's relationship to one account."""
    return relationships(viewer, [target])[target.pk]
