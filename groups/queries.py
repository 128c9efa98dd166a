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
from posts.queries import Page, _keyset, visible_posts, with_related

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
    group = (
        visible_groups(viewer).filter(handle__iexact=str(handle)).select_related("owner").first()
    )
    if group is None:
        raise NotFound(NOT_FOUND)
    return group


def get_group_by_id_for(viewer: Account | None, group_id: int) -> Group:
    """As :func:`get_group_for`, by id (the API)."""
    group = visible_groups(viewer).filter(pk=group_id).select_related("owner").first()
    if group is None:
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
    this cannot disagree with any other path).
    """
    page = (page or PageRange()).clamp()
    pins = GroupPin.objects.filter(group=group, post=OuterRef("pk"))
    threads = visible_posts(viewer).filter(
        group=group, in_reply_to__isnull=True, reshare_of__isnull=True
    )
    pinned: list[Post] = []
    first = page.max_id is None and page.since_id is None and page.min_id is None
    if first:
        pinned = list(with_related(threads.filter(Exists(pins)).order_by("-id")))
    qs = _apply_range(threads.exclude(Exists(pins)), "id", page).order_by(_order("id", page))
    return GroupFeed(pinned, _finish(list(with_related(qs)[: page.limit]), page))


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
