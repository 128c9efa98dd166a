"""Mastodon API: scheduled statuses (stored by the studio app, published by its task)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Account, Visibility
from posts import actions
from posts.media import upload_media
from posts.models import MediaAttachment, Post
from studio.actions import publish_due
from studio.models import ScheduledPost, ScheduledState
from tests.factories import make_account
from tests.mastodon.conftest import Api
from tests.posts.helpers import jpeg_upload

pytestmark = pytest.mark.django_db

ApiFor = Callable[..., Api]


@pytest.fixture
def alice() -> Account:
    return make_account("alice")


def later(minutes: int = 60) -> str:
    when = timezone.now() + dt.timedelta(minutes=minutes)
    return when.isoformat().replace("+00:00", "Z")


def schedule(api: Api, **body: Any) -> Any:
    return api.post_json("/api/v1/statuses", {"status": "later", "scheduled_at": later(), **body})


def test_schedule_a_status(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    media = upload_media(alice, jpeg_upload((40, 40)))
    r = schedule(api, visibility="private", spoiler_text="cw", media_ids=[str(media.pk)])
    assert r.status_code == 200, r.content
    data = r.json()
    assert set(data) == {"id", "scheduled_at", "params", "media_attachments"}
    assert data["params"]["text"] == "later"
    assert data["params"]["visibility"] == "private"
    assert data["params"]["plaza"]["visibility"] == "followers"
    assert data["params"]["spoiler_text"] == "cw"
    assert data["params"]["media_ids"] == [str(media.pk)]
    assert data["media_attachments"][0]["id"] == str(media.pk)
    assert data["scheduled_at"].endswith("Z")
    assert not Post.objects.exists()
    media.refresh_from_db()
    assert media.post is None
    # Listed, fetched, and nobody else sees it.
    assert [s["id"] for s in api.get("/api/v1/scheduled_statuses").json()] == [data["id"]]
    assert api.get(f"/api/v1/scheduled_statuses/{data['id']}").json() == data
    bob = api_for(make_account("bob"))
    assert bob.get("/api/v1/scheduled_statuses").json() == []
    assert bob.get(f"/api/v1/scheduled_statuses/{data['id']}").status_code == 404
    assert (
        bob.put_json(
            f"/api/v1/scheduled_statuses/{data['id']}", {"scheduled_at": later(90)}
        ).status_code
        == 404
    )
    assert bob.delete(f"/api/v1/scheduled_statuses/{data['id']}").status_code == 404
    assert ScheduledPost.objects.count() == 1


@pytest.mark.parametrize("minutes", [-60, 0, 4])
def test_too_soon_is_422(api_for: ApiFor, alice: Account, minutes: int) -> None:
    r = api_for(alice).post_json(
        "/api/v1/statuses", {"status": "x", "scheduled_at": later(minutes)}
    )
    assert r.status_code == 422
    assert "5 minutes" in r.json()["error"]
    assert not ScheduledPost.objects.exists() and not Post.objects.exists()


def test_schedule_validates_like_publish(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    assert schedule(api, status="").status_code == 422
    assert schedule(api, status="x" * 6000).status_code == 422
    assert schedule(api, in_reply_to_id="12345").status_code == 404
    assert schedule(api, poll={"options": ["a", "b"]}).status_code == 422
    media = upload_media(alice, jpeg_upload((40, 40)))
    assert schedule(api, media_ids=[str(media.pk)]).status_code == 200
    # The same upload can't go into two scheduled posts.
    assert schedule(api, media_ids=[str(media.pk)]).status_code == 422
    assert ScheduledPost.objects.count() == 1


def test_reschedule_and_cancel(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    sid = schedule(api).json()["id"]
    new_time = later(120)
    r = api.put_json(f"/api/v1/scheduled_statuses/{sid}", {"scheduled_at": new_time})
    assert r.status_code == 200
    assert r.json()["scheduled_at"][:16] == new_time[:16]
    for body in ({}, {"scheduled_at": "soon"}, {"scheduled_at": later(1)}):
        assert api.put_json(f"/api/v1/scheduled_statuses/{sid}", body).status_code == 422
    r = api.delete(f"/api/v1/scheduled_statuses/{sid}")
    assert r.status_code == 200 and r.json() == {}
    assert api.get(f"/api/v1/scheduled_statuses/{sid}").status_code == 404
    assert api.delete(f"/api/v1/scheduled_statuses/{sid}").status_code == 404
    assert api.get("/api/v1/scheduled_statuses/abc").status_code == 404


def test_scheduled_list_paging(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    ids = [schedule(api, status=f"s{i}").json()["id"] for i in range(5)]
    r = api.get("/api/v1/scheduled_statuses?limit=2")
    assert [s["id"] for s in r.json()] == ids[::-1][:2]
    link = re.search(r'<([^>]+)>; rel="next"', r["Link"])
    assert link is not None
    r = api.get(link.group(1).replace("http://localhost:8000", ""))
    assert [s["id"] for s in r.json()] == ids[::-1][2:4]
    r = api.get(f"/api/v1/scheduled_statuses?min_id={ids[1]}&limit=2")
    assert [s["id"] for s in r.json()] == [ids[3], ids[2]]
    r = api.get(f"/api/v1/scheduled_statuses?since_id={ids[2]}")
    assert [s["id"] for s in r.json()] == [ids[4], ids[3]]
    assert api_for(alice, scopes="write").get("/api/v1/scheduled_statuses").status_code == 403


def test_scheduled_idempotency(api_for: ApiFor, alice: Account) -> None:
    api = api_for(alice)
    body = {"status": "once", "scheduled_at": later()}
    first = api.post_json("/api/v1/statuses", body, HTTP_IDEMPOTENCY_KEY="sched")
    second = api.post_json("/api/v1/statuses", body, HTTP_IDEMPOTENCY_KEY="sched")
    assert first.json()["id"] == second.json()["id"]
    assert ScheduledPost.objects.count() == 1


def test_published_when_due(api_for: ApiFor, alice: Account, run_tasks: Callable) -> None:
    api = api_for(alice)
    media = upload_media(alice, jpeg_upload((40, 40)))
    data = schedule(api, media_ids=[str(media.pk)], visibility="unlisted").json()
    assert publish_due() == []  # not yet
    due = timezone.now() + dt.timedelta(hours=2)
    with run_tasks():
        outcomes = publish_due(now=due)
    assert len(outcomes) == 1 and outcomes[0].error == ""
    post = Post.objects.get()
    assert post.text == "later" and post.visibility == Visibility.UNLISTED
    assert list(post.media.all()) == [MediaAttachment.objects.get(pk=media.pk)]
    assert publish_due(now=due) == []  # idempotent
    assert Post.objects.count() == 1
    assert api.get("/api/v1/scheduled_statuses").json() == []
    assert api.get(f"/api/v1/scheduled_statuses/{data['id']}").status_code == 404
    status = api.get(f"/api/v1/statuses/{post.pk}").json()
    assert status["media_attachments"][0]["id"] == str(media.pk)


def test_reply_target_deleted_before_due(api_for: ApiFor, alice: Account) -> None:
    bob = make_account("bob")
    target = actions.publish(bob, text="reply to me", visibility=Visibility.PUBLIC)
    api = api_for(alice)
    schedule(api, in_reply_to_id=str(target.pk))
    ok = schedule(api, status="still fine")
    actions.delete(bob, target)
    outcomes = publish_due(now=timezone.now() + dt.timedelta(hours=2))
    errors = sorted(o.error for o in outcomes)
    assert errors == ["", "The post it replies to was deleted."]
    failed = ScheduledPost.objects.get(state=ScheduledState.FAILED)
    assert failed.error == "The post it replies to was deleted."
    assert Post.objects.get().text == "still fine"
    assert ok.status_code == 200
