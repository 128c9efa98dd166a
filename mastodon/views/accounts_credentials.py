"""Mastodon API: the signed-in account — verify_credentials, update_credentials (profile,
avatar and header, profile ``fields``, settings) and preferences.

Where Plaza differs from Mastodon: ``source[sensitive]``, ``source[language]`` and ``bot``
are checked and not stored (Plaza has no such settings yet).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.urls import URLPattern, URLResolver, path

from accounts import actions as account_actions
from accounts.actions import MAX_PROFILE_FIELDS
from accounts.models import Visibility
from mastodon.api import ApiError, ApiRequest, InputData, endpoint
from mastodon.entities.accounts import MASTODON_VISIBILITY, credential_account
from mastodon.views.accounts import A, _me

# Mastodon's ``source[privacy]`` values (and Plaza's own) → Plaza visibility.
PRIVACY_TO_VISIBILITY: dict[str, Visibility] = {
    "public": Visibility.PUBLIC,
    "unlisted": Visibility.UNLISTED,
    "private": Visibility.FOLLOWERS,
    "followers": Visibility.FOLLOWERS,
    "connections": Visibility.CONNECTIONS,
}


@endpoint("GET", scope="profile")
def verify_credentials(request: ApiRequest) -> Any:
    return credential_account(_me(request))


def _profile_fields(data: InputData) -> list[tuple[str, str]] | None:
    """``fields_attributes`` as (name, value) pairs in the order sent; None when absent.

    Clients send a JSON object keyed by index, a JSON list, or form keys like
    ``fields_attributes[0][name]`` (or ``fields_attributes[][name]``).
    """
    raw = data.raw("fields_attributes")
    items: list[Any] = []
    if isinstance(raw, list):
        items = raw
    elif isinstance(raw, dict):
        items = list(raw.values())
    else:
        nested = data.object("fields_attributes")
        if not nested and raw is None:
            return None
        grouped: dict[str, dict[str, Any]] = {}
        for key, value in nested.items():
            match = re.fullmatch(r"([^\]]*)\]\[(name|value)", key)
            if match:
                grouped.setdefault(match[1], {})[match[2]] = value
        for index, pair in grouped.items():
            names, values = pair.get("name", ""), pair.get("value", "")
            if index == "" and isinstance(names, list):  # fields_attributes[][name]=...
                values = values if isinstance(values, list) else [values]
                items += [{"name": n, "value": v} for n, v in zip(names, values, strict=False)]
            else:
                items.append(pair)
    fields = []
    for item in items:
        if not isinstance(item, dict):
            raise ApiError("fields_attributes must hold objects with name and value", 422)
        name, value = item.get("name", ""), item.get("value", "")
        if isinstance(name, list):
            name = name[0] if name else ""
        if isinstance(value, list):
            value = value[0] if value else ""
        if not isinstance(name, str) or not isinstance(value, str):
            raise ApiError("Profile field names and values must be strings", 422)
        fields.append((name.strip(), value.strip()))
    if len([f for f in fields if f != ("", "")]) > MAX_PROFILE_FIELDS:
        raise ApiError(f"A profile has at most {MAX_PROFILE_FIELDS} fields", 422)
    return fields


def _upload(data: InputData, key: str) -> Any:
    upload = data.files.get(key)
    if upload is None and data.has(key) and data.string(key):
        raise ApiError(f"{key} must be an uploaded image file (multipart/form-data)", 422)
    return upload


@endpoint("PATCH", "PUT", "POST", scope="write:accounts")
def update_credentials(request: ApiRequest) -> Any:
    me = _me(request)
    data = request.data
    source = data.object("source")
    # Read and check every input before anything is written.
    profile: dict[str, Any] = {
        "display_name": data.string("display_name"),
        "bio": data.string("note"),
        "avatar": _upload(data, "avatar"),
        "header": _upload(data, "header"),
        "avatar_description": data.string("avatar_description"),
        "header_description": data.string("header_description"),
    }
    fields = _profile_fields(data)
    if fields is not None:
        profile["fields"] = fields
    discoverable = data.boolean("discoverable")
    indexable = data.boolean("indexable")  # Mastodon 4.2's "posts searchable": same switch here
    settings: dict[str, Any] = {
        "locked": data.boolean("locked"),
        "discoverable": discoverable if discoverable is not None else indexable,
        "hide_network": data.boolean("hide_collections"),
    }
    privacy = source.get("privacy")
    if privacy not in (None, ""):
        if not isinstance(privacy, str) or privacy not in PRIVACY_TO_VISIBILITY:
            raise ApiError("source[privacy] must be public, unlisted or private", 422)
        settings["default_visibility"] = PRIVACY_TO_VISIBILITY[privacy]
    language = InputData(source).string("language")
    if language is not None:
        settings["default_language"] = language  # checked by update_settings
    # Plaza has no per-account "sensitive" default: checked, then not stored.
    InputData(source).boolean("sensitive")
    data.boolean("bot")
    with transaction.atomic():
        account_actions.update_profile(me, **profile)
        account_actions.update_settings(me, **settings)
    return credential_account(me)


@endpoint("GET", scope="read:accounts")
def preferences(request: ApiRequest) -> Any:
    me = _me(request)
    visibility = Visibility(me.default_visibility)
    return {
        "posting:default:visibility": MASTODON_VISIBILITY[visibility],
        "posting:default:sensitive": False,
        "posting:default:language": me.default_language or None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
        "plaza:posting:default:visibility": visibility.value,
    }


urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{A}/verify_credentials", verify_credentials),
    path(f"{A}/update_credentials", update_credentials),
    path("api/v1/preferences", preferences),
]
