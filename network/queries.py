"""Reads of the relationship graph. Every other app asks here, never the models directly."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
    notifying: bool = False  # the viewer follows them with post notifications on (the bell)


def is_following(follower: Account | int, target: Account | int) -> bool:
    """True when ``follower`` follows ``target`` (an approved follow, not a request)."""
    return Follow.objects.filter(follower=follower, target=target).exists()


def is_connected(a: Account | int, b: Account | int) -> bool:
    """True when ``a`` and ``b`` are connected (connections are mutual)."""
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
    """Ids of accounts ``viewer`` follows (a subquery: use with ``__in``)."""
    return Follow.objects.filter(follower=viewer).values_list("target_id", flat=True)


def connection_ids(viewer: Account) -> QuerySet[Connection, int]:
    """Ids of accounts ``viewer`` is connected to (a subquery: use with ``__in``)."""
    return Connection.objects.filter(account=viewer).values_list("other_id", flat=True)


def hidden_from(viewer: Account | None) -> set[int]:
    """Accounts whose content ``viewer`` must not see at all (blocks, either way; mutes are
    not here: a muted account's posts stay reachable, only feeds leave them out)."""
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

    follows = dict(
        Follow.objects.filter(follower=me, target__in=ids).values_list("target_id", "notify")
    )
    following = set(follows)
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
            notifying=bool(follows.get(i)),
        )
        for i in ids
    }


def relationship(viewer: Account | None, target: Account) -> Relationship:
    """The viewer's relationship to one account."""
    return relationships(viewer, [target])[target.pk]


# --- account lists (followers, following, connections, requests, blocks, mutes) -------------

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


@dataclass(frozen=True)
class AccountRow:
    """One account in a relationship list, with the viewer's relationship to it.

    ``key`` is the id of the relationship row (the follow, connection, request...): lists are
    keyset-paginated by it, newest first, so a page is stable while rows are added.
    """

    key: int
    account: Account
    rel: Relationship
    since: datetime
    note: str = ""
    expires_at: datetime | None = None  # when a timed mute ends


@dataclass(frozen=True)
class AccountPage:
    rows: list[AccountRow]
    # ``max_id`` for the next (older) page; None on the last page.
    next_max_id: int | None


def _fetch(
    viewer: Account | None,
    qs: QuerySet,
    column: str,
    *,
    max_id: int | None,
    limit: int,
    hide_blocked: bool = True,
) -> tuple[list[Any], int | None]:
    """One keyset page of relationship rows in ``qs`` (one query), and the next ``max_id``."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    if max_id is not None:
        qs = qs.filter(id__lt=max_id)
    if hide_blocked and viewer is not None:
        # Accounts the viewer blocks or is blocked by never show up in anyone's list for them.
        qs = qs.exclude(**{f"{column}_id__in": blocked_ids(viewer)}).exclude(
            **{f"{column}_id__in": blocker_ids(viewer)}
        )
    # Suspended accounts are gone from every list (moderation.actions.suspend).
    qs = qs.filter(**{f"{column}__suspended_at__isnull": True})
    # One row more than asked says whether there is a next page, without a COUNT.
    found = list(qs.select_related(column).order_by("-id")[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return found, (found[-1].pk if more and found else None)


def _rows(found: list[Any], column: str, rels: dict[int, Relationship]) -> list[AccountRow]:
    return [
        AccountRow(
            key=r.pk,
            account=getattr(r, column),
            rel=rels[getattr(r, f"{column}_id")],
            since=r.created_at,
            note=getattr(r, "note", ""),
            expires_at=getattr(r, "expires_at", None),
        )
        for r in found
    ]


def _account_page(
    viewer: Account | None,
    qs: QuerySet,
    column: str,
    *,
    max_id: int | None,
    limit: int,
    hide_blocked: bool = True,
) -> AccountPage:
    """A keyset page of relationship rows in ``qs``, showing the account in ``column``.

    One query for the rows (accounts joined) plus one per relationship kind, whatever
    ``limit`` is.
    """
    found, next_max_id = _fetch(
        viewer, qs, column, max_id=max_id, limit=limit, hide_blocked=hide_blocked
    )
    rels = relationships(viewer, [getattr(r, f"{column}_id") for r in found])
    return AccountPage(rows=_rows(found, column, rels), next_max_id=next_max_id)


def can_see_lists(viewer: Account | None, account: Account) -> bool:
    """Whether ``viewer`` may see who ``account`` follows, is followed by and is connected to.

    Open accounts show their lists to everyone. A locked account approves who follows it,
    so its lists are for the account itself, its approved followers and its connections —
    the people it already chose to let in. An account that hides its network shows its lists
    to itself only. Blocks are checked separately (they are a 404).
    """
    if viewer is not None and viewer.pk == account.pk:
        return True
    if account.hide_network:
        return False
    if not account.locked:
        return True
    if viewer is None:
        return False
    return is_following(viewer, account) or is_connected(viewer, account)


def followers_page(
    viewer: Account | None,
    account: Account,
    *,
    max_id: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> AccountPage:
    """Accounts following ``account``, newest follow first. Check :func:`can_see_lists` first."""
    qs = Follow.objects.filter(target=account)
    return _account_page(viewer, qs, "follower", max_id=max_id, limit=limit)


def following_page(
    viewer: Account | None,
    account: Account,
    *,
    max_id: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> AccountPage:
    """Accounts ``account`` follows, newest follow first. Check :func:`can_see_lists` first."""
    qs = Follow.objects.filter(follower=account)
    return _account_page(viewer, qs, "target", max_id=max_id, limit=limit)


def connections_page(
    viewer: Account | None,
    account: Account,
    *,
    max_id: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> AccountPage:
    """Accounts connected to ``account``, newest first. Check :func:`can_see_lists` first."""
    qs = Connection.objects.filter(account=account)
    return _account_page(viewer, qs, "other", max_id=max_id, limit=limit)


def received_connection_requests_page(
    viewer: Account, *, max_id: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> AccountPage:
    """Connection requests waiting for ``viewer``'s answer (rows carry the note)."""
    qs = ConnectionRequest.objects.filter(target=viewer)
    return _account_page(viewer, qs, "requester", max_id=max_id, limit=limit)


