"""Polls through the native API (every response checked against the OpenAPI schema)."""

from __future__ import annotations

import pytest

from network import actions as network
from posts.models import Poll, Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db
P = "/api/plaza/v1"


def test_publish_vote_and_read(api_for):
    ana, bob = make_account("ana"), make_account("bob")
    a, b = api_for(ana), api_for(bob)
    body = {"text": "Lunch?", "poll": {"options": ["Pizza", "Salad"], "expires_in": 600}}
    created = a.post_json(f"{P}/posts", body)
    assert created.status_code == 201, created.content
    poll = created.json()["poll"]
    assert [o["title"] for o in poll["options"]] == ["Pizza", "Salad"]
    assert poll["voted"] is False and poll["expired"] is False and poll["votes_count"] == 0
    pid = created.json()["id"]
    voted = b.post_json(f"{P}/posts/{pid}/poll/votes", {"choices": [1]})
    assert voted.status_code == 200, voted.content
    poll = voted.json()["poll"]
    assert poll["voted"] is True and poll["own_votes"] == [1]
    assert [o["votes_count"] for o in poll["options"]] == [0, 1]
    again = b.post_json(f"{P}/posts/{pid}/poll/votes", {"choices": [0]})
    assert again.status_code == 422 and "already voted" in again.json()["error"]
    own = a.post_json(f"{P}/posts/{pid}/poll/votes", {"choices": [0]})
    assert own.status_code == 422
    anonymous = api_for(False).get(f"{P}/posts/{pid}").json()["poll"]
    assert anonymous["voted"] is None and anonymous["voters_count"] == 1


def test_refusals_are_json_4xx_and_write_nothing(api_for):
    ana, bob = make_account("ana"), make_account("bob")
    a, b = api_for(ana), api_for(bob)
    for poll in ({"options": ["x"]}, {"options": ["a", "b"], "expires_in": 10}):
        response = a.post_json(f"{P}/posts", {"text": "?", "poll": poll})
        assert response.status_code == 422 and "error" in response.json()
    assert not Post.objects.exists()
    private = a.post_json(
        f"{P}/posts",
        {"text": "?", "visibility": "followers", "poll": {"options": ["a", "b"]}},
    ).json()
    response = b.post_json(f"{P}/posts/{private['id']}/poll/votes", {"choices": [0]})
    assert response.status_code == 404
    network.follow(bob, ana)
    ok = b.post_json(f"{P}/posts/{private['id']}/poll/votes", {"choices": [0]})
    assert ok.status_code == 200
    plain = a.post_json(f"{P}/posts", {"text": "no poll"}).json()
    assert b.post_json(f"{P}/posts/{plain['id']}/poll/votes", {"choices": [0]}).status_code == 404


def test_edit_replaces_keeps_or_removes(api_for):
    ana, bob = make_account("ana"), make_account("bob")
    a, b = api_for(ana), api_for(bob)
    pid = a.post_json(f"{P}/posts", {"text": "?", "poll": {"options": ["a", "b"]}}).json()["id"]
    b.post_json(f"{P}/posts/{pid}/poll/votes", {"choices": [0]})
    kept = a.patch_json(f"{P}/posts/{pid}", {"text": "? (typo)"}).json()["poll"]
    assert kept["votes_count"] == 1
    changed = a.patch_json(
        f"{P}/posts/{pid}", {"text": "?", "poll": {"options": ["a", "b", "c"]}}
    ).json()["poll"]
    assert changed["votes_count"] == 0 and len(changed["options"]) == 3
    removed = a.patch_json(f"{P}/posts/{pid}", {"text": "?", "remove_poll": True}).json()
    assert removed["poll"] is None and not Poll.objects.exists()
