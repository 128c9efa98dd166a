"""Describing one's profile picture and header image (alt text)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_account
from tests.posts.helpers import jpeg_upload

pytestmark = pytest.mark.django_db


def test_image_descriptions_on_the_web_and_both_apis(client, api_for: Any) -> None:
    """Alt text for the profile picture and the header image: the edit form (errors keep
    what was typed, nothing half-saved), the profile page, Mastodon and native APIs."""
    ana = make_account("ana")
    client.force_login(ana.user)
    r = client.post(
        "/settings/profile",
        {
            "display_name": "Ana",
            "avatar": jpeg_upload((500, 500)),
            "avatar_description": "Ana on a mountain trail",
            "header_description": "x" * 1501,
        },
    )
    assert r.status_code == 400  # too long: nothing saved, what was typed is kept
    assert "Ana on a mountain trail" in r.content.decode()
    ana.refresh_from_db()
    assert not ana.avatar and ana.avatar_description == ""
    r = client.post(
        "/settings/profile",
        {
            "display_name": "Ana",
            "avatar": jpeg_upload((500, 500)),
            "avatar_description": "Ana on a mountain trail",
        },
    )
    assert r.status_code == 302
    profile = client.get("/@ana").content.decode()
    assert 'alt="Ana on a mountain trail"' in profile
    api = api_for(ana)
    assert api.get(f"/api/v1/accounts/{ana.pk}").json()["avatar_description"] == (
        "Ana on a mountain trail"
    )
    r = api.patch_json("/api/v1/accounts/update_credentials", {"header_description": "A calm sea"})
    assert r.status_code == 200 and r.json()["header_description"] == ""  # no header yet
    ana.refresh_from_db()
    assert ana.header_description == "A calm sea"
    r = api.patch_json("/api/plaza/v1/me", {"avatar_description": "Ana, smiling"})
    assert r.status_code == 200 and r.json()["avatar_description"] == "Ana, smiling"


def test_a_new_or_removed_picture_drops_the_old_description() -> None:
    from accounts import actions

    ana = make_account("ana")
    actions.update_profile(ana, avatar=jpeg_upload((300, 300)), avatar_description="Ana, 2019")
    actions.update_profile(ana, avatar=jpeg_upload((300, 300)))  # a new picture, no words
    assert ana.avatar_description == ""
    actions.update_profile(ana, avatar=jpeg_upload((300, 300)), avatar_description="Ana, 2026")
    actions.update_profile(ana, display_name="Ana")  # the picture stays: so does its text
    assert ana.avatar_description == "Ana, 2026"
    actions.update_profile(ana, remove_avatar=True)
    ana.refresh_from_db()
    assert not ana.avatar and ana.avatar_description == ""
