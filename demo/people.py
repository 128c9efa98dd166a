"""The demo community's accounts and the graph between them.

Popularity is heavy-tailed: every account gets a Zipf weight, and follows pick targets in
proportion to it (boosted for shared interests), so a few accounts have most followers, like
preferential attachment produces. Connections are mutual and mostly between people who
already follow each other. All relationships predate the posts, so home feeds are exactly
what fan-out of each post delivers (no backfill ever happened).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db.models import FileField

from accounts.bio import render_bio
from accounts.models import Account, AccountKind, User, Visibility
from demo import images, texts
from demo.bulk import SnowflakeMaker, bulk_insert
from network.models import Connection, ConnectionRequest, Follow, FollowRequest
from notifications.models import Notification, NotificationKind

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password-2026"
Tick = Callable[[int], object]


@dataclass
class Member:
    account: Account
    topic: str
    weight: float  # popularity: how likely others follow this account
    activity: float  # how often this account posts
    interests: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.account.pk


@dataclass
class Graph:
    follows: dict[tuple[int, int], bool] = field(default_factory=dict)  # -> show_reshares
    followers: dict[int, set[int]] = field(default_factory=dict)
    following: dict[int, set[int]] = field(default_factory=dict)
    connected: dict[int, set[int]] = field(default_factory=dict)
    follow_requests: set[tuple[int, int]] = field(default_factory=set)
    connection_requests: set[tuple[int, int]] = field(default_factory=set)

    def add_follow(self, follower: int, target: int, show_reshares: bool = True) -> None:
        self.follows[(follower, target)] = show_reshares
        self.followers.setdefault(target, set()).add(follower)
        self.following.setdefault(follower, set()).add(target)

    def add_connection(self, a: int, b: int) -> None:
        self.connected.setdefault(a, set()).add(b)
        self.connected.setdefault(b, set()).add(a)

    def audience(self, author: int) -> set[int]:
        return self.followers.get(author, set()) | self.connected.get(author, set())


def _username(rng: random.Random, first: str, last: str, taken: set[str]) -> str:
    f, last_ = first.lower(), last.lower().replace(" ", "")
    options = [f"{f}{last_}", f"{f}_{last_}", f"{f[0]}{last_}", f"{f}{last_[0]}", f"{last_}{f[0]}"]
    rng.shuffle(options)
    for name in [*options, *(f"{f}{last_}{n}" for n in range(2, 500))]:
        name = name[:30]
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of usernames")


def _save_image(account: Account, field_name: str, data: bytes, ext: str) -> str:
    image_field = Account._meta.get_field(field_name)
    assert isinstance(image_field, FileField)
    name = image_field.generate_filename(account, f"{account.username}-{field_name}.{ext}")
    return image_field.storage.save(name, ContentFile(data))


def create_accounts(
    rng: random.Random,
    *,
    people: int,
    orgs: int,
    now: dt.datetime,
    taken: set[str],
    tick: Tick,
) -> list[Member]:
    """Users and accounts (the demo login first), with avatars and some headers saved."""
    ids = SnowflakeMaker(rng)
    password = make_password(DEMO_PASSWORD)  # one hash: Argon2 is slow by design
    topics = list(texts.TOPICS)
    specs: list[dict[str, object]] = []
    specs.append(
        {
            "username": DEMO_USERNAME,
            "name": "Jordan Avery",
            "kind": AccountKind.PERSON,
            "topic": "product",
            "bio": "Product marketer exploring Plaza. I like launches, data stories and a good flat white.",
            "location": "Lisbon, Portugal",
            "website": "https://jordanavery.example",
            "first": "Jordan",
            "last": "Avery",
        }
    )
    taken.add(DEMO_USERNAME)
    for org in (texts.ORGS * (orgs // len(texts.ORGS) + 1))[:orgs]:
        username = org.username if org.username not in taken else f"{org.username}{len(taken)}"
        taken.add(username)
        specs.append(
            {
                "username": username[:30],
                "name": org.name,
                "kind": AccountKind.ORGANIZATION,
                "topic": org.topic,
                "bio": org.bio,
                "location": org.location,
                "website": org.website,
                "first": "",
                "last": "",
            }
        )
    for _ in range(people - 1):
        first, last = rng.choice(texts.FIRST_NAMES), rng.choice(texts.LAST_NAMES)
        topic = rng.choice(topics)
        location = rng.choice(texts.LOCATIONS)
        bio, _title = texts.person_bio(rng, topic, location)
        username = _username(rng, first, last, taken)
        specs.append(
            {
                "username": username,
                "name": f"{first} {last}",
                "kind": AccountKind.PERSON,
                "topic": topic,
                "bio": bio,
                "location": location,
                "website": f"https://{username}.example" if rng.random() < 0.3 else "",
                "first": first,
                "last": last,
            }
        )

    users = [
        User(
            username=str(s["username"]),
            email=f"{s['username']}@plaza.example",
            password=password,
            first_name=str(s["first"]),
            last_name=str(s["last"]),
            time_zone=rng.choice(["UTC", "Europe/Lisbon", "Europe/Berlin", "America/New_York"]),
        )
        for s in specs
    ]
    User.objects.bulk_create(users)
    if any(u.pk is None for u in users):  # backends that don't return ids
        by_name = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list(
                "username", "id"
            )
        )
        for u in users:
            u.pk = by_name[u.username]

    members: list[Member] = []
    for rank, (spec, user) in enumerate(zip(specs, users, strict=True)):
        created = now - dt.timedelta(days=rng.uniform(200, 1100))
        kind = str(spec["kind"])
        topic = str(spec["topic"])
        tags = texts.TOPICS[topic][0]
        other = texts.TOPICS[rng.choice(topics)][0]
        interests = sorted({*rng.sample(tags, k=min(3, len(tags))), rng.choice(other)})
        locked = kind == AccountKind.PERSON and rank > 0 and rng.random() < 0.04
        account = Account(
            id=ids(created),
            user_id=user.pk,
            username=str(spec["username"]),
            kind=kind,
            display_name=str(spec["name"]),
            bio=str(spec["bio"]),
            bio_html=render_bio(str(spec["bio"])),
            location=str(spec["location"]),
            website=str(spec["website"]),
            interests=interests,
            locked=locked,
            default_visibility=Visibility.FOLLOWERS if locked else Visibility.PUBLIC,
            created_at=created,
        )
        is_org = kind == AccountKind.ORGANIZATION
        account.avatar.name = _save_image(
            account, "avatar", images.avatar(rng, account.display_name, geometric=is_org), "png"
        )
        if is_org or rank == 0 or rng.random() < 0.2:
            account.header.name = _save_image(account, "header", images.header(rng), "jpg")
        # Zipf-like popularity with a random shuffle of ranks; brands and the demo login are
        # somewhat better known than average.
        weight = 1.0 / (rng.randint(1, len(specs)) ** 0.9) * (3.0 if is_org else 1.0)
        activity = rng.lognormvariate(0, 0.9) * (2.0 if is_org else 1.0)
        if rank == 0:
            activity = 2.5  # the demo login should have a profile worth looking at
        members.append(Member(account, topic, weight, activity, interests))
        tick(1)
    bulk_insert([m.account for m in members])
    return members


def build_graph(rng: random.Random, members: list[Member]) -> Graph:
    """Heavy-tailed follows, mutual connections and some pending requests, in memory."""
    graph = Graph()
    demo = members[0]
    ids = [m.id for m in members]
    n = len(members)
    for m in members:
        weights = [
            o.weight * (3.0 if o.topic == m.topic else 1.0) * (0.0 if o.id == m.id else 1.0)
            for o in members
        ]
        if m is demo:
            k = min(n - 1, max(8, int(n * 0.3)))
        elif m.account.kind == AccountKind.ORGANIZATION:
            k = min(n - 1, max(2, int(rng.lognormvariate(math.log(8), 0.6))))
        else:
            k = min(n - 1, max(3, int(rng.lognormvariate(math.log(max(4, n * 0.1)), 0.7))))
        chosen: set[int] = set()
        for target in rng.choices(ids, weights=weights, k=k * 3):
            if len(chosen) >= k:
                break
            chosen.add(target)
        for target in chosen:
            graph.add_follow(m.id, target, show_reshares=rng.random() > 0.05)
    by_id = {m.id: m for m in members}
    # Locked accounts approved most followers; the rest are still waiting.
    for follower, target in list(graph.follows):
        if by_id[target].account.locked and rng.random() < 0.3 and follower != demo.id:
            del graph.follows[(follower, target)]
            graph.followers[target].discard(follower)
            graph.following[follower].discard(target)
            graph.follow_requests.add((follower, target))
    # The demo login is followed back by a fair share of the community.
    for m in rng.sample(members[1:], k=min(n - 1, max(3, n // 5))):
        if (m.id, demo.id) not in graph.follows:
            graph.add_follow(m.id, demo.id)
    people = [m for m in members if m.account.kind == AccountKind.PERSON]
    for m in people:
        mutual = [
            t
            for t in graph.following.get(m.id, ())
            if m.id in graph.following.get(t, ()) and by_id[t].account.kind == AccountKind.PERSON
        ]
        for t in mutual:
            if rng.random() < 0.5:
                graph.add_connection(m.id, t)
    for m in rng.sample(people[1:], k=min(len(people) - 1, max(2, n // 12))):
        graph.add_connection(demo.id, m.id)
    # Pending connection requests: a few to the demo login, some between others.
    connected = graph.connected
    candidates = [m for m in people[1:] if m.id not in connected.get(demo.id, set())]
    for m in rng.sample(candidates, k=min(len(candidates), 5)):
        graph.connection_requests.add((m.id, demo.id))
    for _ in range(n // 4):
        a, b = rng.sample(people, 2)
        if b.id not in connected.get(a.id, set()) and (b.id, a.id) not in graph.connection_requests:
            graph.connection_requests.add((a.id, b.id))
    locked = [m for m in members if m.account.locked and (demo.id, m.id) not in graph.follows]
    if locked:
        graph.follow_requests.add((demo.id, rng.choice(locked).id))
    return graph


def store_graph(
    rng: random.Random,
    graph: Graph,
    *,
    window_start: dt.datetime,
    now: dt.datetime,
    account_created: dict[int, dt.datetime],
    notifications: list[Notification],
    ids: SnowflakeMaker,
) -> None:
    """Write follows, connections and pending requests. Ties all date from before the post
    window; pending requests are recent and notified, as the actions would have done."""

    def before_window(a: int, b: int) -> dt.datetime:
        start = max(account_created[a], account_created[b])
        return start + (window_start - start) * rng.uniform(0.05, 0.98)

    bulk_insert(
        [
            Follow(
                follower_id=f,
                target_id=t,
                show_reshares=show,
                notify=False,
                created_at=before_window(f, t),
            )
            for (f, t), show in graph.follows.items()
        ]
    )
    rows: list[Connection] = []
    for a, others in graph.connected.items():
        for b in others:
            if a < b:
                when = before_window(a, b)
                rows += [
                    Connection(account_id=a, other_id=b, created_at=when),
                    Connection(account_id=b, other_id=a, created_at=when),
                ]
    bulk_insert(rows)

    def recent() -> dt.datetime:
        return now - dt.timedelta(hours=rng.uniform(1, 24 * 12))

    requests: list[FollowRequest] = []
    for requester, target in sorted(graph.follow_requests):
        when = recent()
        requests.append(FollowRequest(requester_id=requester, target_id=target, created_at=when))
        notifications.append(
            Notification(
                id=ids(when),
                recipient_id=target,
                actor_id=requester,
                kind=NotificationKind.FOLLOW_REQUEST,
                created_at=when,
            )
        )
    bulk_insert(requests)
    notes = [
        "",
        "Loved your talk last month, let's stay in touch!",
        "We met at the meetup in spring — great chatting with you.",
        "Would love to swap notes on launches sometime.",
        "",
    ]
    conn_requests: list[ConnectionRequest] = []
    for requester, target in sorted(graph.connection_requests):
        when = recent()
        conn_requests.append(
            ConnectionRequest(
                requester_id=requester, target_id=target, note=rng.choice(notes), created_at=when
            )
        )
        notifications.append(
            Notification(
                id=ids(when),
                recipient_id=target,
                actor_id=requester,
                kind=NotificationKind.CONNECTION_REQUEST,
                created_at=when,
            )
        )
    bulk_insert(conn_requests)
