"""The Account, CredentialAccount and Relationship entities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.utils.html import escape

from accounts.bio import render_field_value
from accounts.models import Account, AccountKind, Visibility
from mastodon.api import absolute_url
from network.models import FollowRequest
from network.queries import (
    Relationship,
    RelationshipDetails,
    relationship_details,
    relationships,
)

# Plaza's visibilities as Mastodon clients know them; the real one travels in "plaza".
MASTODON_VISIBILITY = {
    Visibility.PUBLIC: "public",
    Visibility.UNLISTED: "unlisted",
    Visibility.FOLLOWERS: "private",
    Visibility.CONNECTIONS: "private",
    Visibility.DIRECT: "direct",
}
DEFAULT_AVATAR = "/static/img/avatar-missing.png"
DEFAULT_HEADER = "/static/img/header-missing.png"


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso(value: dt.datetime | None) -> str | None:
    """A datetime as Mastodon writes it: UTC, milliseconds, ``Z``."""
    return _iso(value)


def profile_url(account: Account) -> str:
    return absolute_url(f"/@{account.username}")


def _profile_fields(acc: Account) -> list[dict[str, str]]:
    """The account's profile fields; without any, its website and location stand in (the
    web profile's own two fields), so Mastodon clients still see them."""
    if acc.fields:
        return list(acc.fields)
    legacy = []
    if acc.website:
        link = render_field_value(acc.website)
        legacy.append({"name": "Website", "value": acc.website, "value_html": link})
    if acc.location:
        legacy.append(
            {"name": "Location", "value": acc.location, "value_html": escape(acc.location)}
        )
    return legacy


def account(acc: Account) -> dict[str, Any]:
    """The Account entity."""
    avatar = absolute_url(acc.avatar.url) if acc.avatar else absolute_url(DEFAULT_AVATAR)
    header = absolute_url(acc.header.url) if acc.header else absolute_url(DEFAULT_HEADER)
    created = acc.created_at.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    fields = [
        {"name": f["name"], "value": f["value_html"], "verified_at": None}
        for f in _profile_fields(acc)
    ]
    return {
        "id": str(acc.pk),
        "username": acc.username,
        "acct": acc.username,
        "url": profile_url(acc),
        "uri": profile_url(acc),
        "display_name": acc.display_name,
        "note": acc.bio_html,
        "avatar": avatar,
        "avatar_static": avatar,
        "avatar_description": acc.avatar_description if acc.avatar else "",
        "header": header,
        "header_static": header,
        "header_description": acc.header_description if acc.header else "",
        "locked": acc.locked,
        "fields": fields,
        "emojis": [],
        "bot": False,
        "group": False,
        "discoverable": acc.discoverable,
        "indexable": acc.discoverable,
        "noindex": not acc.discoverable,
        "hide_collections": acc.hide_network,
        "created_at": _iso(created),
        "last_status_at": acc.last_posted_at.date().isoformat() if acc.last_posted_at else None,
        "statuses_count": acc.posts_count,
        "followers_count": acc.followers_count,
        "following_count": acc.following_count,
        "roles": [],
        "plaza": {
            "kind": acc.kind,
            "connections_count": acc.connections_count,
            "interests": list(acc.interests or []),
            "is_organization": acc.kind == AccountKind.ORGANIZATION,
        },
    }


def credential_account(acc: Account) -> dict[str, Any]:
    """The CredentialAccount entity: the Account plus ``source`` and ``role``."""
    data = account(acc)
    data["source"] = {
        "privacy": MASTODON_VISIBILITY[Visibility(acc.default_visibility)],
        "sensitive": False,
        "language": acc.default_language,
        "note": acc.bio,
        "fields": [
            {"name": f["name"], "value": f["value"], "verified_at": None}
            for f in _profile_fields(acc)
        ],
        "follow_requests_count": FollowRequest.objects.filter(target=acc).count(),
        "hide_collections": acc.hide_network,
        "discoverable": acc.discoverable,
        "indexable": acc.discoverable,
        "plaza": {"default_visibility": acc.default_visibility},
    }
    user = acc.user
    data["role"] = {
        "id": "1" if user.is_staff else "-99",
        "name": "Admin" if user.is_superuser else "Moderator" if user.is_staff else "",
        "permissions": "1" if user.is_superuser else "0",
        "color": "",
        "highlighted": user.is_staff,
    }
    return data


def relationship(
    target_id: int, rel: Relationship, details: RelationshipDetails | None = None
) -> dict[str, Any]:
    """The Relationship entity. ``details`` (follow and mute options, endorsement) come from
    :func:`network.queries.relationship_details`; without them the options read as defaults."""
    details = details or RelationshipDetails()
    follows = rel.following or rel.follow_requested
    data: dict[str, Any] = {
        "id": str(target_id),
        "following": rel.following,
        "showing_reblogs": follows and details.show_reshares,
        "notifying": follows and details.notify,
        "languages": None,
        "followed_by": rel.followed_by,
        "blocking": rel.blocking,
        "blocked_by": rel.blocked_by,
        "muting": rel.muting,
        "muting_notifications": rel.muting and details.mute_notifications,
        "requested": rel.follow_requested,
        "requested_by": rel.follow_requested_by,
        "domain_blocking": False,
        "endorsed": details.endorsed,
        "note": details.note,
        "plaza": {
            "connected": rel.connected,
            "connection_requested": rel.connection_requested,
            "connection_requested_by": rel.connection_requested_by,
        },
    }
    if rel.muting:  # when the mute ends (null: until unmuted), as MutedAccount says it
        data["plaza"]["mute_expires_at"] = _iso(details.mute_expires_at)
    return data


def relationships_for(viewer: Account, targets: Sequence[Account | int]) -> list[dict[str, Any]]:
    """Relationship entities for ``targets``, in order, in a fixed number of queries."""
    rels = relationships(viewer, targets)
    details = relationship_details(viewer, targets)
    ids = [t if isinstance(t, int) else t.pk for t in targets]
    return [relationship(i, rels[i], details[i]) for i in ids]


def accounts(accs: Iterable[Account]) -> list[dict[str, Any]]:
    return [account(a) for a in accs]


def instance_domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.PLAZA.public_url).netloc
