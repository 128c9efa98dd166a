"""Seed a believable demo community: people, brands, their graph and ninety days of activity.

:func:`seed` is what ``manage.py seed_demo`` runs. Everything is derived from one random
seed, so the same options give the same community.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from demo import activity, groups_dms, people
from demo.bulk import (
    SnowflakeMaker,
    bulk_insert,
    fan_out_all,
    fix_account_counters,
    fix_post_counters,
)
from demo.people import DEMO_PASSWORD, DEMO_USERNAME
from feeds.models import HomeFeedEntry
from notifications.models import Notification
from plaza.ids import id_for_time


@dataclass(frozen=True)
class SeedOptions:
    people: int = 200
    orgs: int = 10
    posts: int = 5000
    days: int = 90
    seed: int = 42


@dataclass(frozen=True)
class SeedResult:
    accounts: int
    follows: int
    connections: int
    posts: int
    likes: int
    media: int
    feed_entries: int
    notifications: int
    seconds: float
    groups: int = 0
    group_posts: int = 0
    conversations: int = 0
    messages: int = 0
    username: str = DEMO_USERNAME
    password: str = DEMO_PASSWORD


class AlreadySeeded(Exception):
    """The demo login exists already; seeding twice would collide."""


Progress = Callable[[str, int], Callable[[int], object]]


def _no_progress(_label: str, _total: int) -> Callable[[int], object]:
    return lambda _n: None


def seed(options: SeedOptions, progress: Progress = _no_progress) -> SeedResult:
    """Create the community in one transaction. ``progress(label, total)`` returns a tick
    function; the management command passes tqdm bars."""
    if options.people < 2 or options.orgs < 0 or options.posts < 1 or options.days < 1:
        raise ValueError("Need at least 2 people, 0 organizations, 1 post and 1 day.")
    if Account.objects.filter(username__iexact=DEMO_USERNAME).exists():
        raise AlreadySeeded(f"An account @{DEMO_USERNAME} exists already: the demo is seeded.")
    started = time.monotonic()
    rng = random.Random(options.seed)
    now = timezone.now().replace(microsecond=0)
    window_start = now - dt.timedelta(days=options.days)
    ids = SnowflakeMaker(rng)
    taken = {u.lower() for u in Account.objects.values_list("username", flat=True)}
    notes: list[Notification] = []
    with transaction.atomic():
        members = people.create_accounts(
            rng,
            people=options.people,
            orgs=options.orgs,
            now=window_start,
            taken=taken,
            tick=progress("accounts", options.people + options.orgs),
        )
        graph = people.build_graph(rng, members)
        people.store_graph(
            rng,
            graph,
            window_start=window_start,
            now=now,
            account_created={m.id: m.account.created_at for m in members},
            notifications=notes,
            ids=ids,
        )
        act = activity.generate(
            rng,
            members,
            graph,
            count=options.posts,
            window_start=window_start,
            now=now,
            ids=ids,
            # Drawing pictures is the slow part; a few hundred is plenty to look real.
            max_images=max(2, min(160, options.posts // 30)),
            max_documents=max(1, min(14, options.posts // 300)),
            tick=progress("posts", options.posts),
        )
        activity.likes_and_notifications(
            rng, members, graph, act, now=now, ids=ids, notifications=notes
        )
        tick = progress("writing", 4)
        activity.store(act)
        tick(1)
        bulk_insert(notes)
        min_post_id = id_for_time(window_start)
        fix_account_counters()
        fix_post_counters(min_post_id)
        tick(1)
        # Counters first: fan-out skips accounts above the fan-out limit, as the action does.
        entries = fan_out_all(min_post_id)
        tick(2)
        # Groups and messages through the actions (after the bulk fan-out: their posts are
        # fanned out by the publish action's own task, to members only).
        demo = next(m.account for m in members if m.account.username == DEMO_USERNAME)
        extra = groups_dms.seed(rng, members, graph, demo, progress)
    connections = sum(len(v) for v in graph.connected.values())
    return SeedResult(
        accounts=len(members),
        follows=len(graph.follows),
        connections=connections // 2,
        posts=len(act.posts),
        likes=len(act.likes),
        media=len(act.media),
        feed_entries=entries or HomeFeedEntry.objects.count(),
        notifications=len(notes),
        seconds=time.monotonic() - started,
        groups=extra.groups,
        group_posts=extra.group_posts,
        conversations=extra.conversations,
        messages=extra.messages,
    )
