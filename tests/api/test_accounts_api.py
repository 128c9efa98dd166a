"""The caller's own account and account look-ups through the native API."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from network import actions as network
from tests.factories import make_account
from tests.posts.helpers import image_bytes

V1 = "/api/plaza/v1"


def test_me_shows_private_settings(api_for: Any) -> None:
    me = api_for(make_account("ana")).get(f"{V1}/me").json()
    assert me["username"] == "ana"
    assert me["email"] == "ana@example.test"
    assert me["time_zone"] == "UTC" and me["default_visibility"] == "public"


def test_update_profile(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    response = client.patch_json(
        f"{V1}/me",
        {"display_name": "Ana L.", "bio": "Hi https://example.com", "interests": ["#Python"]},
    )
    assert response.status_code == 200
    me = response.json()
    assert me["display_name"] == "Ana L." and me["interests"] == ["python"]
    assert "<a" in me["bio_html"]
    assert me["location"] == ""  # untouched fields stay


def test_update_profile_refuses_bad_input_and_writes_nothing(api_for: Any) -> None:
    ana = make_account("ana")
    client = api_for(ana)
    response = client.patch_json(f"{V1}/me", {"display_name": "x" * 81, "location": "Paris"})
    assert response.status_code == 422
    assert "display_name" in response.json()["error"]
    ana.refresh_from_db()
    assert ana.location == ""
    assert client.patch_json(f"{V1}/me", {"website": "not a url"}).status_code == 422
    assert client.patch_json(f"{V1}/me", {"interests": "python"}).status_code == 422


def test_update_settings(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    response = client.patch_json(
        f"{V1}/me/settings",
        {"locked": True, "default_visibility": "connections", "time_zone": "Europe/Paris"},
    )
    me = response.json()
    assert me["locked"] is True and me["default_visibility"] == "connections"
    assert me["time_zone"] == "Europe/Paris"
    assert client.patch_json(f"{V1}/me/settings", {"time_zone": "Mars/Base"}).status_code == 422
    bad = client.patch_json(f"{V1}/me/settings", {"default_visibility": "world"})
    assert bad.status_code == 422


def test_avatar_upload_and_removal(api_for: Any) -> None:
    client = api_for(make_account("ana"))
    upload = SimpleUploadedFile("me.png", image_bytes((500, 500), "PNG"), "image/png")
    me = client.post(f"{V1}/me/avatar", {"file": upload}).json()
    assert me["avatar_url"]
    assert client.delete(f"{V1}/me/avatar").json()["avatar_url"] is None
    junk = SimpleUploadedFile("me.png", b"junk", "image/png")
    assert client.post(f"{V1}/me/header", {"file": junk}).status_code == 422


def test_get_account_by_id_and_username(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    network.follow(ana, bob)
    detail = api_for(ana).get(f"{V1}/accounts/{bob.pk}").json()
    assert detail["account"]["username"] == "bob"
    assert detail["relationship"]["following"] is True
    by_name = api_for(False).get(f"{V1}/accounts/by-username/@BOB").json()
    assert by_name["account"]["id"] == str(bob.pk)
    assert by_name["relationship"]["following"] is False
    assert api_for(False).get(f"{V1}/accounts/by-username/nobody").status_code == 404
