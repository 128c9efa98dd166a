"""Lists through the native API (every answer checked against the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

import pytest

from lists.models import List
from network.actions import follow
from posts.actions import publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db
V1 = "/api/plaza/v1"


def test_native_lists_round_trip(api_for: Any, run_tasks: Any) -> None:
    ana, bob, cid = make_account("ana"), make_account("bob"), make_account("cid")
    with run_tasks():
        follow(ana, bob)
    api = api_for(ana)
    created = api.post_json(f"{V1}/lists", {"title": "Work", "exclusive": True})
    assert created.status_code == 200
    lst = created.json()
    assert lst["replies_policy"] == "list" and lst["exclusive"] is True
    assert api.get(f"{V1}/lists").json()[0]["title"] == "Work"
    changed = api.patch_json(f"{V1}/lists/{lst['id']}", {"replies_policy": "none"}).json()
    assert changed["replies_policy"] == "none" and changed["title"] == "Work"
    url = f"{V1}/lists/{lst['id']}/accounts"
    assert api.post_json(url, {"account_ids": [str(bob.pk)]}).status_code == 204
    response = api.post_json(url, {"account_ids": [str(cid.pk)]})
    assert response.status_code == 422  # not followed
    assert [a["username"] for a in api.get(url).json()["items"]] == ["bob"]
    with run_tasks():
        post = publish(bob, text="hello list")
    feed = api.get(f"{V1}/lists/{lst['id']}/feed").json()
    assert [p["id"] for p in feed["items"]] == [str(post.pk)]
    assert api.delete_json(url, {"account_ids": [str(bob.pk)]}).status_code == 204
    assert api.get(url).json()["items"] == []
    # someone else's list is not there
    other = api_for(cid)
    assert other.get(f"{V1}/lists/{lst['id']}").status_code == 404
    assert other.patch_json(f"{V1}/lists/{lst['id']}", {"title": "x"}).status_code == 404
    assert api.delete(f"{V1}/lists/{lst['id']}").status_code == 204
    assert List.objects.count() == 0


def test_native_bad_input(api_for: Any) -> None:
    api = api_for(make_account("ana"))
    assert api.post_json(f"{V1}/lists", {"title": ""}).status_code == 422
    assert api.post_json(f"{V1}/lists", {"title": "x", "replies_policy": "all"}).status_code == 422
    assert api.post_json(f"{V1}/lists", {}).status_code == 422
    assert api.get(f"{V1}/lists/abc").status_code == 404
    assert (
        api_for(make_account("bo"), scopes="read")
        .post_json(f"{V1}/lists", {"title": "x"})
        .status_code
        == 403
    )
    assert List.objects.count() == 0