def sent_connection_requests_page(
    viewer: Account, *, max_id: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> AccountPage:
    """Connection requests ``viewer`` sent that are still pending."""
    qs = ConnectionRequest.objects.filter(requester=viewer)
    return _account_page(viewer, qs, "target", max_id=max_id, limit=limit)


def received_follow_requests_page(
    viewer: Account, *, max_id: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> AccountPage:
    """Follow requests waiting for ``viewer``'s approval (locked accounts)."""
    qs = FollowRequest.objects.filter(target=viewer)
    return _account_page(viewer, qs, "requester", max_id=max_id, limit=limit)


def sent_follow_requests_page(
    viewer: Account, *, max_id: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> AccountPage:
    """Follow requests ``viewer`` sent to locked accounts that are still pending."""
    qs = FollowRequest.objects.filter(requester=viewer)
    return _account_page(viewer, qs, "target", max_id=max_id, limit=limit)


def blocks_page(
    viewer: Account, *, max_id: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> AccountPage:
    """Accounts ``viewer`` blocks, newest first."""
    qs = Block.objects.filter(account=viewer)
    return _account_page(viewer, qs, "target", max_id=max_id, limit=limit, hide_blocked=False)


def mutes_page(
    viewer: Account, *, max_id: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> AccountPage:
    """Accounts ``viewer`` muted, newest first."""
    qs = Mute.objects.filter(account=viewer)
    return _account_page(viewer, qs, "target", max_id=max_id, limit=limit, hide_blocked=False)


@dataclass(frozen=True)
class NetworkHub:
    """Everything the "My network" page shows: requests both ways, then connections."""

    invitations: AccountPage
    follow_requests: AccountPage
    sent_connection_requests: AccountPage
    sent_follow_requests: AccountPage
    connections: AccountPage
    # Totals for the section headings (the sections show only their first rows).
    counts: dict[str, int] = field(default_factory=dict)


def network_hub(
    viewer: Account,
    *,
    max_id: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    preview: int = 5,
) -> NetworkHub:
    """The viewer's pending requests (first ``preview`` of each) and a page of connections.

    The relationships of all the accounts shown are loaded together, so the page costs the
    same few queries however many rows each section has. Past the first page of connections
    (``max_id`` given) the request sections are left empty: they were on the first page.
    """
    me = viewer.pk
    specs: list[tuple[str, QuerySet, str, int, int | None]] = [
        ("connections", Connection.objects.filter(account=me), "other", limit, max_id)
    ]
    if max_id is None:
        specs += [
            (
                "invitations",
                ConnectionRequest.objects.filter(target=me),
                "requester",
                preview,
                None,
            ),
            (
                "follow_requests",
                FollowRequest.objects.filter(target=me),
                "requester",
                preview,
                None,
            ),
            (
                "sent_connection_requests",
                ConnectionRequest.objects.filter(requester=me),
                "target",
                preview,
                None,
            ),
            (
                "sent_follow_requests",
                FollowRequest.objects.filter(requester=me),
                "target",
                preview,
                None,
            ),
        ]
    fetched = {
        name: (column, *_fetch(viewer, qs, column, max_id=key, limit=n))
        for name, qs, column, n, key in specs
    }
    ids = [getattr(r, f"{column}_id") for column, found, _ in fetched.values() for r in found]
    rels = relationships(viewer, ids)
    pages = {
        name: AccountPage(rows=_rows(found, column, rels), next_max_id=next_key)
        for name, (column, found, next_key) in fetched.items()
    }
    empty = AccountPage(rows=[], next_max_id=None)
    counting = {
        "invitations": ConnectionRequest.objects.filter(target=me),
        "follow_requests": FollowRequest.objects.filter(target=me),
        "sent_connection_requests": ConnectionRequest.objects.filter(requester=me),
        "sent_follow_requests": FollowRequest.objects.filter(requester=me),
    }
    # Always COUNT (four index lookups) so the page costs the same however full it is.
    counts = {name: qs.count() for name, qs in counting.items() if name in pages}
    return NetworkHub(
        invitations=pages.get("invitations", empty),
        follow_requests=pages.get("follow_requests", empty),
        sent_connection_requests=pages.get("sent_connection_requests", empty),
        sent_follow_requests=pages.get("sent_follow_requests", empty),
        connections=pages["connections"],
        counts=counts,
    )


# --- endorsements and the finer points of a relationship (Mastodon clients show them) -------


def endorsements_page(
    viewer: Account, *, max_id: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> AccountPage:
    """Accounts ``viewer`` features on their profile, newest first.

    Only accounts the viewer still follows count: unfollowing (or a block, which cuts the
    follow) quietly ends the feature without another write path having to know about it.
    """
    from network.models import Endorsement

    qs = Endorsement.objects.filter(
        account=viewer, target_id__in=Follow.objects.filter(follower=viewer).values("target_id")
    )
    return _account_page(viewer, qs, "target", max_id=max_id, limit=limit)


@dataclass(frozen=True)
class RelationshipDetails:
    """Options of the viewer's follow and mute, and whether they feature the account."""

    show_reshares: bool = True
    notify: bool = False
    mute_notifications: bool = False
    endorsed: bool = False
    mute_expires_at: datetime | None = None
    note: str = ""  # the viewer's private note about the account


def relationship_details(
    viewer: Account | None, targets: Iterable[Account | int]
) -> dict[int, RelationshipDetails]:
    """:class:`RelationshipDetails` for each target, in five queries whatever their number."""
    from network.models import AccountNote, Endorsement

    ids = [t if isinstance(t, int) else t.pk for t in targets]
    if viewer is None or not ids:
        return {i: RelationshipDetails() for i in ids}
    follows = {
        target: (show, notify)
        for target, show, notify in Follow.objects.filter(
            follower=viewer, target__in=ids
        ).values_list("target_id", "show_reshares", "notify")
    }
    requests = {
        target: (show, notify)
        for target, show, notify in FollowRequest.objects.filter(
            requester=viewer, target__in=ids
        ).values_list("target_id", "show_reshares", "notify")
    }
    mutes = {
        target: (notifications, expires_at)
        for target, notifications, expires_at in Mute.objects.filter(
            account=viewer, target__in=ids
        ).values_list("target_id", "notifications", "expires_at")
    }
    notes = dict(
        AccountNote.objects.filter(account=viewer, target__in=ids).values_list(
            "target_id", "comment"
        )
    )
    endorsed = set(
        Endorsement.objects.filter(account=viewer, target__in=ids).values_list(
            "target_id", flat=True
        )
    )
    out: dict[int, RelationshipDetails] = {}
    for i in ids:
        show, notify = follows.get(i) or requests.get(i) or (True, False)
        out[i] = RelationshipDetails(
            show_reshares=show,
            notify=notify,
            mute_notifications=bool(mutes.get(i, (False, None))[0]),
            endorsed=i in endorsed and i in follows,
            mute_expires_at=mutes.get(i, (False, None))[1],
            note=notes.get(i, ""),
        )
    return out


def familiar_followers(
    viewer: Account, targets: Iterable[int], *, per_target: int = 40
) -> dict[int, list[Account]]:
    """For each target, accounts that follow it and that ``viewer`` follows (newest first,
    at most ``per_target``), minus accounts hidden by blocks and accounts that hide their
    network. One query."""
    ids = list(targets)
    result: dict[int, list[Account]] = {i: [] for i in ids}
    if not ids:
        return result
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    rows = (
        Follow.objects.filter(
            target__in=ids, follower__in=Follow.objects.filter(follower=viewer).values("target_id")
        )
        .exclude(follower__in=blocked_ids(viewer))
        .exclude(follower__in=blocker_ids(viewer))
        .exclude(follower__hide_network=True)  # whom they follow is theirs to know
        # Numbered per target so each target gets its own newest ``per_target`` rows.
        .annotate(rank=Window(RowNumber(), partition_by=F("target_id"), order_by=F("id").desc()))
        .filter(rank__lte=per_target)
        .select_related("follower")
        .order_by("-id")
    )
    for row in rows:
        result[row.target_id].append(row.follower)
    return result


def directory(
    viewer: Account | None, *, order: str = "active", offset: int = 0, limit: int = 40
) -> list[Account]:
    """The profile directory: discoverable accounts, minus blocks either way with ``viewer``;
    ``order`` ``"active"`` (most recently posted first, never-posted last) or ``"new"``
    (newest accounts first). Offset-paged, as Mastodon's ``/api/v1/directory`` is."""
    from django.db.models import F

    qs = Account.objects.filter(discoverable=True)
    if viewer is not None:
        qs = qs.exclude(pk__in=blocked_ids(viewer)).exclude(pk__in=blocker_ids(viewer))
    if order == "new":
        qs = qs.order_by("-id")
    else:
        qs = qs.order_by(F("last_posted_at").desc(nulls_last=True), "-id")
    return list(qs[offset : offset + limit])
