"""Native API: the caller's own profile and settings, and looking accounts up.

Writes go through :mod:`accounts.actions` (the same validation as the web forms); a refused
field answers 422 with the action's message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from accounts import actions
from accounts.models import Account
from accounts.queries import get_account_by_username
from mastodon.api import absolute_url
from network.queries import is_blocked_either_way, relationship
from plaza.api import ERRORS, InputSchema, TokenAuth, account_of, parse_id, viewer_of
from plaza.errors import NotFound

router: Router = Router(auth=TokenAuth("accounts"))
PUBLIC = TokenAuth("accounts", optional=True)

# Mirrors accounts.models.Visibility (a test keeps them equal).
VisibilityName = Literal["public", "unlisted", "followers", "connections", "direct"]


class AccountOut(Schema):
    """A person or an organization, as everyone may see it."""

    id: str
    username: str
    display_name: str
    kind: Literal["person", "organization"]
    url: str
    bio: str
    bio_html: str
    avatar_url: str | None
    avatar_description: str
    header_url: str | None
    header_description: str
    location: str
    website: str
    interests: list[str]
    locked: bool
    discoverable: bool
    hide_network: bool
    followers_count: int
    following_count: int
    connections_count: int
    posts_count: int
    created_at: datetime
    last_posted_at: datetime | None


class RelationshipOut(Schema):
    """How the caller relates to an account (all false for an anonymous caller)."""

    id: str
    following: bool
    followed_by: bool
    follow_requested: bool
    follow_requested_by: bool
    connected: bool
    connection_requested: bool
    connection_requested_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    is_self: bool
    notifying: bool


class AccountDetailOut(Schema):
    account: AccountOut
    relationship: RelationshipOut


class MeOut(AccountOut):
    """The caller's own account, with its private settings."""

    email: str
    time_zone: str
    default_visibility: VisibilityName


class ProfileIn(InputSchema):
    """Profile fields to change; fields left out stay as they are."""

    display_name: str | None = None
    bio: str | None = None
    location: str | None = None
    website: str | None = None
    interests: list[str] | None = None
    avatar_description: str | None = Field(None, description="Alt text of the profile picture")
    header_description: str | None = Field(None, description="Alt text of the header image")


class SettingsIn(InputSchema):
    """Privacy and preferences to change; fields left out stay as they are."""

    locked: bool | None = None
    discoverable: bool | None = None
    hide_network: bool | None = None
    default_visibility: VisibilityName | None = None
    time_zone: str | None = None


def to_account(acc: Account) -> AccountOut:
    return AccountOut(
        id=str(acc.pk),
        username=acc.username,
        display_name=acc.display_name,
        kind=acc.kind,  # type: ignore[arg-type]
        url=absolute_url(f"/@{acc.username}"),
        bio=acc.bio,
        bio_html=acc.bio_html,
        avatar_url=absolute_url(acc.avatar.url) if acc.avatar else None,
        avatar_description=acc.avatar_description,
        header_url=absolute_url(acc.header.url) if acc.header else None,
        header_description=acc.header_description,
        location=acc.location,
        website=acc.website,
        interests=list(acc.interests or []),
        locked=acc.locked,
        discoverable=acc.discoverable,
        hide_network=acc.hide_network,
        followers_count=acc.followers_count,
        following_count=acc.following_count,
        connections_count=acc.connections_count,
        posts_count=acc.posts_count,
        created_at=acc.created_at,
        last_posted_at=acc.last_posted_at,
    )


def to_me(acc: Account) -> MeOut:
    return MeOut(
        **to_account(acc).model_dump(),
        email=acc.user.email,
        time_zone=acc.user.time_zone,
        default_visibility=acc.default_visibility,  # type: ignore[arg-type]
    )


def to_relationship(viewer: Account | None, target: Account) -> RelationshipOut:
    rel = relationship(viewer, target)
    return RelationshipOut(id=str(target.pk), **rel.__dict__)


def lookup_account(account_id: str) -> Account:
    """The account with this id, whoever is asking (for actions such as unblock)."""
    account = (
        Account.objects.select_related("user")
        .filter(pk=parse_id(account_id, what="account"))
        .first()
    )
    if account is None:
        raise NotFound("No such account.")
    return account


def visible_account(viewer: Account | None, account_id: str) -> Account:
    """The account, unless it and the viewer block each other (then it does not exist)."""
    account = lookup_account(account_id)
    if viewer is not None and viewer.pk != account.pk and is_blocked_either_way(viewer, account):
        raise NotFound("No such account.")
    return account


def _detail(viewer: Account | None, account: Account) -> AccountDetailOut:
    return AccountDetailOut(
        account=to_account(account), relationship=to_relationship(viewer, account)
    )


# --- me -------------------------------------------------------------------------------------


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Your own account")
def me(request: HttpRequest) -> MeOut:
    return to_me(account_of(request))


@router.patch("/me", response={200: MeOut, **ERRORS}, summary="Update your profile")
def update_profile(request: HttpRequest, payload: ProfileIn) -> MeOut:
    account = actions.update_profile(account_of(request), **payload.model_dump(exclude_unset=True))
    return to_me(account)


@router.patch("/me/settings", response={200: MeOut, **ERRORS}, summary="Update your settings")
def update_settings(request: HttpRequest, payload: SettingsIn) -> MeOut:
    fields = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return to_me(actions.update_settings(account_of(request), **fields))


@router.post("/me/avatar", response={200: MeOut, **ERRORS}, summary="Upload your avatar")
def upload_avatar(request: HttpRequest, file: File[UploadedFile]) -> MeOut:
    return to_me(actions.update_profile(account_of(request), avatar=file))


@router.delete("/me/avatar", response={200: MeOut, **ERRORS}, summary="Remove your avatar")
def remove_avatar(request: HttpRequest) -> MeOut:
    return to_me(actions.update_profile(account_of(request), remove_avatar=True))


@router.post("/me/header", response={200: MeOut, **ERRORS}, summary="Upload your header image")
def upload_header(request: HttpRequest, file: File[UploadedFile]) -> MeOut:
    return to_me(actions.update_profile(account_of(request), header=file))


@router.delete("/me/header", response={200: MeOut, **ERRORS}, summary="Remove your header")
def remove_header(request: HttpRequest) -> MeOut:
    return to_me(actions.update_profile(account_of(request), remove_header=True))


# --- accounts -------------------------------------------------------------------------------


@router.get(
    "/accounts/{account_id}",
    response={200: AccountDetailOut, **ERRORS},
    auth=PUBLIC,
    summary="An account and your relationship to it",
)
def get_account(request: HttpRequest, account_id: str) -> AccountDetailOut:
    viewer = viewer_of(request)
    return _detail(viewer, visible_account(viewer, account_id))


@router.get(
    "/accounts/by-username/{username}",
    response={200: AccountDetailOut, **ERRORS},
    auth=PUBLIC,
    summary="Look an account up by username",
)
def get_account_by_name(request: HttpRequest, username: str) -> AccountDetailOut:
    viewer = viewer_of(request)
    found = get_account_by_username(username)
    if found is None:
        raise NotFound("No such account.")
    return _detail(viewer, visible_account(viewer, str(found.pk)))


__all__ = [
    "AccountOut",
    "RelationshipOut",
    "lookup_account",
    "router",
    "to_account",
    "to_relationship",
    "visible_account",
]
