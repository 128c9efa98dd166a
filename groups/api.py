"""Native API: groups, membership, join requests, invitations, the group feed and posting.

Reads are viewer-scoped by :mod:`groups.queries` (a secret group is a 404 to outsiders, a
private group's feed and members are empty to them); writes go through :mod:`groups.actions`,
whose refusals answer 403/404/422 with the action's message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from accounts.api import AccountOut, to_account
from accounts.models import Account
from feeds.api import FeedIn, FeedPageOut, _range
from groups import actions, queries
from groups.models import Group, Membership
from plaza import ratelimit
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, page_key, parse_id, viewer_of
from plaza.errors import NotAllowed, NotFound
from posts.queries import get_post_for
from posts.schemas import PostOut, fresh_post, own_media, to_posts

router: Router = Router(auth=TokenAuth("statuses"))
PUBLIC = TokenAuth("statuses", optional=True)

GroupVisibilityName = Literal["public", "private", "secret"]
JoinPolicyName = Literal["open", "request", "invite"]


class GroupOut(Schema):
    id: str
    handle: str
    name: str
    description: str
    topics: list[str]
    rules: str
    cover_url: str | None
    visibility: GroupVisibilityName
    join_policy: JoinPolicyName
    questions: list[str]
    owner: AccountOut
    member_count: int
    created_at: datetime


class StandingOut(Schema):
    """How the caller stands with the group."""

    member: bool
    role: Literal["owner", "moderator", "member"] | None
    banned: bool
    requested: bool
    invited: bool
    follow_closely: bool


class GroupDetailOut(Schema):
    group: GroupOut
    standing: StandingOut


class GroupIn(InputSchema):
    name: str
    handle: str
    description: str = ""
    topics: list[str] = Field(default_factory=list)
    rules: str = ""
    visibility: GroupVisibilityName = "public"
    join_policy: JoinPolicyName = "open"
    questions: list[str] = Field(default_factory=list)


class GroupPatchIn(InputSchema):
    name: str | None = None
    description: str | None = None
    topics: list[str] | None = None
    rules: str | None = None
    visibility: GroupVisibilityName | None = None
    join_policy: JoinPolicyName | None = None
    questions: list[str] | None = None


class JoinIn(InputSchema):
    answers: list[str] = Field(default_factory=list, description="In the order of the questions")


class JoinOut(Schema):
    result: Literal["joined", "requested"]


class MemberOut(Schema):
    account: AccountOut
    role: Literal["owner", "moderator", "member"]
    state: Literal["active", "banned"]
    joined_at: datetime


class MemberPageOut(Schema):
    items: list[MemberOut]
    next_max_id: str | None


class JoinRequestOut(Schema):
    account: AccountOut
    answers: list[dict[str, str]]
    created_at: datetime


class GroupPostIn(InputSchema):
    text: str = ""
    content_warning: str = ""
    kind: Literal["discussion", "question", "announcement"] = "discussion"
    media_ids: list[str] = Field(default_factory=list)


class GroupFeedOut(FeedPageOut):
    pinned: list[PostOut]


class AccountRefIn(InputSchema):
    account_id: str


class ReasonIn(InputSchema):
    reason: str = Field(
        "", max_length=1000, description="Why, for the moderation audit log (optional)"
    )


class MembersIn(Schema):
    max_id: str | None = None
    limit: int = Field(40, ge=1, le=80)
    banned: bool = False


def to_group(group: Group) -> GroupOut:
    return GroupOut(
        id=str(group.pk),
        handle=group.handle,
        name=group.name,
        description=group.description,
        topics=list(group.topics or []),
        rules=group.rules,
        cover_url=group.cover.url if group.cover else None,
        visibility=group.visibility,  # type: ignore[arg-type]
        join_policy=group.join_policy,  # type: ignore[arg-type]
        questions=list(group.questions or []),
        owner=to_account(group.owner),
        member_count=group.member_count,
        created_at=group.created_at,
    )


def _detail(viewer: Account | None, group: Group) -> GroupDetailOut:
    me = queries.standing(viewer, group)
    return GroupDetailOut(
        group=to_group(group),
        standing=StandingOut(
            member=me.is_member,
            role=me.membership.role if me.is_member and me.membership else None,  # type: ignore[arg-type]
            banned=me.is_banned,
            requested=me.requested,
            invited=me.invited,
            follow_closely=me.follow_closely,
        ),
    )


def _group(request: HttpRequest, group_id: str) -> Group:
    return queries.get_group_by_id_for(viewer_of(request), parse_id(group_id, what="group"))


def _account(account_id: str) -> Account:
    account = Account.objects.filter(pk=parse_id(account_id, what="account")).first()
    if account is None:
        raise NotFound("No such account.")
    return account


def _fresh_group(request: HttpRequest, group: Group) -> GroupDetailOut:
    group = Group.objects.select_related("owner").get(pk=group.pk)
    return _detail(viewer_of(request), group)


@router.get("/groups", response={200: list[GroupOut], **ERRORS}, summary="Your groups")
def my_groups(request: HttpRequest) -> list[GroupOut]:
    memberships = queries.my_groups(account_of(request))
    owners = Account.objects.in_bulk({m.group.owner_id for m in memberships})
    for m in memberships:
        m.group.owner = owners[m.group.owner_id]
    return [to_group(m.group) for m in memberships]


@router.get(
    "/groups/discover",
    response={200: list[GroupOut], **ERRORS},
    auth=PUBLIC,
    summary="Public and private groups you are not in",
)
def discover(request: HttpRequest) -> list[GroupOut]:
    groups = queries.discover_groups(viewer_of(request))
    owners = Account.objects.in_bulk({g.owner_id for g in groups})
    for g in groups:
        g.owner = owners[g.owner_id]
    return [to_group(g) for g in groups]


@router.post("/groups", response={201: GroupDetailOut, **ERRORS}, summary="Create a group")
def create_group(request: HttpRequest, payload: GroupIn) -> Status[GroupDetailOut]:
    group = actions.create_group(account_of(request), **payload.dict())
    return Status(201, _fresh_group(request, group))


@router.get(
    "/groups/{group_id}", response={200: GroupDetailOut, **ERRORS}, auth=PUBLIC, summary="A group"
)
def get_group(request: HttpRequest, group_id: str) -> GroupDetailOut:
    return _detail(viewer_of(request), _group(request, group_id))


@router.patch("/groups/{group_id}", response={200: GroupDetailOut, **ERRORS})
def update_group(request: HttpRequest, group_id: str, payload: GroupPatchIn) -> GroupDetailOut:
    group = _group(request, group_id)
    values = {k: v for k, v in payload.dict().items() if v is not None}
    actions.update_group(account_of(request), group, **values)
    return _fresh_group(request, group)


@router.post(
    "/groups/{group_id}/cover",
    response={200: GroupDetailOut, **ERRORS},
    summary="Upload the group's cover image (moderators)",
    description="Multipart, field `file`: an image, checked and resized like a profile header.",
)
def upload_cover(request: HttpRequest, group_id: str, file: File[UploadedFile]) -> GroupDetailOut:
    group = _group(request, group_id)
    actions.update_group(account_of(request), group, cover=file)
    return _fresh_group(request, group)


@router.delete(
    "/groups/{group_id}/cover",
    response={200: GroupDetailOut, **ERRORS},
    summary="Remove the group's cover image (moderators)",
)
def remove_cover(request: HttpRequest, group_id: str) -> GroupDetailOut:
    group = _group(request, group_id)
    actions.remove_cover(account_of(request), group)
    return _fresh_group(request, group)


@router.delete("/groups/{group_id}", response={204: None, **ERRORS})
def delete_group(request: HttpRequest, group_id: str) -> Status[None]:
    actions.delete_group(account_of(request), _group(request, group_id))
    return Status(204, None)


@router.post("/groups/{group_id}/join", response={200: JoinOut, **ERRORS})
def join(request: HttpRequest, group_id: str, payload: JoinIn | None = None) -> JoinOut:
    group = _group(request, group_id)
    result = actions.join(account_of(request), group, answers=payload.answers if payload else [])
    return JoinOut(result=result)  # type: ignore[arg-type]


@router.post("/groups/{group_id}/leave", response={204: None, **ERRORS})
def leave(request: HttpRequest, group_id: str) -> Status[None]:
    actions.leave(account_of(request), _group(request, group_id))
    return Status(204, None)


@router.delete("/groups/{group_id}/join", response={204: None, **ERRORS})
def cancel_request(request: HttpRequest, group_id: str) -> Status[None]:
    actions.cancel_request(account_of(request), _group(request, group_id))
    return Status(204, None)


@router.post(
    "/groups/{group_id}/follow-closely",
    response={200: GroupDetailOut, **ERRORS},
    summary="Follow the group closely: a notification for every new thread (members)",
)
def follow_closely(request: HttpRequest, group_id: str) -> GroupDetailOut:
    group = _group(request, group_id)
    actions.set_follow_closely(account_of(request), group, True)
    return _fresh_group(request, group)


@router.delete(
    "/groups/{group_id}/follow-closely",
    response={200: GroupDetailOut, **ERRORS},
    summary="Stop following the group closely",
)
def unfollow_closely(request: HttpRequest, group_id: str) -> GroupDetailOut:
    group = _group(request, group_id)
    actions.set_follow_closely(account_of(request), group, False)
    return _fresh_group(request, group)


@router.get("/groups/{group_id}/requests", response={200: list[JoinRequestOut], **ERRORS})
def join_requests(request: HttpRequest, group_id: str) -> list[JoinRequestOut]:
    group = _group(request, group_id)
    if not queries.standing(account_of(request), group).is_moderator:
        raise NotAllowed("Only this group's moderators can do that.")
    return [
        JoinRequestOut(account=to_account(r.account), answers=r.answers, created_at=r.created_at)
        for r in queries.pending_requests(group)
    ]


@router.post("/groups/{group_id}/requests/{account_id}/approve", response={204: None, **ERRORS})
def approve(request: HttpRequest, group_id: str, account_id: str) -> Status[None]:
    group = _group(request, group_id)
    actions.approve_request(account_of(request), group, parse_id(account_id, what="account"))
    return Status(204, None)


@router.post("/groups/{group_id}/requests/{account_id}/decline", response={204: None, **ERRORS})
def decline(request: HttpRequest, group_id: str, account_id: str) -> Status[None]:
    group = _group(request, group_id)
    actions.decline_request(account_of(request), group, parse_id(account_id, what="account"))
    return Status(204, None)


@router.post("/groups/{group_id}/invitations", response={204: None, **ERRORS})
def invite(request: HttpRequest, group_id: str, payload: AccountRefIn) -> Status[None]:
    group = _group(request, group_id)
    actions.invite(account_of(request), group, _account(payload.account_id))
    return Status(204, None)


@router.post("/groups/{group_id}/invitation/accept", response={204: None, **ERRORS})
def accept_invite(request: HttpRequest, group_id: str) -> Status[None]:
    actions.accept_invite(account_of(request), _group(request, group_id))
    return Status(204, None)


@router.post("/groups/{group_id}/invitation/decline", response={204: None, **ERRORS})
def decline_invite(request: HttpRequest, group_id: str) -> Status[None]:
    actions.decline_invite(account_of(request), _group(request, group_id))
    return Status(204, None)


@router.get("/groups/{group_id}/members", response={200: MemberPageOut, **ERRORS}, auth=PUBLIC)
def members(request: HttpRequest, group_id: str, page: Query[MembersIn]) -> MemberPageOut:
    viewer = viewer_of(request)
    group = _group(request, group_id)
    banned = page.banned and queries.standing(viewer, group).is_moderator
    result = queries.members_page(
        viewer, group, max_id=page_key(page.max_id), limit=page.limit, banned=banned
    )
    return MemberPageOut(items=[_member(m) for m in result.items], next_max_id=_key(result))


def _member(m: Membership) -> MemberOut:
    return MemberOut(
        account=to_account(m.account),
        role=m.role,  # type: ignore[arg-type]
        state=m.state,  # type: ignore[arg-type]
        joined_at=m.created_at,
    )


def _key(page: object) -> str | None:
    value = getattr(page, "next_max_id", None)
    return str(value) if value is not None else None


MemberAction = Literal["remove", "ban", "unban", "promote", "demote", "transfer"]


@router.post("/groups/{group_id}/members/{account_id}/{action}", response={204: None, **ERRORS})
def member_action(
    request: HttpRequest,
    group_id: str,
    account_id: str,
    action: MemberAction,
    payload: ReasonIn | None = None,
) -> Status[None]:
    """Moderate a member. Remove, ban and unban go into the moderation audit log with the
    body's optional ``reason``."""
    group = _group(request, group_id)
    me, target = account_of(request), _account(account_id)
    reason = payload.reason if payload else ""
    if action == "remove":
        actions.remove_member(me, group, target, reason=reason)
    elif action == "ban":
        actions.ban(me, group, target, reason=reason)
    elif action == "unban":
        actions.unban(me, group, target, reason=reason)
    else:
        {
            "promote": actions.promote,
            "demote": actions.demote,
            "transfer": actions.transfer_ownership,
        }[action](me, group, target)
    return Status(204, None)


