"""Reads of groups, always scoped by the viewer.

Who sees what:

- a public or private group's page (name, description, rules, member count): everyone;
- a secret group, at all: its active members and the people invited to it;
- a group's posts and member directory: everyone for a public group, active members for a
  private or secret one (the post rule itself lives in :func:`posts.queries._visibility_q`).

Banned people count as outsiders everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Account
from feeds.queries import FeedPage, PageRange, _apply_range, _finish, _order
from groups.models import (
    Group,
    GroupPin,
    GroupVisibility,
    Invitation,
    JoinRequest,
    Membership,
    MemberState,
    Role,
)
from plaza.errors import NotFound
from posts.models import Post
from posts.queries import Page, _keyset, load_related, visible_posts

NOT_FOUND = "This group does not exist or you can't see it."
MEMBERS_LIMIT = 40


@dataclass
class Standing:
    """How the viewer stands with one group (all false for someone logged out)."""

    membership: Membership | None
    requested: bool
    invited: bool

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.is_active

    @property
    def is_banned(self) -> bool:
        return self.membership is not None and self.membership.state == MemberState.BANNED

    @property
    def is_moderator(self) -> bool:
        return self.membership is not None and self.membership.is_moderator

    @property
    def is_owner(self) -> bool:
        return self.is_member and self.membership is not None and self.membership.role == Role.OWNER

    @property
    def follow_closely(self) -> bool:
        return self.is_member and self.membership is not None and self.membership.follow_closely


def standing(viewer: Account | None, group: Group) -> Standing:
    """The viewer's membership, pending request and invitation for ``group`` (two queries at
    most)."""
    if viewer is None:
        return Standing(None, False, False)
    membership = Membership.objects.filter(group=group, account=viewer).first()
    if membership is not None:
        return Standing(membership, False, False)
    flags = (
        Group.objects.filter(pk=group.pk)
        .annotate(
            requested=Exists(JoinRequest.objects.filter(group=group, account=viewer)),
            invited=Exists(Invitation.objects.filter(group=group, account=viewer)),
        )
        .values_list("requested", "invited")
        .first()
    )
    requested, invited = flags if flags is not None else (False, False)
    return Standing(None, bool(requested), bool(invited))


def standing_and_moderators(
    viewer: Account | None, group: Group
) -> tuple[Standing, list[Membership]]:
    """:func:`standing` and :func:`moderators` together, for the group page: one query for
    the viewer's membership and the owner and moderators (with their accounts), one more
    only when the viewer has no membership at all."""
    staff = Q(state=MemberState.ACTIVE, role__in=(Role.OWNER, Role.MODERATOR))
    if viewer is not None:
        staff |= Q(account_id=viewer.pk)
    rows = list(Membership.objects.filter(staff, group_id=group.pk).select_related("account"))
    mine = None if viewer is None else next((m for m in rows if m.account_id == viewer.pk), None)
    mods = [m for m in rows if m.is_moderator]
    mods.sort(key=lambda m: (m.role != Role.OWNER, m.pk))
    if viewer is None or mine is not None:
        return Standing(mine, False, False), mods
    return standing(viewer, group), mods


def visible_groups(viewer: Account | None) -> QuerySet[Group]:
    """Every group ``viewer`` may know exists: public and private ones, and secret ones they
    are an active member of or invited to."""
    listed = Q(visibility__in=(GroupVisibility.PUBLIC, GroupVisibility.PRIVATE))
    if viewer is None:
        return Group.objects.filter(listed)
    member_of = Membership.objects.filter(account=viewer, state=MemberState.ACTIVE).values(
        "group_id"
    )
    invited_to = Invitation.objects.filter(account=viewer).values("group_id")
    return Group.objects.filter(listed | Q(pk__in=member_of) | Q(pk__in=invited_to))


def discover_groups(viewer: Account | None, *, limit: int = 20) -> list[Group]:
    """Public and private groups the viewer is not in (nor banned from), biggest first."""
    qs = Group.objects.filter(visibility__in=(GroupVisibility.PUBLIC, GroupVisibility.PRIVATE))
    if viewer is not None:
        qs = qs.exclude(pk__in=Membership.objects.filter(account=viewer).values("group_id"))
    return list(qs.order_by("-member_count", "-id")[:limit])


def get_group_for(viewer: Account | None, handle: str) -> Group:
    """The group with ``handle`` if the viewer may know it exists; :class:`NotFound` otherwise
    (a secret group is indistinguishable from no group)."""
    rows = list(Group.objects.filter(handle__iexact=str(handle)).select_related("owner")[:1])
    return _known(viewer, rows[0] if rows else None)


def get_group_by_id_for(viewer: Account | None, group_id: int) -> Group:
    """As :func:`get_group_for`, by id (the API)."""
    return _known(viewer, Group.objects.filter(pk=group_id).select_related("owner").first())


def _known(viewer: Account | None, group: Group | None) -> Group:
    """``group`` if :func:`visible_groups` holds it for the viewer, else :class:`NotFound`.
    Read by id rather than through that queryset: its two subqueries cost the group page
    more to build than to run, and only secret groups need them (one small query)."""
    if group is None:
        raise NotFound(NOT_FOUND)
    if group.visibility in (GroupVisibility.PUBLIC, GroupVisibility.PRIVATE):
        return group
    if viewer is None:
        raise NotFound(NOT_FOUND)
    member = Membership.objects.filter(group=group, account=viewer, state=MemberState.ACTIVE)
    invited = Invitation.objects.filter(group=group, account=viewer)
    if not member.exists() and not invited.exists():
        raise NotFound(NOT_FOUND)
    return group


def can_read(viewer: Account | None, group: Group) -> bool:
    """Whether the viewer may read the group's posts and member directory."""
    if group.visibility == GroupVisibility.PUBLIC:
        return True
    if viewer is None:
        return False
    return Membership.objects.filter(group=group, account=viewer, state=MemberState.ACTIVE).exists()


