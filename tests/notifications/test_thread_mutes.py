"""Muting a conversation: no more notifications from a thread (web thread page and actions)."""

from __future__ import annotations

import pytest

from network import actions as network
from notifications import actions as notifications
from notifications.models import Notification, ThreadMute
from notifications.queries import muted_threads
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _kinds(account) -> list[str]:
    return sorted(Notification.objects.filter(recipient=account).values_list("kind", flat=True))


def test_a_muted_thread_stays_quiet_and_other_threads_do_not(run_tasks) -> None:
    ana, bob, cy = make_account("ana"), make_account("bob"), make_account("cy")
    with run_tasks():
        root = posts.publish(ana, text="a thread that got too loud")
        reply = posts.publish(bob, text="@ana and another thing", in_reply_to=root)
        other = posts.publish(ana, text="a quiet one")
    assert _kinds(ana) == ["reply"]  # the reply mentions her too: one notification
    Notification.objects.all().delete()

    notifications.mute_thread(ana, reply)  # muting from a reply mutes the whole thread
    notifications.mute_thread(ana, root)  # idempotent
    assert ThreadMute.objects.filter(account=ana, thread_root=root).count() == 1
    with run_tasks():
        posts.publish(cy, text="@ana me too", in_reply_to=reply)  # mention inside the thread
        posts.like(bob, root)
        posts.reshare(cy, root)
        posts.publish(bob, text="quoting", quote_of=root)  # a quote starts a new thread...
        posts.like(bob, other)  # ...and other threads still notify
        posts.publish(cy, text="back at you", in_reply_to=reply)  # bob is not muted
    assert _kinds(ana) == ["like", "quote"]
    assert "reply" in _kinds(bob)

    notifications.unmute_thread(ana, root)
    with run_tasks():
        posts.publish(cy, text="and now?", in_reply_to=root)
    assert _kinds(ana) == ["like", "quote", "reply"]


def test_muted_threads_answers_for_many_posts_in_one_query(django_assert_num_queries) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    root = posts.publish(ana, text="root")
    reply = posts.publish(bob, text="reply", in_reply_to=root)
    elsewhere = posts.publish(bob, text="elsewhere")
    notifications.mute_thread(ana, root)
    with django_assert_num_queries(1):
        assert muted_threads(ana, [root, reply, elsewhere]) == {root.pk, reply.pk}
    with django_assert_num_queries(0):
        assert muted_threads(None, [root]) == set()
        assert muted_threads(ana, []) == set()


def test_notify_decides_in_one_statement(django_assert_num_queries) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    root = posts.publish(ana, text="root")
    notifications.mute_thread(ana, root)
    with django_assert_num_queries(1):  # block, mute and thread mute: one check, no insert
        assert notifications.notify(ana, bob, "like", post=root) is None
    network.block(ana, bob)
    notifications.unmute_thread(ana, root)
    with django_assert_num_queries(1):
        assert notifications.notify(ana, bob, "like", post=root) is None


def test_the_thread_page_mutes_and_unmutes(client) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    root = posts.publish(ana, text="root of it all")
    reply = posts.publish(bob, text="a reply", in_reply_to=root)
    client.force_login(ana.user)
    page = client.get(f"/@bob/{reply.pk}").content.decode()
    assert "Mute conversation" in page and f"/posts/{reply.pk}/mute-thread" in page

    r = client.post(f"/posts/{reply.pk}/mute-thread", {"next": f"/@bob/{reply.pk}"})
    assert r.status_code == 302 and r["Location"] == f"/@bob/{reply.pk}"
    assert ThreadMute.objects.filter(account=ana, thread_root=root).exists()
    page = client.get(f"/@ana/{root.pk}").content.decode()  # the whole thread shows it
    assert "Unmute conversation" in page and f"/posts/{root.pk}/unmute-thread" in page

    client.post(f"/posts/{root.pk}/unmute-thread")
    assert not ThreadMute.objects.exists()


def test_nobody_mutes_what_they_cannot_see(client) -> None:
    ana, eve = make_account("ana", locked=True), make_account("eve")
    secret = posts.publish(ana, text="followers only", visibility="followers")
    client.force_login(eve.user)
    assert client.post(f"/posts/{secret.pk}/mute-thread").status_code == 404
    assert client.post("/posts/999999/mute-thread").status_code == 404
    assert not ThreadMute.objects.exists()
    client.logout()
    r = client.post(f"/posts/{secret.pk}/mute-thread")
    assert r.status_code == 302 and "/login" in r["Location"]  # anonymous: log in first
    assert client.get(f"/posts/{secret.pk}/mute-thread").status_code in (302, 405)
