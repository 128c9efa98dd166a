"""Reads of groups, always scoped by the viewer.

Who sees what:

- a public or private group's page (name, description, rules, member count): everyone;
- a secret group, at all: its active members and the people invited to it;
- a group's posts and member directory: everyone for a public group, active members for a
  private or secret one (the post rule itself lives in :func:`posts.queries._visibility_q`).

Banned people count as outsiders everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, Model, Q, QuerySet

from accounts.models import Account, Visibility
from feeds.queries import FeedPage, PageRange, _finish
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
from network.models import Block, Connection, Follow
from plaza import rows
from plaza.errors import NotFound
from posts.models import Mention, Post
from posts.queries import OPEN, Page, _keyset, load_related

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
    # Written by hand (plaza.rows): the ORM compiled this join on every group page (~0.9 ms
    # of CPU on PostgreSQL, more than the database spent). The staff are read through their
    # partial index (its roles written out: a database matches a partial index's condition
    # only against constants), the viewer's own row through (group, account).
    staff_roles = f"('{Role.OWNER.value}', '{Role.MODERATOR.value}')"
    select = (
        f"SELECT {rows.columns(Membership, 'm')}, {rows.columns(Account, 'a')} "
        f"FROM {_t(Membership)} m JOIN {_t(Account)} a ON a.id = m.account_id "
    )
    sql = f"{select} WHERE m.group_id = %s AND m.role IN {staff_roles} AND m.state = %s"
    params: list[Any] = [group.pk, MemberState.ACTIVE]
    if viewer is not None:
        sql += (
            f" UNION ALL {select} WHERE m.group_id = %s AND m.account_id = %s "
            f"AND NOT (m.role IN {staff_roles} AND m.state = %s)"
        )
        params += [group.pk, viewer.pk, MemberState.ACTIVE]
    found = rows.fetch(sql, params, Membership, Account)
    for membership, account in found:
        rows.cache_related(membership, "account", account)
    staff = [membership for membership, _ in found]
    mine = None if viewer is None else next((m for m in staff if m.account_id == viewer.pk), None)
    mods = [m for m in staff if m.is_moderator]
    mods.sort(key=lambda m: (m.role != Role.OWNER, m.pk))
    if not Group.owner.is_cached(group):  # read without it (get_group_for(owner=False))
        owner = next((m.account for m in mods if m.account_id == group.owner_id), None)
        if owner is not None:
            Group.owner.field.set_cached_value(group, owner)  # what select_related stores
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


def get_group_for(viewer: Account | None, handle: str, *, owner: bool = True) -> Group:
    """The group with ``handle`` if the viewer may know it exists; :class:`NotFound` otherwise
    (a secret group is indistinguishable from no group). With its owner unless ``owner`` is
    false (the group page takes the owner from :func:`standing_and_moderators`' rows: the
    join cost ~0.3 ms of CPU on PostgreSQL, mostly compiling the owner's columns)."""
    # Written by hand (plaza.rows): every group page reads its group, and the ORM compiled
    # the statement each time. LOWER(handle) is the handle's unique index.
    sql = f"SELECT {rows.columns(Group, 'g')}"
    models: list[type[Model]] = [Group]
    if owner:
        sql += f", {rows.columns(Account, 'o')}"
        models.append(Account)
    sql += f" FROM {_t(Group)} g"
    if owner:
        sql += f" JOIN {_t(Account)} o ON o.id = g.owner_id"
    found = rows.fetch(sql + " WHERE LOWER(g.handle) = LOWER(%s)", [str(handle)], *models)
    if not found:
        return _known(viewer, None)
    group: Group = found[0][0]
    if owner:
        rows.cache_related(group, "owner", found[0][1])
    return _known(viewer, group)


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

    Empty for someone who may not read the group. The rule is the visibility rule of posts
    (:func:`posts.queries.visible_posts`) written out for this feed's rows (tests compare the
    two for many viewers on both databases). Two statements, who-to-leave-out and the page
    (the pinned threads with it), then :func:`posts.queries.load_related`'s few.
    """
    page = (page or PageRange()).clamp()
    screen = _Screen.of(viewer, group)
    if not screen.readable:
        return GroupFeed([], _finish([], page))
    first = page.max_id is None and page.since_id is None and page.min_id is None
    sql, params = _feed_sql(viewer, group, page, screen, first)
    found = rows.fetch(sql, params, Post)
    load_related([post for post, _ in found])
    pinned = sorted((p for p, is_pin in found if is_pin), key=_pk, reverse=True)
    stream = sorted((p for p, is_pin in found if not is_pin), key=_pk, reverse=not page.ascending)
    return GroupFeed(pinned, _finish(stream, page))


def _pk(post: Post) -> int:
    return int(post.pk)


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _marks(values: tuple[int, ...]) -> str:
    return ", ".join(["%s"] * len(values))


@dataclass(frozen=True)
class _Screen:
    """What the group feed's statement needs to know beforehand, read in one short query.

    The ORM's rule is a dozen subqueries, most of them about reshares, replies and other groups
    that a group's threads never are; PostgreSQL spent ~2 ms planning it for 0.8 ms running it.
    Read first as short lists (as the home feed's ``_Hidden`` does), the rest of the rule is a
    few plain conditions on the group's index.
    """

    readable: bool  # the group is public, or the viewer an active member (banned: no)
    # Authors none of whose posts the viewer sees: blocked either way, suspended, and limited
    # accounts the viewer neither is, follows nor is connected to.
    hidden: tuple[int, ...]
    pins: tuple[int, ...]  # the group's pinned posts

    @classmethod
    def of(cls, viewer: Account | None, group: Group) -> _Screen:
        account, grp = _t(Account), _t(Group)
        public = GroupVisibility.PUBLIC
        if viewer is None:
            sql = (
                f"SELECT 0, id FROM {account} WHERE suspended_at IS NOT NULL "
                f"UNION SELECT 0, id FROM {account} WHERE limited_at IS NOT NULL "
                f"UNION SELECT 1, post_id FROM {_t(GroupPin)} WHERE group_id = %s "
                f"UNION SELECT 2, id FROM {grp} WHERE id = %s AND visibility = %s"
            )
            params: list[Any] = [group.pk, group.pk, public]
        else:
            block, follow, conn = _t(Block), _t(Follow), _t(Connection)
            sql = (
                f"SELECT 0, target_id FROM {block} WHERE account_id = %s "
                f"UNION SELECT 0, account_id FROM {block} WHERE target_id = %s "
                f"UNION SELECT 0, id FROM {account} WHERE suspended_at IS NOT NULL "
                f"UNION SELECT 0, id FROM {account} WHERE limited_at IS NOT NULL AND id <> %s "
                f"AND id NOT IN (SELECT target_id FROM {follow} WHERE follower_id = %s) "
                f"AND id NOT IN (SELECT other_id FROM {conn} WHERE account_id = %s) "
                f"UNION SELECT 1, post_id FROM {_t(GroupPin)} WHERE group_id = %s "
                f"UNION SELECT 2, id FROM {grp} WHERE id = %s AND (visibility = %s OR id IN "
                f"(SELECT group_id FROM {_t(Membership)} WHERE account_id = %s AND state = %s))"
            )
            v = viewer.pk
            params = [v, v, v, v, v, group.pk, group.pk, public, v, MemberState.ACTIVE]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return cls(
            readable=any(kind == 2 for kind, _ in rows),
            hidden=tuple(sorted({i for kind, i in rows if kind == 0})),
            pins=tuple(sorted(i for kind, i in rows if kind == 1)),
        )


def _feed_sql(
    viewer: Account | None, group: Group, page: PageRange, screen: _Screen, first: bool
) -> tuple[str, list[Any]]:
    """The page of the group's threads not pinned, and on the first page the pinned ones, in
    one statement, each row marked ``feed_pinned``.

    :func:`posts.queries.visible_posts` for a thread of a group the viewer may read: not a
    reshare (nothing carried), in a readable group (checked by :class:`_Screen`), so what is
    left is the post's audience and its author's standing.
    """
    post = _t(Post)
    columns = rows.columns(Post, "p")
    where = ["p.group_id = %s", "p.in_reply_to_id IS NULL", "p.reshare_of_id IS NULL"]
    params: list[Any] = [group.pk]
    if screen.hidden:
        where.append(f"p.author_id NOT IN ({_marks(screen.hidden)})")
        params += screen.hidden
    if viewer is None:
        where.append("p.visibility IN (%s, %s)")
        params += OPEN
    else:
        v = viewer.pk
        where.append(
            "(p.visibility IN (%s, %s) OR p.author_id = %s "
            f"OR (p.visibility = %s AND p.author_id IN "
            f"(SELECT target_id FROM {_t(Follow)} WHERE follower_id = %s)) "
            f"OR (p.visibility IN (%s, %s) AND p.author_id IN "
            f"(SELECT other_id FROM {_t(Connection)} WHERE account_id = %s)) "
            f"OR p.id IN (SELECT post_id FROM {_t(Mention)} WHERE account_id = %s))"
        )
        params += [*OPEN, v, Visibility.FOLLOWERS, v]
        params += [Visibility.FOLLOWERS, Visibility.CONNECTIONS, v, v]
    condition = " AND ".join(where)
    stream_where, stream_params = [condition], list(params)
    if screen.pins:
        stream_where.append(f"p.id NOT IN ({_marks(screen.pins)})")
        stream_params += screen.pins
    for bound, op in ((page.max_id, "<"), (page.since_id, ">"), (page.min_id, ">")):
        if bound is not None:
            stream_where.append(f"p.id {op} %s")
            stream_params.append(bound)
    stream = (
        f"SELECT {columns}, 0 AS feed_pinned FROM {post} p WHERE {' AND '.join(stream_where)} "
        f"ORDER BY p.id {'ASC' if page.ascending else 'DESC'} LIMIT %s"
    )
    stream_params.append(page.limit)
    if not (first and screen.pins):
        return stream, stream_params
    pinned = (
        f"SELECT {columns}, 1 AS feed_pinned FROM {post} p "
        f"WHERE {condition} AND p.id IN ({_marks(screen.pins)})"
    )
    return (
        f"SELECT * FROM ({pinned}) pinned UNION ALL SELECT * FROM ({stream}) stream",
        [*params, *screen.pins, *stream_params],
    )


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