@dataclass
class GroupFeed:
    pinned: list[Post]  # only on the first page
    page: FeedPage


def group_feed(viewer: Account | None, group: Group, page: PageRange | None = None) -> GroupFeed:
    """The group's threads (first posts, not replies), newest first, keyset-paginated; pinned
    threads come first on the first page and are left out of the stream.

    Empty for someone who may not read the group (the visibility rule of posts decides, so
    this cannot disagree with any other path). One statement for the pinned threads and the
    page, then :func:`posts.queries.load_related`'s few.
    """
    page = (page or PageRange()).clamp()
    first = page.max_id is None and page.since_id is None and page.min_id is None
    values = {
        _VIEWER: viewer.pk if viewer is not None else None,
        _GROUP: group.pk,
        _MAX_ID: page.max_id,
        _SINCE_ID: page.since_id,
        _MIN_ID: page.min_id,
    }
    key = (
        connection.vendor,
        viewer is not None,
        page.max_id is not None,
        page.since_id is not None,
        page.min_id is not None,
        page.limit,
        first,
    )
    sql, params = _statement(key, values, lambda v: _feed_sql(v, page, first))
    posts = list(Post.objects.raw(sql, params))
    load_related(posts)
    pinned = sorted((p for p in posts if getattr(p, "feed_pinned", 0)), key=_pk, reverse=True)
    stream = sorted(
        (p for p in posts if not getattr(p, "feed_pinned", 0)), key=_pk, reverse=not page.ascending
    )
    return GroupFeed(pinned, _finish(stream, page))


def _pk(post: Post) -> int:
    return int(post.pk)


def _feed_sql(values: dict[int, Any], page: PageRange, first: bool) -> tuple[str, list[Any]]:
    """The group feed's statement for these values (real ones, or the sentinels): the pinned
    threads (first page only) and the page of the others, each row marked ``feed_pinned``."""
    viewer = None
    if values[_VIEWER] is not None:
        viewer = Account(pk=values[_VIEWER])
        viewer._state.adding = False  # a stand-in for a stored row: only its pk is read
    threads = visible_posts(viewer).filter(
        group_id=values[_GROUP], in_reply_to__isnull=True, reshare_of__isnull=True
    )
    pins = GroupPin.objects.filter(group_id=values[_GROUP], post=OuterRef("pk"))
    bounds = PageRange(values[_MAX_ID], values[_SINCE_ID], values[_MIN_ID], page.limit)
    stream = _apply_range(threads.exclude(Exists(pins)), "id", bounds).order_by(_order("id", page))
    stream_sql, stream_params = stream[: page.limit].query.sql_with_params()
    if not first:
        return f"SELECT 0 AS feed_pinned, s.* FROM ({stream_sql}) s", list(stream_params)
    # Driven by the group's few pins (an EXISTS per thread would walk the whole group).
    pinned_ids = GroupPin.objects.filter(group_id=values[_GROUP]).values("post_id")
    pinned = threads.filter(pk__in=pinned_ids).order_by("-id")
    pinned_sql, pinned_params = pinned.query.sql_with_params()
    return (
        f"SELECT 1 AS feed_pinned, p.* FROM ({pinned_sql}) p "
        f"UNION ALL SELECT 0, s.* FROM ({stream_sql}) s",
        [*pinned_params, *stream_params],
    )


# --- statements compiled once ---------------------------------------------------------------
#
# The ORM spent ~12 ms building the group feed's statement (the visibility rule of posts is a
# dozen subqueries) against well under a millisecond for the database to run it. The statement's
# text depends only on its shape (logged in or not, which bounds, the limit), so it is built once
# per process and shape from sentinel values, and later calls only swap the values in. The rule
# itself stays posts.queries.visible_posts: nothing here restates it. Should building ever read
# the database or write a value into the text, the statement is not reused (built every time).

