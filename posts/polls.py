"""The write path for polls: the rules of a poll, voting, and a poll's end.

A poll is created with its post (:func:`posts.actions.publish` with ``poll=``) and changed by
an edit (:func:`posts.actions.edit`); both call in here inside their own transaction. The
limits are Mastodon's: 2 to 4 options of 1 to 50 characters, distinct (ignoring case); it runs
from 5 minutes to 30 days; the author can't vote in their own poll; one ballot per account.

When a poll ends, its author and its voters get a ``poll`` notification: a task is scheduled
for the moment it expires (:func:`posts.tasks.end_poll`), and a periodic sweep
(:func:`posts.tasks.end_due_polls`) catches any the scheduler lost. :func:`end` is idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from network.queries import is_blocked_either_way
from plaza.errors import ActionError, NotFound
from posts.models import Poll, PollOption, PollVote, Post
from posts.queries import can_see

MIN_OPTIONS = 2
MAX_OPTIONS = 4
MAX_OPTION_CHARS = 50
MIN_EXPIRES_IN = 5 * 60
MAX_EXPIRES_IN = 30 * 24 * 3600
# The composer's durations, in seconds, with their labels.
DURATIONS = (
    (300, "5 minutes"),
    (1800, "30 minutes"),
    (3600, "1 hour"),
    (21600, "6 hours"),
    (86400, "1 day"),
    (259200, "3 days"),
    (604800, "7 days"),
)
DEFAULT_DURATION = 86400
ALREADY_VOTED = "You have already voted in this poll."


@dataclass(frozen=True)
class PollSpec:
    """A poll as asked for: its options (as typed), how long it runs (seconds), whether
    several options may be chosen, and whether totals stay hidden until it ends."""

    options: tuple[str, ...]
    expires_in: int = DEFAULT_DURATION
    multiple: bool = False
    hide_totals: bool = False


def check(spec: PollSpec) -> PollSpec:
    """``spec`` with its options trimmed, or ActionError (field ``poll``) saying what is wrong."""
    options = tuple(o.strip() for o in spec.options)
    if len(options) < MIN_OPTIONS:
        raise ActionError(f"A poll needs at least {MIN_OPTIONS} options.", field="poll")
    if len(options) > MAX_OPTIONS:
        raise ActionError(f"A poll can have at most {MAX_OPTIONS} options.", field="poll")
    if any(not o for o in options):
        raise ActionError("Poll options can't be empty.", field="poll")
    for option in options:
        if len(option) > MAX_OPTION_CHARS:
            raise ActionError(
                f"A poll option can have at most {MAX_OPTION_CHARS} characters "
                f"(“{option[:20]}…” has {len(option)}).",
                field="poll",
            )
    if len({o.casefold() for o in options}) != len(options):
        raise ActionError("Poll options must be different from each other.", field="poll")
    if not MIN_EXPIRES_IN <= spec.expires_in <= MAX_EXPIRES_IN:
        raise ActionError("A poll runs from 5 minutes to 30 days.", field="poll")
    return PollSpec(options, spec.expires_in, spec.multiple, spec.hide_totals)


def create(post: Post, spec: PollSpec, now: datetime) -> Poll:
    """Attach a checked poll to a post being published (inside publish's transaction); the
    post instance gets it cached, so showing the new post reads nothing back."""
    poll = Poll.objects.create(
        post=post,
        expires_at=now + timedelta(seconds=spec.expires_in),
        multiple=spec.multiple,
        hide_totals=spec.hide_totals,
    )
    _create_options(poll, spec)
    Post.objects.filter(pk=post.pk).update(has_poll=True)
    post.has_poll = True
    post._state.fields_cache["poll"] = poll
    _schedule_end(poll)
    return poll


def _create_options(poll: Poll, spec: PollSpec) -> None:
    options = PollOption.objects.bulk_create(
        PollOption(poll=poll, position=n, title=title) for n, title in enumerate(spec.options)
    )
    poll.__dict__["_loaded_options"] = list(options)


def replace(post: Post, spec: PollSpec | None) -> None:
    """An edit's poll (inside edit's transaction): None removes the poll. The same options
    (and choice mode) keep the votes and only move the end; other options start over with no
    votes, as Mastodon does."""
    current = Poll.objects.filter(pk=post.pk).first() if post.has_poll else None
    if spec is None:
        if current is not None:
            current.delete()
            Post.objects.filter(pk=post.pk).update(has_poll=False)
            post.has_poll = False
        return
    expires_at = timezone.now() + timedelta(seconds=spec.expires_in)
    if current is None:
        create(post, spec, timezone.now())
        return
    same = (
        tuple(o.title for o in current.option_list) == spec.options
        and current.multiple == spec.multiple
    )
    current.expires_at = expires_at
    current.hide_totals = spec.hide_totals
    current.ended_at = None
    fields = ["expires_at", "hide_totals", "ended_at"]
    if not same:
        current.options.all().delete()  # their votes go with them
        current.multiple = spec.multiple
        current.votes_count = current.voters_count = 0
        fields += ["multiple", "votes_count", "voters_count"]
        _create_options(current, spec)
    current.save(update_fields=fields)
    _schedule_end(current)


def vote(actor: Account, target: Post | Poll, choices: Sequence[int]) -> Poll:
    """Cast ``actor``'s ballot: ``choices`` are option indexes (0-based). The voter must be
    able to see the post (NotFound otherwise, blocks either way included); not its author
    (Mastodon's rule); the poll still open; one choice unless it is multiple-choice; one
    ballot per account in a single-choice poll (ActionError :data:`ALREADY_VOTED`), more
    options added later in a multiple-choice one (each once). Returns the poll, counted."""
    post = target.post if isinstance(target, Poll) else target
    if post.reshare_of_id is not None:
        assert post.reshare_of is not None
        post = post.reshare_of
    if (
        not post.has_poll
        or not can_see(actor, post)
        or is_blocked_either_way(actor, post.author_id)
    ):
        raise NotFound("This poll does not exist or you can't see it.")
    poll = Poll.objects.get(pk=post.pk)
    if post.author_id == actor.pk:
        raise ActionError("You can't vote in your own poll.", field="choices")
    if poll.expired:
        raise ActionError("This poll has ended.", field="choices")
    wanted = list(dict.fromkeys(choices))
    options = poll.option_list
    if not wanted:
        raise ActionError("Choose an option.", field="choices")
    if any(not 0 <= c < len(options) for c in wanted):
        raise ActionError("That is not one of this poll's options.", field="choices")
    if len(wanted) > 1 and not poll.multiple:
        raise ActionError("This poll allows only one choice.", field="choices")
    before = set(
        PollVote.objects.filter(poll=poll, account=actor).values_list("option_id", flat=True)
    )
    chosen = [options[c] for c in wanted]
    # Mastodon's rule: a single-choice poll takes one ballot; in a multiple-choice poll a
    # voter may add options later, each option once.
    if before and not poll.multiple:
        raise ActionError(ALREADY_VOTED, field="choices")
    if any(o.pk in before for o in chosen):
        raise ActionError("You have already voted for that option.", field="choices")
    try:
        with transaction.atomic():
            PollVote.objects.bulk_create(
                PollVote(poll=poll, option=o, account=actor, choice_number=len(before) + n)
                for n, o in enumerate(chosen)
            )
            PollOption.objects.filter(pk__in=[o.pk for o in chosen]).update(
                votes_count=F("votes_count") + 1
            )
            Poll.objects.filter(pk=poll.pk).update(
                votes_count=F("votes_count") + len(chosen),
                voters_count=F("voters_count") + (0 if before else 1),
            )
    except IntegrityError:  # a ballot from a parallel request got in first
        raise ActionError(ALREADY_VOTED, field="choices")
    fresh = Poll.objects.get(pk=poll.pk)
    fresh.__dict__["_loaded_options"] = list(poll.options.order_by("position"))
    return fresh


def end(poll_id: int) -> bool:
    """Announce the end of a poll whose time is up: its author and voters are notified
    (once: a second call, or a call before the end, does nothing). True when it ended now."""
    from notifications.actions import notify_poll_ended

    now = timezone.now()
    with transaction.atomic():
        ended = Poll.objects.filter(pk=poll_id, ended_at__isnull=True, expires_at__lte=now).update(
            ended_at=now
        )
        if not ended:
            return False
        post = Post.objects.get(pk=poll_id)
        notify_poll_ended(post)
    return True


def end_due(limit: int = 500) -> int:
    """End every poll past its time that was not announced (the scheduled task was lost, or
    the poll's end moved); how many ended."""
    due = Poll.objects.filter(ended_at__isnull=True, expires_at__lte=timezone.now())
    ids = list(due.order_by("expires_at").values_list("pk", flat=True)[:limit])
    return sum(1 for poll_id in ids if end(poll_id))


def _schedule_end(poll: Poll) -> None:
    from posts.tasks import end_poll

    poll_id, expires_at = poll.pk, poll.expires_at

    def schedule() -> None:
        delay = max(0.0, (expires_at - timezone.now()).total_seconds())
        end_poll.schedule(args=(poll_id,), delay=delay)

    transaction.on_commit(schedule)
