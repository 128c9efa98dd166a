"""Notifications through the real actions, the list page, mark-read and the unread count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network import actions as network
from notifications.models import Notification
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _main(html: str) -> str:
    return html.split('id="main"', 1)[1].split("</main>", 1)[0]


def test_every_kind_is_created_by_the_real_actions_and_rendered(run_tasks, client):
    me, ana = make_account("me", display_name="Me"), make_account("ana", display_name="Ana")
    locked = make_account("locked", locked=True)
    with run_tasks():
        network.follow(ana, me)  # follow
        network.follow(me, locked)  # follow request (to locked)
        network.request_connection(ana, me)  # connection request
        network.request_connection(me, locked)
        network.accept_connection(locked, me)  # connection accepted (to me)
        mine = posts.publish(me, text="my post")
        posts.like(ana, mine)  # like
        posts.reshare(ana, mine)  # reshare
        posts.publish(ana, text="so true", quote_of=mine)  # quote
        posts.publish(ana, text="replying", in_reply_to=mine)  # reply
        posts.publish(ana, text="hey @me look")  # mention
    kinds = set(Notification.objects.filter(recipient=me).values_list("kind", flat=True))
    assert kinds == {
        "follow",
        "connection_request",
        "connection_accepted",
        "like",
        "reshare",
        "quote",
        "reply",
        "mention",
    }
    assert Notification.objects.filter(recipient=locked, kind="follow_request").exists()

    client.force_login(me.user)
    html = _main(client.get("/notifications").content.decode())
    for text in (
        "followed you",
        "wants to connect with you",
        "accepted your connection request",
        "liked your post",
        "reshared your post",
        "quoted your post",
        "replied to your post",
        "mentioned you",
    ):
        assert text in html, text
    assert "Ana" in html and "my post" in html and "hey @me look" in html
    assert 'href="/network"' in html  # the connection request links to My network
    assert html.count("is-unread") == 8

    client.force_login(locked.user)
    html = _main(client.get("/notifications").content.decode())
    assert "asked to follow you" in html and 'href="/network"' in html


def test_mentions_tab_shows_only_things_said_to_you(run_tasks, client):
    me, ana = make_account("me"), make_account("ana")
    with run_tasks():
        mine = posts.publish(me, text="my post")
        posts.like(ana, mine)
        posts.publish(ana, text="hello @me")
    client.force_login(me.user)
    html = _main(client.get("/notifications/mentions").content.decode())
    assert "mentioned you" in html and "liked your post" not in html


def test_viewing_does_not_clear_and_mark_all_as_read_does(run_tasks, client):
    me, ana = make_account("me"), make_account("ana")
    with run_tasks():
        network.follow(ana, me)
        posts.like(ana, posts.publish(me, text="x"))
    client.force_login(me.user)
    client.get("/notifications")
    assert client.get("/notifications/unread-count").json() == {"unread": 2}
    assert client.get("/notifications/read").status_code == 405  # POST only
    response = client.post("/notifications/read")
    assert response.status_code == 302 and response["Location"] == "/notifications"
    assert client.get("/notifications/unread-count").json() == {"unread": 0}
    assert "is-unread" not in _main(client.get("/notifications").content.decode())


def test_mark_read_up_to_an_id_and_bad_input(run_tasks, client):
    me, ana, bob = make_account("me"), make_account("ana"), make_account("bob")
    with run_tasks():
        network.follow(ana, me)
        network.follow(bob, me)
    first = Notification.objects.filter(recipient=me).order_by("id").first()
    assert first is not None
    client.force_login(me.user)
    client.post("/notifications/read", {"up_to": first.pk})
    assert client.get("/notifications/unread-count").json() == {"unread": 1}
    assert client.post("/notifications/read", {"up_to": "nope"}).status_code == 400


def test_unread_count_endpoint_and_htmx_badge(run_tasks, client):
    me, ana = make_account("me"), make_account("ana")
    assert client.get("/notifications/unread-count").status_code == 401
    with run_tasks():
        network.follow(ana, me)
    client.force_login(me.user)
    assert client.get("/notifications/unread-count").json() == {"unread": 1}
    html = client.get("/notifications/unread-count", HTTP_HX_REQUEST="true").content.decode()
    assert 'class="badge"' in html and ">1<" in html


def test_another_persons_notifications_are_never_visible(run_tasks, client):
    me, ana, eve = make_account("me"), make_account("ana"), make_account("eve")
    with run_tasks():
        posts.like(ana, posts.publish(me, text="private stuff of mine"))
    client.force_login(eve.user)
    html = _main(client.get("/notifications").content.decode())
    assert "liked your post" not in html and "No notifications yet" in html
    assert client.get("/notifications/unread-count").json() == {"unread": 0}
    client.post("/notifications/read")
    assert Notification.objects.get(recipient=me).read_at is None


def test_anonymous_is_sent_to_login(client):
    for url in ("/notifications", "/notifications/mentions"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login")
    response = client.post("/notifications/read")
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_blocked_and_muted_actors_disappear_from_the_list(run_tasks, client):
    me, ana, bob = make_account("me"), make_account("ana"), make_account("bob")
    with run_tasks():
        network.follow(ana, me)
        network.follow(bob, me)
        network.block(me, ana)
        network.mute(me, bob)
    client.force_login(me.user)
    html = _main(client.get("/notifications").content.decode())
    assert "/@ana" not in html and "/@bob" not in html
    assert client.get("/notifications/unread-count").json() == {"unread": 0}


def test_likes_on_one_post_are_grouped(run_tasks, client):
    me = make_account("me")
    fans = [make_account(f"fan{i}", display_name=f"Fan{i}") for i in range(3)]
    with run_tasks():
        post = posts.publish(me, text="popular")
        for fan in fans:
            posts.like(fan, post)
    client.force_login(me.user)
    html = _main(client.get("/notifications").content.decode())
    assert "Fan2</a> and 2 others" in html
    assert html.count("liked your post") == 1


def test_keyset_pages_and_constant_queries(run_tasks, client):
    me = make_account("me")
    others = [make_account(f"f{i}") for i in range(12)]
    with run_tasks():
        for other in others:
            posts.publish(other, text="hi @me")  # mentions: one row each, never grouped
    client.force_login(me.user)
    seen: list[str] = []
    url = "/notifications?limit=5"
    while url:
        html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        seen += [f"f{i}" for i in range(12) if f'href="/@f{i}"' in html]
        url = (
            html.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
            if "hx-get" in html
            else ""
        )
    assert sorted(seen) == sorted(f"f{i}" for i in range(12)) and len(seen) == 12

    def count(limit: int) -> int:
        client.get(f"/notifications?limit={limit}")  # warm caches (the side panel is cached
        client.get(f"/notifications?limit={limit}")  # by CSRF cookie, set by the first answer)
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/notifications?limit={limit}")
        return len(ctx.captured_queries)

    assert count(3) == count(12)
