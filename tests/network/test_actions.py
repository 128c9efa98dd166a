"""Relationship actions: state, counters, notifications, feeds, and the rules that deny."""

from __future__ import annotations

import pytest

from accounts.models import Account
from feeds.queries import home_feed
from network import actions
from network.models import Block, Connection, ConnectionRequest, Follow, FollowRequest, Mute
from network.queries import relationship
from notifications.models import Notification, NotificationKind
from plaza.errors import ActionError, NotAllowed, NotFound
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def counts(account: Account) -> tuple[int, int, int]:
    account.refresh_from_db()
    return account.followers_count, account.following_count, account.connections_count


def notes(recipient: Account, kind: str) -> list[int]:
    return list(
        Notification.objects.filter(recipient=recipient, kind=kind).values_list(
            "actor_id", flat=True
        )
    )


# --- follows --------------------------------------------------------------------------------


def test_follow_and_unfollow_keep_counters_right_and_are_idempotent():
    alice, bob = make_account("alice"), make_account("bob")
    assert actions.follow(bob, alice) == "following"
    assert actions.follow(bob, alice) == "following"  # again: no error, no double count
    assert counts(alice) == (1, 0, 0)
    assert counts(bob) == (0, 1, 0)
    assert notes(alice, NotificationKind.FOLLOW) == [bob.pk]
    actions.unfollow(bob, alice)
    actions.unfollow(bob, alice)
    assert counts(alice) == (0, 0, 0)
    assert counts(bob) == (0, 0, 0)
    assert not Follow.objects.exists()


def test_locked_account_gets_a_request_to_approve():
    lock, fan = make_account("lock", locked=True), make_account("fan")
    assert actions.follow(fan, lock) == "requested"
    assert actions.follow(fan, lock) == "requested"
    assert FollowRequest.objects.filter(requester=fan, target=lock).count() == 1
    assert notes(lock, NotificationKind.FOLLOW_REQUEST) == [fan.pk]
    assert counts(lock) == (0, 0, 0)
    assert relationship(fan, lock).follow_requested
    assert relationship(lock, fan).follow_requested_by

    actions.approve_follow_request(lock, fan)
    assert relationship(fan, lock).following
    assert counts(lock) == (1, 0, 0)
    assert counts(fan) == (0, 1, 0)
    # The request notification is replaced by a follow notification.
    assert notes(lock, NotificationKind.FOLLOW_REQUEST) == []
    assert notes(lock, NotificationKind.FOLLOW) == [fan.pk]


def test_rejected_or_cancelled_follow_requests_leave_nothing_behind():
    lock, fan, other = make_account("lock", locked=True), make_account("fan"), make_account()
    actions.follow(fan, lock)
    actions.reject_follow_request(lock, fan)
    assert not FollowRequest.objects.exists()
    assert notes(lock, NotificationKind.FOLLOW_REQUEST) == []
    assert counts(lock) == (0, 0, 0)

    actions.follow(other, lock)
    actions.unfollow(other, lock)  # "Requested" → cancel
    assert not FollowRequest.objects.exists()
    assert notes(lock, NotificationKind.FOLLOW_REQUEST) == []


def test_approving_or_rejecting_a_request_that_does_not_exist_is_not_found():
    lock, fan = make_account("lock", locked=True), make_account("fan")
    with pytest.raises(NotFound):
        actions.approve_follow_request(lock, fan)
    with pytest.raises(NotFound):
        actions.reject_follow_request(lock, fan)
    assert not Follow.objects.exists()


def test_remove_follower():
    alice, bob = make_account("alice"), make_account("bob")
    actions.follow(bob, alice)
    actions.remove_follower(alice, bob)
    actions.remove_follower(alice, bob)
    assert not Follow.objects.exists()
    assert counts(alice) == (0, 0, 0)
    assert counts(bob) == (0, 0, 0)


def test_acting_on_yourself_is_an_error():
    me = make_account("me")
    for act in (actions.follow, actions.request_connection, actions.block, actions.mute):
        with pytest.raises(ActionError):
            act(me, me)
    assert not Follow.objects.exists()
    assert not ConnectionRequest.objects.exists()
    assert not Block.objects.exists()
    assert not Mute.objects.exists()


# --- connections ----------------------------------------------------------------------------


def test_connection_request_accept_and_remove():
    alice, bob = make_account("alice"), make_account("bob")
    assert actions.request_connection(alice, bob, note="  We met at PyCon  ") == "requested"
    assert actions.request_connection(alice, bob, note="again") == "requested"
    request = ConnectionRequest.objects.get()
    assert request.note == "We met at PyCon"
    assert notes(bob, NotificationKind.CONNECTION_REQUEST) == [alice.pk]

    actions.accept_connection(bob, alice)
    assert relationship(alice, bob).connected and relationship(bob, alice).connected
    assert counts(alice)[2] == 1 and counts(bob)[2] == 1
    assert notes(alice, NotificationKind.CONNECTION_ACCEPTED) == [bob.pk]
    assert notes(bob, NotificationKind.CONNECTION_REQUEST) == []
    assert actions.request_connection(alice, bob) == "connected"  # already: nothing changes
    assert counts(alice)[2] == 1

    actions.remove_connection(bob, alice)
    actions.remove_connection(alice, bob)
    assert not Connection.objects.exists()
    assert counts(alice)[2] == 0 and counts(bob)[2] == 0