_VIEWER, _GROUP, _MAX_ID, _SINCE_ID, _MIN_ID = (918273645546372801 + i for i in range(5))
_SENTINELS = {_VIEWER, _GROUP, _MAX_ID, _SINCE_ID, _MIN_ID}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, sentinel)


_COMPILED: dict[tuple[Any, ...], _Compiled | None] = {}


def _refuse(*args: Any) -> Any:
    raise _NotStatic


class _NotStatic(Exception):
    """Building the statement touched the database."""


def _statement(
    key: tuple[Any, ...],
    values: dict[int, Any],
    build: Callable[[dict[int, Any]], tuple[str, list[Any]]],
) -> tuple[str, list[Any]]:
    """``build(values)``, from the statement compiled once for ``key`` when it can be."""
    if key not in _COMPILED:
        _COMPILED[key] = _compile(build, values)
    compiled = _COMPILED[key]
    if compiled is None:
        return build(values)
    return compiled.sql, _bind(compiled, values)


def _bind(compiled: _Compiled, values: dict[int, Any]) -> list[Any]:
    params = list(compiled.params)
    for position, sentinel in compiled.slots:
        # The backend's own wrapper type (psycopg's Int8 on PostgreSQL), as the ORM passes it.
        params[position] = type(params[position])(values[sentinel])
    return params


def _compile(
    build: Callable[[dict[int, Any]], tuple[str, list[Any]]], values: dict[int, Any]
) -> _Compiled | None:
    """The statement for ``values``' shape, or None when it can't be reused: building it read
    the database, a value landed in its text, or it differs from what ``values`` build."""
    # Sentinels where a value is given (which ones is part of the key), None elsewhere.
    shape = {s: None if v is None else s for s, v in values.items()}
    try:
        with connection.execute_wrapper(_refuse):
            sql, params = build(shape)
            expected = build(values)
    except _NotStatic:
        return None
    if any(str(s) in sql for s in _SENTINELS):
        return None
    slots = tuple(
        (i, int(p))
        for i, p in enumerate(params)
        if isinstance(p, int) and not isinstance(p, bool) and int(p) in _SENTINELS
    )
    compiled = _Compiled(sql, tuple(params), slots)
    # The check that makes reuse safe: the same text, and every value where the ORM puts it.
    if (sql, _bind(compiled, values)) != (expected[0], list(expected[1])):
        return None
    return compiled


def members_page(
    viewer: Account | None,
    group: Group,
    *,
    max_id: int | None = None,
    limit: int = MEMBERS_LIMIT,
    banned: bool = False,
) -> Page[Membership]:
    """The group's members (with their accounts), owner and moderators first on the first page
    then everyone by join order, newest first; keyset by membership id. ``banned`` lists bans
    instead (for moderators). Empty for people who may not read the group."""
    limit = max(1, min(limit, 80))
    if not can_read(viewer, group):
        return Page([], None)
    state = MemberState.BANNED if banned else MemberState.ACTIVE
    qs = Membership.objects.filter(group=group, state=state)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    rows = list(qs.select_related("account").order_by("-id")[: limit + 1])
    return _keyset([(m.pk, m) for m in rows], limit)


def moderators(group: Group) -> list[Membership]:
    """The owner and moderators, owner first."""
    rows = Membership.objects.filter(
        group=group, state=MemberState.ACTIVE, role__in=(Role.OWNER, Role.MODERATOR)
    ).select_related("account")
    return sorted(rows, key=lambda m: (m.role != Role.OWNER, m.pk))


def my_groups(viewer: Account) -> list[Membership]:
    """The viewer's active memberships with their groups, most recently joined first."""
    return list(
        Membership.objects.filter(account=viewer, state=MemberState.ACTIVE)
        .select_related("group")
        .order_by("-id")
    )


def my_invitations(viewer: Account) -> list[Invitation]:
    """Invitations waiting for the viewer, with the group and who invited."""
    return list(
        Invitation.objects.filter(account=viewer).select_related("group", "inviter").order_by("-id")
    )


def pending_requests(group: Group, *, limit: int = 100) -> list[JoinRequest]:
    """Requests to join, oldest first (callers check the viewer moderates the group)."""
    return list(
        JoinRequest.objects.filter(group=group).select_related("account").order_by("id")[:limit]
    )


def pending_request_count(group: Group) -> int:
    return JoinRequest.objects.filter(group=group).count()


def groups_of_posts(posts: list[Post]) -> dict[int, Group]:
    """The groups of these posts, by id (one query; none if no post is in a group)."""
    ids = {p.group_id for p in posts if p.group_id is not None}
    return Group.objects.in_bulk(ids) if ids else {}
