"""``POST /api/v1/statuses/:id/mute`` and ``/unmute``: Mastodon's "mute conversation", the
same thread mutes as the web's thread page; ``muted`` on statuses says so."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.models import Notification, ThreadMute
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_mute_and_unmute_a_conversation(api_for: Any, run_tasks: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    with run_tasks():
        root = posts.publish(ana, text="root")
        reply = posts.publish(bob, text="a reply", in_reply_to=root)
    Notification.objects.all().delete()  # the reply's, from before the mute
    api = api_for(ana)
    r = api.post(f"/api/v1/statuses/{reply.pk}/mute")
    assert r.status_code == 200 and r.json()["muted"] is True
    assert ThreadMute.objects.filter(account=ana, thread_root=root).exists()
    assert api.get(f"/api/v1/statuses/{root.pk}").json()["muted"] is True
    timeline = {s["id"]: s["muted"] for s in api.get("/api/v1/timelines/home").json()}
    assert timeline.get(str(root.pk)) is True
    with run_tasks():
        posts.publish(bob, text="@ana still here?", in_reply_to=reply)
    assert not Notification.objects.filter(recipient=ana).exists()

    r = api.post(f"/api/v1/statuses/{root.pk}/unmute")
    assert r.status_code == 200 and r.json()["muted"] is False
    assert not ThreadMute.objects.exists()


def test_conversation_mutes_are_checked(api_for: Any) -> None:
    ana, eve = make_account("ana", locked=True), make_account("eve")
    hidden = posts.publish(ana, text="followers only", visibility="followers")
    api = api_for(eve)
    assert api.post(f"/api/v1/statuses/{hidden.pk}/mute").status_code == 404
    assert api.post("/api/v1/statuses/424242/mute").status_code == 404
    read_only = api_for(eve, scopes="read")
    public = posts.publish(ana, text="public")
    assert read_only.post(f"/api/v1/statuses/{public.pk}/mute").status_code == 403
    assert not ThreadMute.objects.exists()


def test_a_page_of_statuses_still_takes_a_fixed_number_of_queries(
    api_for: Any, run_tasks: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.actions import mute_thread

    ana = make_account("ana")
    api = api_for(ana)
    with run_tasks():
        for i in range(12):
            mute_thread(ana, posts.publish(ana, text=f"post {i}"))
    api.get("/api/v1/timelines/home")  # warm caches
    with CaptureQueriesContext(connection) as few:
        page = api.get("/api/v1/timelines/home?limit=3").json()
    assert len(page) == 3 and all(s["muted"] for s in page)
    with CaptureQueriesContext(connection) as many:
        page = api.get("/api/v1/timelines/home?limit=12").json()
    assert len(page) == 12 and all(s["muted"] for s in page)
    assert len(many) == len(few)