def test_requests_both_ways_connect():
    alice, bob = make_account("alice"), make_account("bob")
    actions.request_connection(alice, bob)
    assert actions.request_connection(bob, alice) == "connected"
    assert Connection.objects.count() == 2
    assert not ConnectionRequest.objects.exists()
    assert counts(alice)[2] == 1 and counts(bob)[2] == 1
    assert notes(alice, NotificationKind.CONNECTION_ACCEPTED) == [bob.pk]


def test_accepting_a_stale_request_between_connected_accounts_does_not_double_count():
    alice, bob = make_account("alice"), make_account("bob")
    actions.request_connection(alice, bob)
    actions.accept_connection(bob, alice)
    ConnectionRequest.objects.create(requester=alice, target=bob)  # e.g. a race
    actions.accept_connection(bob, alice)
    assert counts(alice)[2] == 1 and counts(bob)[2] == 1


def test_decline_and_withdraw_remove_the_request_and_its_notification():
    alice, bob = make_account("alice"), make_account("bob")
    actions.request_connection(alice, bob)
    actions.decline_connection(bob, alice)
    assert not ConnectionRequest.objects.exists()
    assert notes(bob, NotificationKind.CONNECTION_REQUEST) == []
    with pytest.raises(NotFound):
        actions.decline_connection(bob, alice)
    with pytest.raises(NotFound):
        actions.accept_connection(bob, alice)

    actions.request_connection(alice, bob)
    actions.withdraw_connection_request(alice, bob)
    actions.withdraw_connection_request(alice, bob)
    assert not ConnectionRequest.objects.exists()
    assert notes(bob, NotificationKind.CONNECTION_REQUEST) == []
    assert counts(alice)[2] == 0


def test_note_too_long_is_refused_and_writes_nothing():
    alice, bob = make_account("alice"), make_account("bob")
    with pytest.raises(ActionError) as exc:
        actions.request_connection(alice, bob, note="x" * 301)
    assert exc.value.field == "note"
    assert not ConnectionRequest.objects.exists()


# --- blocks and mutes -----------------------------------------------------------------------


def test_block_cuts_every_tie_both_ways():
    alice, bob = make_account("alice"), make_account("bob")
    actions.follow(alice, bob)
    actions.follow(bob, alice)
    actions.request_connection(alice, bob)
    actions.accept_connection(bob, alice)
    actions.block(alice, bob)
    actions.block(alice, bob)  # idempotent
    assert not Follow.objects.exists()
    assert not Connection.objects.exists()
    assert Block.objects.count() == 1
    assert counts(alice) == (0, 0, 0)
    assert counts(bob) == (0, 0, 0)
    rel = relationship(alice, bob)
    assert rel.blocking and not rel.following and not rel.followed_by
    assert relationship(bob, alice).blocked_by


def test_block_withdraws_pending_requests_both_ways():
    alice, bob = make_account("alice", locked=True), make_account("bob")
    actions.follow(bob, alice)
    actions.request_connection(alice, bob)
    actions.block(bob, alice)
    assert not FollowRequest.objects.exists()
    assert not ConnectionRequest.objects.exists()
    assert Notification.objects.count() == 0


def test_blocked_accounts_cannot_follow_or_connect_either_way():
    alice, bob = make_account("alice"), make_account("bob")
    actions.block(alice, bob)
    for actor, target in ((bob, alice), (alice, bob)):
        with pytest.raises(NotAllowed):
            actions.follow(actor, target)
        with pytest.raises(NotAllowed):
            actions.request_connection(actor, target)
    assert not Follow.objects.exists()
    assert not ConnectionRequest.objects.exists()
    assert Notification.objects.count() == 0


def test_unblock_lifts_the_block_but_restores_nothing():
    alice, bob = make_account("alice"), make_account("bob")
    actions.follow(bob, alice)
    actions.block(alice, bob)
    actions.unblock(alice, bob)
    actions.unblock(alice, bob)
    assert not Block.objects.exists()
    assert not Follow.objects.exists()
    assert actions.follow(bob, alice) == "following"


def test_block_removes_posts_from_both_home_feeds(run_tasks):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        actions.follow(alice, bob)
        actions.follow(bob, alice)
        a_post = posts.publish(alice, text="from alice")
        b_post = posts.publish(bob, text="from bob")
    assert b_post.pk in {p.pk for p in home_feed(alice).posts}
    assert a_post.pk in {p.pk for p in home_feed(bob).posts}
    with run_tasks():
        actions.block(bob, alice)
    assert b_post.pk not in {p.pk for p in home_feed(alice).posts}
    assert a_post.pk not in {p.pk for p in home_feed(bob).posts}


def test_mute_hides_posts_from_home_feed_and_unmute_brings_them_back(run_tasks):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        actions.follow(bob, alice)
        post = posts.publish(alice, text="hello")
    assert [p.pk for p in home_feed(bob).posts] == [post.pk]
    with run_tasks():
        actions.mute(bob, alice)
        actions.mute(bob, alice)
    assert home_feed(bob).posts == []
    assert relationship(bob, alice).following  # a mute is not an unfollow
    with run_tasks():
        actions.unmute(bob, alice)
    assert [p.pk for p in home_feed(bob).posts] == [post.pk]


def test_mute_hides_their_notifications():
    alice, bob = make_account("alice"), make_account("bob")
    actions.mute(alice, bob)
    actions.follow(bob, alice)
    assert notes(alice, NotificationKind.FOLLOW) == []
