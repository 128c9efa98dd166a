"""Demo groups and direct messages, written through the actions (they are few: ~15 groups,
a few hundred posts and messages), so memberships, counters, notifications, pins, answered
questions, unread counts and message requests are exactly what real use would leave.

The demo login is in several groups (public, private and secret; a moderator in one), has a
join request waiting and an invitation to answer, one-to-one and group conversations with
unread messages and reactions, and message requests from people it doesn't follow.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import Account, AccountKind
from demo.people import Graph, Member
from groups import actions as groups
from groups.models import Group
from messaging import actions as dms
from messaging.models import Conversation
from plaza.errors import ActionError, NotAllowed
from posts.actions import publish

# name, handle, description, topics, visibility, join policy, owned by an organization
GROUPS: list[tuple[str, str, str, list[str], str, str, bool]] = [
    ("Data Engineers", "data_engineers", "Pipelines, warehouses and the people who keep them "
     "running. Share war stories, ask for reviews, post jobs on Fridays.",
     ["dataengineering", "sql", "python"], "public", "open", False),
    ("Coffee Nerds", "coffee_nerds", "Brew ratios, grinders, single origins and the perfect "
     "espresso shot.", ["coffee", "espresso"], "public", "open", False),
    ("Book Circle", "book_circle", "One book a month, discussed slowly. Spoilers in replies "
     "only.", ["books", "reading"], "public", "request", False),
    ("Remote Work Club", "remote_club", "Async habits, home offices and staying sane across "
     "time zones.", ["remotework"], "public", "open", False),
    ("Design Critique", "design_crit", "Post your work-in-progress and get kind, specific "
     "feedback.", ["design", "ux"], "private", "request", False),
    ("Startup Founders", "founders", "Founders helping founders: fundraising, hiring, first "
     "customers.", ["startups", "growth"], "private", "request", False),
    ("Open Source Maintainers", "oss_maintainers", "Triage, burnout, funding and governance "
     "for people who maintain projects.", ["opensource"], "public", "open", False),
    ("Marketing Leads", "marketing_leads", "Campaign teardowns and budget talk for marketing "
     "leaders.", ["marketing", "growth"], "private", "request", False),
    ("Weekend Hikers", "weekend_hikers", "Trails, weather and car pools for Saturday walks.",
     ["hiking", "outdoors"], "public", "open", False),
    ("Plaza Team Offsite", "offsite_2026", "Planning the offsite. Invite only.",
     ["events"], "secret", "invite", False),
    ("Book Club Council", "book_council", "Picking next month's book.", ["books"],
     "secret", "invite", False),
    ("Brew & Co Community", "brewco", "The official community of Brew & Co: new roasts, "
     "events and your questions.", ["coffee"], "public", "open", True),
    ("Analytics Users", "analytics_users", "Questions and answers about our analytics product, "
     "with the product team.", ["analytics", "sql"], "public", "open", True),
    ("Beta Testers", "beta_testers", "Early builds and candid feedback. Request access.",
     ["launch"], "private", "request", True),
    ("Community Managers", "community_mgrs", "Moderation, events and growing healthy "
     "communities.", ["community", "events"], "public", "request", True),
]  # fmt: skip

THREADS = [
    ("discussion", "What is one tool you could not work without this year?"),
    ("discussion", "Sharing my notes from last week's meetup, happy to answer questions."),
    ("question", "Has anyone solved this before? Looking for a pointer, not a full answer."),
    ("question", "Which would you pick for a small team, and why?"),
    ("discussion", "Small win today: finally shipped the thing we talked about last month."),
    ("announcement", "Welcome to everyone who joined this week! Please read the rules first."),
]
REPLIES = [
    "Great question, following this.",
    "We tried that last year, happy to share what worked.",
    "+1, same experience here.",
    "I wrote a short guide on exactly this, will post it later.",
    "Depends on the team size, but I'd start simple.",
    "Thanks for sharing!",
]
CHATS = [
    "Hey! Are you going to the meetup on Thursday?",
    "Yes, I'll be there around six.",
    "Great, let's grab a coffee before.",
    "Did you see the thread in Data Engineers?",
    "Sending you the slides now.",
    "Thanks, that helps a lot.",
    "Can we move our call to Friday?",
    "Sure, Friday works.",
]
REQUESTS = [
    "Hi! Loved your post about onboarding. Could I ask you a couple of questions?",
    "Hello, we're hiring and I think you'd be a great fit. Open to a chat?",
    "Hi, we met at the conference last month. Mind if I send you the deck?",
]


@dataclass
class GroupsAndMessages:
    groups: int
    memberships: int
    group_posts: int
    conversations: int
    messages: int


def _pick(rng: random.Random, pool: list[Account], k: int, exclude: set[int]) -> list[Account]:
    options = [a for a in pool if a.pk not in exclude]
    return rng.sample(options, min(k, len(options)))


def seed_groups(
    rng: random.Random, members: list[Member], demo: Account, tick: Callable[[int], object]
) -> tuple[int, int, int]:
    """The groups, their members and discussions. Returns (groups, memberships, posts)."""
    people = [m.account for m in members if m.account.kind == AccountKind.PERSON]
    orgs = [m.account for m in members if m.account.kind == AccountKind.ORGANIZATION]
    others = [a for a in people if a.pk != demo.pk]
    joined = posts = 0
    # The demo login: member of these, requested one, invited to one, moderator of one.
    demo_in = {"data_engineers", "coffee_nerds", "design_crit", "offsite_2026", "remote_club"}
    demo_requests, demo_invited, demo_moderates = "founders", "book_council", "coffee_nerds"
    for name, handle, description, topics, visibility, policy, by_org in GROUPS:
        owner = rng.choice(orgs) if by_org and orgs else rng.choice(others)
        group = groups.create_group(
            owner, name=name, handle=handle, description=description, topics=topics,
            visibility=visibility, join_policy=policy,
            rules="Be kind. Stay on topic. No spam or self-promotion outside Fridays.",
            questions=["What brings you here?"] if policy == "request" else [],
        )  # fmt: skip
        crowd = _pick(rng, others, rng.randint(5, 18), {owner.pk})
        if handle in demo_in:
            crowd.append(demo)
        for account in crowd:
            joined += _add(group, owner, account)
        if handle == demo_requests:
            groups.join(demo, group, answers=["Building my second company."])
        if handle == demo_invited:
            groups.invite(owner, group, demo)
        pending = _pick(rng, others, 2, {a.pk for a in crowd} | {owner.pk})
        if policy == "request":
            for account in pending:  # requests left for the moderators to review
                groups.join(account, group, answers=["Curious about the topic."])
        moderator = demo if handle == demo_moderates else (crowd[0] if crowd else None)
        if moderator is not None:
            groups.promote(owner, group, moderator)
        posts += _discussions(rng, group, owner, crowd)
        tick(1)
    return len(GROUPS), joined + len(GROUPS), posts


def _add(group: Group, owner: Account, account: Account) -> int:
    if group.join_policy == "open":
        groups.join(account, group)
    elif group.join_policy == "request":
        groups.join(account, group, answers=["Here to learn."])
        groups.approve_request(owner, group, account)
    else:
        groups.invite(owner, group, account)
        groups.accept_invite(account, group)
    return 1


def _discussions(rng: random.Random, group: Group, owner: Account, crowd: list[Account]) -> int:
    """Threads with replies; questions (some answered), an announcement, a pinned post."""
    authors = [owner, *crowd]
    n = 0
    pinned = False
    for kind, text in rng.sample(THREADS, rng.randint(3, len(THREADS))):
        author = owner if kind == "announcement" else rng.choice(authors)
        thread = publish(author, text=text, group=group, group_kind=kind)
        n += 1
        for _ in range(rng.randint(0, 4)):
            replier = rng.choice(authors)
            publish(replier, text=rng.choice(REPLIES), in_reply_to=thread)
            n += 1
        if kind == "question" and rng.random() < 0.6:
            groups.mark_answered(author, thread)
        if not pinned and kind in ("announcement", "discussion"):
            groups.pin_post(owner, group, thread)
            pinned = True
    return n


def seed_messages(
    rng: random.Random, members: list[Member], graph: Graph, demo: Account,
    tick: Callable[[int], object],
) -> tuple[int, int]:  # fmt: skip
    """The demo login's conversations, requests from strangers, and a few between others.
    Returns (conversations, messages)."""
    people = [m.account for m in members if m.account.kind == AccountKind.PERSON]
    by_id = {a.pk: a for a in people}
    friends = [by_id[i] for i in sorted(graph.connected.get(demo.pk, set())) if i in by_id]
    follows_demo = graph.following.get(demo.pk, set())
    strangers = [
        a for a in people
        if a.pk != demo.pk and a.pk not in follows_demo
        and a.pk not in graph.connected.get(demo.pk, set())
    ]  # fmt: skip
    friends = friends or [a for a in people if a.pk in follows_demo][:6]
    conversations = messages = 0
    for friend in friends[:6]:  # one-to-one, last word from the friend: unread
        conv = dms.start_conversation(demo, [friend], text=CHATS[0])
        messages += 1 + _chat(rng, conv, [friend, demo], rng.randint(2, 6), last=friend)
        conversations += 1
    tick(1)
    titles = ["Meetup organisers", "Book club picks", "Friday lunch"]
    for title in titles:  # group conversations
        pool = list({a.pk: a for a in [*friends, *people]}.values())
        crowd = _pick(rng, pool, rng.randint(3, 5), {demo.pk})
        if len(crowd) < 2:
            continue
        conv = dms.start_conversation(demo, crowd, title=title, text=f"Welcome to {title}!")
        messages += 1 + _chat(rng, conv, [demo, *crowd], rng.randint(3, 8), last=crowd[0])
        conversations += 1
    tick(1)
    for stranger, text in zip(strangers[:3], REQUESTS, strict=False):  # pending requests
        try:
            dms.start_conversation(stranger, [demo], text=text)
        except (ActionError, NotAllowed):  # a block in the generated graph: skip them
            continue
        conversations += 1
        messages += 1
    for _ in range(8):  # others talk too (not visible to the demo login)
        a, b = rng.sample([p for p in people if p.pk != demo.pk], 2)
        try:
            conv = dms.start_conversation(a, [b], text=rng.choice(CHATS))
            messages += 1 + _chat(rng, conv, [a, b], rng.randint(1, 4), last=None)
        except (ActionError, NotAllowed):
            continue
        conversations += 1
    tick(1)
    return conversations, messages


def _chat(
    rng: random.Random, conv: Conversation, who: list[Account], n: int, last: Account | None
) -> int:
    """``n`` more messages alternating among ``who`` (``last`` sends the final one), with a
    reaction now and then."""
    sent = 0
    previous = None
    for i in range(n):
        sender = last if (last is not None and i == n - 1) else who[i % len(who)]
        message = dms.send_message(sender, conv, text=rng.choice(CHATS))
        sent += 1
        if previous is not None and rng.random() < 0.3 and previous.sender_id != sender.pk:
            dms.add_reaction(sender, previous, rng.choice(["👍", "❤️", "😂", "🎉"]))
        previous = message
    return sent


def seed(
    rng: random.Random, members: list[Member], graph: Graph, demo: Account,
    progress: Callable[[str, int], Callable[[int], object]],
) -> GroupsAndMessages:  # fmt: skip
    """Groups, their discussions and direct messages for the demo community."""
    g, memberships, posts = seed_groups(rng, members, demo, progress("groups", len(GROUPS)))
    conversations, messages = seed_messages(rng, members, graph, demo, progress("messages", 3))
    return GroupsAndMessages(g, memberships, posts, conversations, messages)
