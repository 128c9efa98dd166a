"""Scheduled posts: scheduling rules and publishing when due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Visibility
from network import actions as network
from plaza.errors import ActionError, NotFound
from posts import actions as posts
from posts.media import discard, upload_media
from posts.models import Post
from studio import actions, queries
from studio.models import ScheduledPost, ScheduledState
from studio.tasks import publish_scheduled_posts
from tests.factories import make_account
from tests.posts.helpers import jpeg_upload

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_schedule_needs_five_minutes_lead() -> None:
    alice = make_account("alice")
    with pytest.raises(ActionError):
        actions.schedule(alice, text="x", scheduled_at=NOW + dt.timedelta(minutes=4), now=NOW)
    with pytest.raises(ActionError):
        actions.schedule(alice, text="x", scheduled_at=dt.datetime(2030, 1, 1, 13), now=NOW)
    s = actions.schedule(alice, text="x", scheduled_at=NOW + dt.timedelta(minutes=5), now=NOW)
    assert s.state == ScheduledState.SCHEDULED
    assert s.visibility == alice.default_visibility


def test_schedule_checks_what_publish_checks() -> None:
    alice, bob = make_account("alice"), make_account("bob")
    with pytest.raises(ActionError):
        actions.schedule(alice, text="", scheduled_at=NOW + HOUR, now=NOW)
    with pytest.raises(ActionError):
        actions.schedule(alice, text="x", visibility="everyone", scheduled_at=NOW + HOUR, now=NOW)
    theirs = upload_media(bob, jpeg_upload((30, 30)))
    with pytest.raises(NotFound):
        actions.schedule(alice, text="x", media=[theirs], scheduled_at=NOW + HOUR, now=NOW)
    followers_only = posts.publish(bob, text="f", visibility=Visibility.FOLLOWERS)
    with pytest.raises(NotFound):
        actions.schedule(
            alice, text="x", in_reply_to=followers_only, scheduled_at=NOW + HOUR, now=NOW
        )
    assert not ScheduledPost.objects.exists()


def test_reschedule_and_cancel_only_own_pending() -> None:
    alice, bob = make_account("alice"), make_account("bob")
    s = actions.schedule(alice, text="x", scheduled_at=NOW + HOUR, now=NOW)
    with pytest.raises(NotFound):
        actions.reschedule(bob, s, scheduled_at=NOW + 2 * HOUR, now=NOW)
    with pytest.raises(NotFound):
        actions.cancel(bob, s)
    actions.reschedule(alice, s, scheduled_at=NOW + 2 * HOUR, now=NOW)
    assert ScheduledPost.objects.get().scheduled_at == NOW + 2 * HOUR
    with pytest.raises(NotFound):
        queries.get_pending_for(bob, s.pk)
    actions.cancel(alice, s)
    assert not ScheduledPost.objects.exists()


def test_publish_due_publishes_in_order_and_once() -> None:
    alice = make_account("alice")
    first = actions.schedule(alice, text="first", scheduled_at=NOW + HOUR, now=NOW)
    second = actions.schedule(alice, text="second", scheduled_at=NOW + 2 * HOUR, now=NOW)
    assert actions.publish_due(now=NOW) == []
    done = actions.publish_due(now=NOW + HOUR)
    assert [o.scheduled_id for o in done] == [first.pk]
    done = actions.publish_due(now=NOW + 3 * HOUR)
    assert [o.scheduled_id for o in done] == [second.pk]
    assert actions.publish_due(now=NOW + 3 * HOUR) == []
    assert list(Post.objects.order_by("id").values_list("text", flat=True)) == ["first", "second"]
    first.refresh_from_db()
    assert first.state == ScheduledState.PUBLISHED and first.post is not None
    assert queries.pending(alice) == []


def test_a_failing_post_does_not_hold_back_others() -> None:
    alice, bob = make_account("alice"), make_account("bob")
    target = posts.publish(bob, text="t", visibility=Visibility.PUBLIC)
    quoted = posts.publish(bob, text="q", visibility=Visibility.PUBLIC)
    media = upload_media(alice, jpeg_upload((30, 30)))
    when = NOW + HOUR
    blocked = actions.schedule(alice, text="r", in_reply_to=target, scheduled_at=when, now=NOW)
    quoting = actions.schedule(alice, text="q", quote_of=quoted, scheduled_at=when, now=NOW)
    with_media = actions.schedule(alice, media=[media], scheduled_at=when, now=NOW)
    fine = actions.schedule(alice, text="fine", scheduled_at=when, now=NOW)
    network.block(bob, alice)  # the reply target is now out of reach
    posts.delete(bob, quoted)
    discard(media)
    outcomes = {o.scheduled_id: o for o in actions.publish_due(now=when)}
    assert outcomes[fine.pk].post_id is not None
    assert "does not exist" in outcomes[blocked.pk].error
    assert outcomes[quoting.pk].error == "The post it quotes was deleted."
    assert outcomes[with_media.pk].error == "An attached file was removed."
    assert ScheduledPost.objects.filter(state=ScheduledState.FAILED).count() == 3
    assert list(Post.objects.filter(author=alice).values_list("text", flat=True)) == ["fine"]


def test_media_attached_elsewhere_meanwhile_fails_cleanly() -> None:
    alice = make_account("alice")
    media = upload_media(alice, jpeg_upload((30, 30)))
    s = actions.schedule(alice, media=[media], scheduled_at=NOW + HOUR, now=NOW)
    posts.publish(alice, text="now", media=[media])
    [outcome] = actions.publish_due(now=NOW + HOUR)
    assert outcome.scheduled_id == s.pk and "already attached" in outcome.error
    assert Post.objects.count() == 1


def test_periodic_task_runs_publish_due() -> None:
    alice = make_account("alice")
    soon = timezone.now() + dt.timedelta(minutes=6)
    s = actions.schedule(alice, text="x", scheduled_at=soon)
    ScheduledPost.objects.filter(pk=s.pk).update(scheduled_at=timezone.now() - HOUR)
    publish_scheduled_posts()
    s.refresh_from_db()
    assert s.state == ScheduledState.PUBLISHED
    assert Post.objects.get().text == "x"


def test_reserved_media_ids() -> None:
    alice = make_account("alice")
    media = upload_media(alice, jpeg_upload((30, 30)))
    assert queries.reserved_media_ids() == set()
    s = actions.schedule(alice, media=[media], scheduled_at=NOW + HOUR, now=NOW)
    assert queries.reserved_media_ids() == {media.pk}
    actions.cancel(alice, s)
    assert queries.reserved_media_ids() == set()


def test_old_uploads_of_a_scheduled_post_are_not_discarded_as_abandoned() -> None:
    from posts.models import MediaAttachment
    from posts.tasks import discard_abandoned_uploads

    author = make_account("planner")
    kept = upload_media(author, jpeg_upload((30, 30)))
    dropped = upload_media(author, jpeg_upload((30, 30)))
    actions.schedule(
        author, text="later", media=[kept], scheduled_at=timezone.now() + dt.timedelta(days=3)
    )
    MediaAttachment.objects.filter(pk__in=[kept.pk, dropped.pk]).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    discard_abandoned_uploads.call_local()
    assert MediaAttachment.objects.filter(pk=kept.pk).exists()
    assert not MediaAttachment.objects.filter(pk=dropped.pk).exists()
