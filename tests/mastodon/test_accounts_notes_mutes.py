"""Mastodon API: private notes (POST /accounts/:id/note) and timed mutes (duration)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from network.models import AccountNote, Mute
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_note_round_trip(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    api = api_for(ana)
    response = api.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "top ebayer"})
    assert response.status_code == 200
    assert response.json()["note"] == "top ebayer"
    rel = api.get(f"/api/v1/accounts/relationships?id[]={bob.pk}").json()[0]
    assert rel["note"] == "top ebayer"
    # bob never sees ana's note about him
    assert api_for(bob).get(f"/api/v1/accounts/relationships?id[]={ana.pk}").json()[0]["note"] == ""
    assert api.post_json(f"/api/v1/accounts/{bob.pk}/note", {}).json()["note"] == ""
    assert not AccountNote.objects.exists()


def test_note_bad_input(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    api = api_for(ana)
    assert api.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "x" * 2001}).status_code == 422
    assert api.post(f"/api/v1/accounts/{ana.pk}/note", {"comment": "me"}).status_code == 422
    assert api.post("/api/v1/accounts/4242/note", {"comment": "x"}).status_code == 404
    assert (
        api.post_json(f"/api/v1/accounts/{bob.pk}/note", {"comment": {"a": 1}}).status_code == 422
    )
    assert (
        api_for(ana, scopes="read")
        .post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "x"})
        .status_code
        == 403
    )
    assert not AccountNote.objects.exists()


def test_timed_mute(api_for: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    api = api_for(ana)
    response = api.post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": "3600"})
    assert response.status_code == 200
    body = response.json()
    assert body["muting"] is True and body["plaza"]["mute_expires_at"].endswith("Z")
    mutes = api.get("/api/v1/mutes").json()
    assert [m["id"] for m in mutes] == [str(bob.pk)]
    assert mutes[0]["mute_expires_at"] == body["plaza"]["mute_expires_at"]
    Mute.all_objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    rel = api.get(f"/api/v1/accounts/relationships?id[]={bob.pk}").json()[0]
    assert rel["muting"] is False
    assert api.get("/api/v1/mutes").json() == []
    # indefinite: duration 0 or absent
    api.post_json(f"/api/v1/accounts/{bob.pk}/mute", {"duration": 0, "notifications": False})
    mutes = api.get("/api/v1/mutes").json()
    assert mutes[0]["mute_expires_at"] is None
    assert api.post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": "-1"}).status_code == 422
    assert api.post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": "soon"}).status_code == 422
