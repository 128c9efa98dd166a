"""The bell: a notification each time someone you follow posts (web profile toggle, Mastodon's
``notify`` follow option, delivery by the fan-out task and who it must not reach)."""

from __future__ import annotations

from typing import Any

import pytest

from network import actions as network
from network.models import Follow
from network.queries import relationship
from notifications.actions import notify_subscribers
from notifications.models import Notification, NotificationKind
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _told(account) -> list[str]:
    rows = Notification.objects.filter(recipient=account, kind=NotificationKind.STATUS)
    return sorted(n.post.text for n in rows.select_related("post") if n.post)


def test_followers_with_the_bell_hear_of_new_posts_and_nothing_else(run_tasks) -> None:
    ana, fan, plain, friend = (make_account(n) for n in ("ana", "fan", "plain", "friend"))
    network.follow(fan, ana, notify_posts=True)
    network.follow(plain, ana)
    network.follow(friend, ana, notify_posts=True)
    network.request_connection(friend, ana)
    network.accept_connection(ana, friend)
    other = make_account("other")
    with run_tasks():
        root = posts.publish(ana, text="news")
        posts.publish(ana, text="more news", in_reply_to=root)  # a self-thread counts
        posts.publish(ana, text="reply to other", in_reply_to=posts.publish(other, text="q"))
        posts.publish(ana, text="for connections", visibility="connections")
        posts.publish(ana, text="for followers", visibility="followers")
        posts.reshare(ana, posts.publish(other, text="worth sharing"))
    assert _told(fan) == ["for followers", "more news", "news"]
    assert _told(friend) == ["for connections", "for followers", "more news", "news"]
    assert _told(plain) == []


def test_mutes_and_blocks_keep_it_quiet_and_a_retry_does_not_repeat(run_tasks) -> None:
    ana, fan, muter = make_account("ana"), make_account("fan"), make_account("muter")
    network.follow(fan, ana, notify_posts=True)
    network.follow(muter, ana, notify_posts=True)
    network.mute(muter, ana)
    with run_tasks():
        post = posts.publish(ana, text="hello")
    assert _told(fan) == ["hello"] and _told(muter) == []
    assert notify_subscribers(post) == 0  # the fan-out task retried: nobody is told twice
    network.block(ana, fan)  # removes the follow, bell included
    assert not Follow.objects.filter(follower=fan, target=ana).exists()


def test_the_profile_bell_turns_post_notifications_on_and_off(client, run_tasks) -> None:
    ana, fan = make_account("ana"), make_account("fan")
    client.force_login(fan.user)
    page = client.get("/@ana").content.decode()
    assert "network/notify" not in page and "/@ana/notify" not in page  # not following yet
    client.post("/@ana/follow")
    page = client.get("/@ana").content.decode()
    assert 'action="/@ana/notify"' in page and 'aria-pressed="false"' in page

    r = client.post("/@ana/notify", {"next": "/@ana"})
    assert r.status_code == 302 and relationship(fan, ana).notifying
    page = client.get("/@ana").content.decode()
    assert 'action="/@ana/notify/off"' in page and 'aria-pressed="true"' in page
    with run_tasks():
        posts.publish(ana, text="ring ring")
    notes = client.get("/notifications").content.decode()
    assert "just posted" in notes and "ring ring" in notes

    r = client.post("/@ana/notify/off", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'action="/@ana/notify"' in r.content.decode()
    assert not relationship(fan, ana).notifying


def test_no_bell_without_following(client) -> None:
    make_account("ana")
    fan = make_account("fan")
    client.force_login(fan.user)
    r = client.post("/@ana/notify", HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "Follow @ana first" in r.content.decode()
    client.logout()
    assert client.post("/@ana/notify").status_code == 302  # to the login page
    assert client.get("/@ana/notify").status_code == 405


def test_mastodon_follow_notify_and_the_status_notification(api_for: Any, run_tasks) -> None:
    ana, fan = make_account("ana"), make_account("fan")
    api = api_for(fan)
    rel = api.post(f"/api/v1/accounts/{ana.pk}/follow", {"notify": "true"}).json()
    assert rel["following"] and rel["notifying"]
    with run_tasks():
        post = posts.publish(ana, text="from ana")
    body = api.get("/api/v1/notifications").json()
    assert [(n["type"], n["status"]["id"]) for n in body] == [("status", str(post.pk))]
    assert api.get("/api/v1/notifications", {"types[]": "mention"}).json() == []
    grouped = api.get("/api/v2/notifications").json()
    assert [g["type"] for g in grouped["notification_groups"]] == ["status"]
    rel = api.post(f"/api/v1/accounts/{ana.pk}/follow", {"notify": "false"}).json()
    assert rel["following"] and not rel["notifying"]


def test_a_muted_conversation_silences_the_bell_for_its_self_replies(run_tasks) -> None:
    ana, fan = make_account("ana"), make_account("fan")
    network.follow(fan, ana, notify_posts=True)
    with run_tasks():
        root = posts.publish(ana, text="a long thread, part 1")
    from notifications.actions import mute_thread

    mute_thread(fan, root)
    with run_tasks():
        posts.publish(ana, text="part 2", in_reply_to=root)
        posts.publish(ana, text="a new topic")
    assert _told(fan) == ["a long thread, part 1", "a new topic"]


def test_muting_from_a_reshare_mutes_the_shared_conversation() -> None:
    from notifications.actions import mute_thread
    from notifications.models import ThreadMute

    ana, bob, fan = make_account("ana"), make_account("bob"), make_account("fan")
    root = posts.publish(ana, text="original")
    shared = posts.reshare(bob, root)
    mute_thread(fan, shared)
    assert ThreadMute.objects.get(account=fan).thread_root_id == root.pk