@router.get("/groups/{group_id}/feed", response={200: GroupFeedOut, **ERRORS}, auth=PUBLIC)
def feed(request: HttpRequest, group_id: str, page: Query[FeedIn]) -> GroupFeedOut:
    viewer = viewer_of(request)
    group = _group(request, group_id)
    result = queries.group_feed(viewer, group, _range(page))
    return GroupFeedOut(
        items=to_posts(viewer, result.page.posts),
        pinned=to_posts(viewer, result.pinned),
        next_max_id=str(result.page.next_max_id) if result.page.next_max_id else None,
        prev_min_id=str(result.page.prev_min_id) if result.page.prev_min_id else None,
    )


@router.post("/groups/{group_id}/posts", response={201: PostOut, **ERRORS})
def create_post(request: HttpRequest, group_id: str, payload: GroupPostIn) -> Status[PostOut]:
    from posts.actions import publish

    viewer = account_of(request)
    group = _group(request, group_id)
    ratelimit.hit("post", viewer)
    post = publish(
        viewer,
        text=payload.text,
        content_warning=payload.content_warning,
        media=own_media(viewer, payload.media_ids),
        group=group,
        group_kind=payload.kind,
    )
    return Status(201, fresh_post(viewer, post.pk))


PostAction = Literal["pin", "unpin", "answered", "unanswered", "remove"]


@router.post("/groups/{group_id}/posts/{post_id}/{action}", response={204: None, **ERRORS})
def post_action(
    request: HttpRequest,
    group_id: str,
    post_id: str,
    action: PostAction,
    payload: ReasonIn | None = None,
) -> Status[None]:
    """Pin or unpin a thread, remove a post (moderators; logged with the body's optional
    ``reason``), or mark one's own question answered or not."""
    viewer = account_of(request)
    group = _group(request, group_id)
    post = get_post_for(viewer, parse_id(post_id, what="post"))
    if action == "pin":
        actions.pin_post(viewer, group, post)
    elif action == "unpin":
        actions.unpin_post(viewer, group, post)
    elif action == "remove":
        actions.remove_post(viewer, group, post, reason=payload.reason if payload else "")
    else:
        if post.group_id != group.pk:
            raise NotFound("This post is not in this group.")
        actions.mark_answered(viewer, post, answered=action == "answered")
    return Status(204, None)
