"""Polls through the Mastodon API: creating (form and JSON), the Poll entity in statuses,
GET /api/v1/polls/:id, voting, editing, refusals, and ``poll`` notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mastodon.entities import cache as entity_cache
from network import actions as network
from posts import actions as posts
from posts import polls
from posts.models import Poll, Post
from posts.polls import PollSpec
from posts.tasks import end_poll
from tests.factories import make_account
from tests.mastodon.schemas import assert_entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(api_for, run_tasks):
    ana, bob = make_account("ana"), make_account("bob")
    with run_tasks():
        network.follow(bob, ana)
    return ana, bob, api_for(ana), api_for(bob)


def test_create_with_a_form_body(people):
    _ana, _, a, _ = people
    response = a.post(
        "/api/v1/statuses",
        {
            "status": "Tea or coffee?",
            "poll[options][]": ["Tea", "Coffee"],
            "poll[expires_in]": "600",
            "poll[multiple]": "true",
        },
    )
    assert response.status_code == 200, response.content
    poll = response.json()["poll"]
    assert_entity(poll, "Poll")
    assert [o["title"] for o in poll["options"]] == ["Tea", "Coffee"]
    assert poll["multiple"] and not poll["expired"] and poll["votes_count"] == 0
    assert poll["voted"] is True and poll["own_votes"] == []  # Mastodon: the author "voted"
    assert poll["id"] == response.json()["id"]


def test_create_with_a_json_body_and_hidden_totals(people):
    _, _, a, _ = people
    body = {"status": "?", "poll": {"options": ["a", "b"], "expires_in": 300, "hide_totals": True}}
    poll = a.post_json("/api/v1/statuses", body).json()["poll"]
    assert [o["votes_count"] for o in poll["options"]] == [None, None]
    assert not poll["multiple"]


@pytest.mark.parametrize(
    "poll",
    [
        {"options": ["only"], "expires_in": 300},
        {"options": ["a", "b", "c", "d", "e"], "expires_in": 300},
        {"options": ["a", "A"], "expires_in": 300},
        {"options": ["a", "b"], "expires_in": 60},
        {"options": ["a", "b"]},
        "yes please",
    ],
)
def test_invalid_polls_are_422_and_write_nothing(people, poll):
    _, _, a, _ = people
    response = a.post_json("/api/v1/statuses", {"status": "?", "poll": poll})
    assert response.status_code == 422 and "error" in response.json()
    assert not Post.objects.exists()


def test_poll_with_media_and_direct_or_scheduled_polls(people):
    from posts.media import upload_media
    from tests.posts.helpers import jpeg_upload

    ana, _, a, _ = people
    media = upload_media(ana, jpeg_upload())
    poll = {"options": ["a", "b"], "expires_in": 300}
    # With media: fine (as Mastodon since 2026).
    both = a.post_json(
        "/api/v1/statuses", {"status": "?", "poll": poll, "media_ids": [str(media.pk)]}
    )
    assert both.status_code == 200, both.content
    assert both.json()["poll"] and both.json()["media_attachments"][0]["id"] == str(media.pk)
    Post.objects.all().delete()
    for extra in (
        {"visibility": "direct", "status": "@bob ?"},
        {"scheduled_at": (timezone.now() + dt.timedelta(hours=1)).isoformat()},
    ):
        response = a.post_json("/api/v1/statuses", {"status": "?", "poll": poll, **extra})
        assert response.status_code == 422, extra
    assert not Post.objects.exists()


def test_get_and_vote(people):
    ana, _bob, a, b = people
    post = posts.publish(ana, text="?", poll=PollSpec(("a", "b", "c"), multiple=True))
    poll = b.get(f"/api/v1/polls/{post.pk}").json()
    assert_entity(poll, "Poll")
    assert poll["voted"] is False and poll["own_votes"] == []
    voted = b.post(f"/api/v1/polls/{post.pk}/votes", {"choices[]": ["0", "2"]})
    assert voted.status_code == 200, voted.content
    poll = voted.json()
    assert poll["voted"] is True and poll["own_votes"] == [0, 2]
    assert poll["votes_count"] == 2 and poll["voters_count"] == 1
    assert [o["votes_count"] for o in poll["options"]] == [1, 0, 1]
    # A multiple-choice voter may add an option later (Mastodon), each option once.
    more = b.post_json(f"/api/v1/polls/{post.pk}/votes", {"choices": [1]})
    assert more.status_code == 200 and more.json()["own_votes"] == [0, 2, 1]
    assert more.json()["votes_count"] == 3 and more.json()["voters_count"] == 1
    again = b.post_json(f"/api/v1/polls/{post.pk}/votes", {"choices": [1]})
    assert again.status_code == 422 and "already voted" in again.json()["error"]
    own = a.post_json(f"/api/v1/polls/{post.pk}/votes", {"choices": [1]})
    assert own.status_code == 422
    assert b.post_json(f"/api/v1/polls/{post.pk}/votes", {"choices": ["x"]}).status_code == 422
    anonymous = b.__class__(None).get(f"/api/v1/polls/{post.pk}").json()
    assert "voted" not in anonymous and anonymous["votes_count"] == 3


def test_invisible_and_blocked_polls_are_404(people, api_for):
    ana, bob, _, b = people
    stranger = api_for(make_account("stranger"))
    private = posts.publish(ana, text="?", visibility="followers", poll=PollSpec(("a", "b")))
    assert stranger.get(f"/api/v1/polls/{private.pk}").status_code == 404
    assert (
        stranger.post_json(f"/api/v1/polls/{private.pk}/votes", {"choices": [0]}).status_code == 404
    )
    assert b.get(f"/api/v1/polls/{private.pk}").status_code == 200
    network.block(ana, bob)
    assert b.get(f"/api/v1/polls/{private.pk}").status_code == 404
    plain = posts.publish(ana, text="no poll")
    assert stranger.get(f"/api/v1/polls/{plain.pk}").status_code == 404
    assert stranger.get("/api/v1/polls/nope").status_code == 404


def test_a_vote_shows_in_the_status_despite_the_status_cache(people):
    ana, bob, a, b = people
    post = posts.publish(ana, text="?", poll=PollSpec(("a", "b")))
    first = a.get(f"/api/v1/statuses/{post.pk}").json()["poll"]  # core cached now
    assert first["votes_count"] == 0
    polls.vote(bob, post, [1])
    seen_by_ana = a.get(f"/api/v1/statuses/{post.pk}").json()["poll"]
    seen_by_bob = b.get(f"/api/v1/statuses/{post.pk}").json()["poll"]
    assert seen_by_ana["votes_count"] == 1 and seen_by_ana["own_votes"] == []
    assert seen_by_bob["own_votes"] == [1] and seen_by_bob["voted"] is True


def test_timeline_with_polls_costs_constant_queries(people, run_tasks):
    ana, bob, _, b = people
    with run_tasks():
        for i in range(30):
            spec = PollSpec((f"a{i}", f"b{i}")) if i % 2 else None
            post = posts.publish(ana, text=f"post {i}", poll=spec)
            if spec is not None and i % 3 == 0:
                polls.vote(bob, post, [0])

    def cost(limit: int) -> int:
        entity_cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = b.get(f"/api/v1/timelines/home?limit={limit}")
        assert response.status_code == 200
        assert any(s["poll"] for s in response.json())
        return len(ctx.captured_queries)

    assert cost(4) == cost(30)


def test_edit_changes_or_removes_the_poll(people):
    ana, bob, a, _ = people
    post = posts.publish(ana, text="?", poll=PollSpec(("a", "b")))
    polls.vote(bob, post, [0])
    kept = a.put_json(
        f"/api/v1/statuses/{post.pk}",
        {"status": "? (edited)", "poll": {"options": ["a", "b"], "expires_in": 3600}},
    ).json()["poll"]
    assert kept["votes_count"] == 1
    changed = a.put_json(
        f"/api/v1/statuses/{post.pk}",
        {"status": "?", "poll": {"options": ["a", "c"], "expires_in": 3600}},
    ).json()["poll"]
    assert changed["votes_count"] == 0 and [o["title"] for o in changed["options"]] == ["a", "c"]
    removed = a.put_json(f"/api/v1/statuses/{post.pk}", {"status": "no poll"}).json()
    assert removed["poll"] is None and not Poll.objects.exists()


def test_poll_notifications(people):
    ana, bob, a, b = people
    post = posts.publish(ana, text="?", poll=PollSpec(("a", "b")))
    polls.vote(bob, post, [0])
    Poll.objects.filter(pk=post.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    end_poll.call_local(post.pk)
    for client, who in ((a, ana), (b, bob)):
        items = client.get("/api/v1/notifications").json()
        assert [n["type"] for n in items][:1] == ["poll"], who  # (ana's next: bob's follow)
        assert items[0]["account"]["id"] == str(ana.pk)
        assert items[0]["status"]["poll"]["expired"] is True
        assert_entity(items[0], "Notification")
    assert b.get("/api/v1/notifications", {"exclude_types[]": "poll"}).json() == []


def test_instance_announces_the_poll_limits(api_for):
    limits = api_for(False).get("/api/v2/instance").json()["configuration"]["polls"]
    assert limits == {
        "max_options": 4,
        "max_characters_per_option": 50,
        "min_expiration": 300,
        "max_expiration": 30 * 86400,
    }
