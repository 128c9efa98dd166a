"""The only write path for scheduled posts: schedule, reschedule, cancel, publish when due."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Visibility
from plaza.errors import ActionError, NotFound
from plaza.languages import clean_language
from posts.actions import check_publishable, publish
from posts.models import MediaAttachment, Post
from studio.models import ScheduledPost, ScheduledState

log = logging.getLogger(__name__)

# Like Mastodon: far enough ahead that "scheduled" means something, and a bounded queue.
MIN_LEAD_TIME = dt.timedelta(minutes=5)
MAX_PENDING = 300


def _check_time(scheduled_at: dt.datetime, now: dt.datetime | None) -> None:
    if timezone.is_naive(scheduled_at):
        raise ActionError("The scheduled time needs a time zone.", field="scheduled_at")
    now = now or timezone.now()
    if scheduled_at < now + MIN_LEAD_TIME:
        raise ActionError(
            "The scheduled time must be at least 5 minutes in the future.", field="scheduled_at"
        )


def schedule(
    account: Account,
    *,
    scheduled_at: dt.datetime,
    text: str = "",
    visibility: str | None = None,
    content_warning: str = "",
    sensitive: bool = False,
    in_reply_to: Post | None = None,
    quote_of: Post | None = None,
    media: Sequence[MediaAttachment] = (),
    now: dt.datetime | None = None,
    application_id: int = 0,
    language: str | None = None,
) -> ScheduledPost:
    """Keep a post to publish at ``scheduled_at`` (at least five minutes from ``now``).

    Everything :func:`posts.actions.publish` would refuse is refused now, so a scheduled post
    fails later only if the world changed meanwhile (its reply target was deleted, ...).
    ``in_reply_to``/``quote_of`` must come from :func:`posts.queries.get_post_for`.
    """
    _check_time(scheduled_at, now)
    visibility = visibility or account.default_visibility
    check_publishable(
        account,
        text=text,
        visibility=visibility,
        content_warning=content_warning,
        in_reply_to=in_reply_to,
        quote_of=quote_of,
        media=media,
        language=language,
    )
    language = None if language is None else clean_language(language)
    media_ids = [m.pk for m in media]
    pending = ScheduledPost.objects.filter(account=account, state=ScheduledState.SCHEDULED)
    if pending.count() >= MAX_PENDING:
        raise ActionError(f"You can have at most {MAX_PENDING} scheduled posts.")
    if media_ids:
        taken = {i for s in pending.exclude(media_ids=[]) for i in s.media_ids}
        if taken.intersection(media_ids):
            raise ActionError(
                "That media is already part of another scheduled post.", field="media"
            )
    if in_reply_to is not None and in_reply_to.reshare_of_id:
        in_reply_to = in_reply_to.reshare_of
    if quote_of is not None and quote_of.reshare_of_id:
        quote_of = quote_of.reshare_of
    return ScheduledPost.objects.create(
        account=account,
        text=text,
        visibility=visibility,
        content_warning=content_warning.strip(),
        sensitive=sensitive or bool(content_warning.strip()),
        in_reply_to_id=in_reply_to.pk if in_reply_to else None,
        quote_of_id=quote_of.pk if quote_of else None,
        media_ids=media_ids,
        scheduled_at=scheduled_at,
        application_id=application_id,
        language=language,
    )


def _own_pending(account: Account, scheduled: ScheduledPost) -> None:
    if scheduled.account_id != account.pk or scheduled.state != ScheduledState.SCHEDULED:
        raise NotFound("This scheduled post does not exist.")


def reschedule(
    account: Account,
    scheduled: ScheduledPost,
    *,
    scheduled_at: dt.datetime,
    now: dt.datetime | None = None,
) -> ScheduledPost:
    """Move a pending scheduled post to another time (at least five minutes ahead)."""
    _own_pending(account, scheduled)
    _check_time(scheduled_at, now)
    updated = ScheduledPost.objects.filter(pk=scheduled.pk, state=ScheduledState.SCHEDULED).update(
        scheduled_at=scheduled_at
    )
    if not updated:  # published or cancelled meanwhile
        raise NotFound("This scheduled post does not exist.")
    scheduled.scheduled_at = scheduled_at
    return scheduled


def cancel(account: Account, scheduled: ScheduledPost) -> None:
    """Drop a pending scheduled post. Its uploads stay, unattached, like a closed composer's."""
    _own_pending(account, scheduled)
    ScheduledPost.objects.filter(pk=scheduled.pk, state=ScheduledState.SCHEDULED).delete()


@dataclass
class Outcome:
    scheduled_id: int
    post_id: int | None
    error: str


def _fail(scheduled: ScheduledPost, reason: str) -> Outcome:
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        state=ScheduledState.FAILED, error=reason[:300]
    )
    return Outcome(scheduled.pk, None, reason)


def _publish_one(scheduled: ScheduledPost, now: dt.datetime) -> Outcome | None:
    with transaction.atomic():
        # Claim it first: a second run (or a retried task) finds nothing left to publish.
        claimed = ScheduledPost.objects.filter(
            pk=scheduled.pk, state=ScheduledState.SCHEDULED
        ).update(state=ScheduledState.PUBLISHED, published_at=now)
        if not claimed:
            return None
        in_reply_to = quote_of = None
        if scheduled.in_reply_to_id is not None:
            in_reply_to = (
                Post.objects.select_related("reshare_of")
                .filter(pk=scheduled.in_reply_to_id)
                .first()
            )
            if in_reply_to is None:
                return _fail(scheduled, "The post it replies to was deleted.")
        if scheduled.quote_of_id is not None:
            quote_of = (
                Post.objects.select_related("reshare_of").filter(pk=scheduled.quote_of_id).first()
            )
            if quote_of is None:
                return _fail(scheduled, "The post it quotes was deleted.")
        found = {m.pk: m for m in MediaAttachment.objects.filter(pk__in=scheduled.media_ids)}
        if len(found) != len(set(scheduled.media_ids)):
            return _fail(scheduled, "An attached file was removed.")
        try:
            with transaction.atomic():
                post = publish(
                    scheduled.account,
                    text=scheduled.text,
                    visibility=scheduled.visibility or Visibility.PUBLIC,
                    content_warning=scheduled.content_warning,
                    in_reply_to=in_reply_to,
                    quote_of=quote_of,
                    media=[found[i] for i in scheduled.media_ids],
                    language=scheduled.language,
                )
        except ActionError as exc:
            return _fail(scheduled, exc.message)
        ScheduledPost.objects.filter(pk=scheduled.pk).update(post=post)
        return Outcome(scheduled.pk, post.pk, "")


def publish_due(*, now: dt.datetime | None = None, limit: int = 200) -> list[Outcome]:
    """Publish every scheduled post due at ``now`` (default: the current time), oldest first.

    Idempotent and safe to run twice at once: each post is claimed before it is published.
    A post that can no longer be published (its reply target is gone, its media was removed)
    is marked ``failed`` with the reason; the others go on.
    """
    now = now or timezone.now()
    due = list(
        ScheduledPost.objects.filter(state=ScheduledState.SCHEDULED, scheduled_at__lte=now)
        .select_related("account")
        .order_by("scheduled_at", "id")[:limit]
    )
    outcomes: list[Outcome] = []
    for scheduled in due:
        try:
            outcome = _publish_one(scheduled, now)
        except Exception:  # one broken post must not hold back everyone else's
            log.exception("publishing scheduled post %s failed", scheduled.pk)
            outcome = _fail(scheduled, "This post could not be published.")
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes
