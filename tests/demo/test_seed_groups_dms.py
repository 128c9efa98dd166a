"""The demo's groups and direct messages: varied groups with members, discussions, answered
questions, pins and announcements; conversations, requests, reactions and unread messages
for the demo login; counters agree with the rows."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from accounts.models import Account, AccountKind
from groups.models import Group, GroupPin, Invitation, JoinRequest, Membership
from messaging.models import Conversation, Message, MessageReaction, Participant
from posts.models import Post

pytestmark = pytest.mark.django_db

TINY = ["--people", "12", "--orgs", "2", "--posts", "80", "--seed", "7"]


def _seed(*options: str) -> str:
    out = StringIO()
    call_command("seed_demo", *options, stdout=out, verbosity=0)
    return out.getvalue()


def test_demo_groups_are_varied_and_consistent(_media_root) -> None:
    output = _seed(*TINY)
    assert "groups with" in output and "conversations with" in output
    groups = Group.objects.all()
    assert groups.count() == 15
    assert set(groups.values_list("visibility", flat=True)) == {"public", "private", "secret"}
    assert set(groups.values_list("join_policy", flat=True)) == {"open", "request", "invite"}
    assert groups.filter(owner__kind=AccountKind.ORGANIZATION).count() >= 3
    # member_count is what the rows say (active members only).
    for g in groups.annotate(n=Count("memberships", filter=Q(memberships__state="active"))):
        assert g.member_count == g.n and g.member_count >= 2
    # Discussions: threads with replies, answered questions, announcements, pins.
    posts = Post.objects.filter(group__isnull=False)
    assert posts.filter(in_reply_to__isnull=False).exists()
    assert posts.filter(group_kind="question", answered_at__isnull=False).exists()
    assert posts.filter(group_kind="announcement").exists()
    assert GroupPin.objects.count() >= 10
    # Every group post's author is an active member; replies stay in their thread's group.
    for post in posts.select_related("in_reply_to"):
        assert post.group_id is not None
        assert Membership.objects.filter(
            group_id=post.group_id, account_id=post.author_id, state="active"
        ).exists()
        if post.in_reply_to is not None:
            assert post.in_reply_to.group_id == post.group_id
    # Counters still agree with the rows after the actions wrote more posts.
    for account in Account.objects.annotate(n_posts=Count("posts", distinct=True)):
        assert account.posts_count == account.n_posts


def test_demo_login_has_groups_requests_and_messages(_media_root) -> None:
    _seed(*TINY)
    demo = Account.objects.get(username="demo")
    mine = Membership.objects.filter(account=demo, state="active")
    assert {m.group.visibility for m in mine} >= {"public", "private", "secret"}
    assert mine.filter(role="moderator").exists()
    assert JoinRequest.objects.filter(account=demo).exists()
    assert Invitation.objects.filter(account=demo).exists()
    assert JoinRequest.objects.exclude(account=demo).exists()  # for moderators to review
    # Conversations: one-to-one and group ones, unread messages, reactions, pending requests.
    rows = Participant.objects.filter(account=demo)
    kinds = set(
        Conversation.objects.filter(participants__account=demo).values_list("kind", flat=True)
    )
    assert kinds == {"one_to_one", "group"}
    assert rows.filter(unread_count__gt=0, request_state="accepted").exists()
    assert rows.filter(request_state="pending").exists()
    assert MessageReaction.objects.exists()
    # Unread counts agree with the messages after each participant's read marker.
    for p in Participant.objects.all():
        newer = Message.objects.filter(conversation_id=p.conversation_id).exclude(
            sender_id=p.account_id
        )
        if p.last_read_message_id is not None:
            newer = newer.filter(pk__gt=p.last_read_message_id)
        assert p.unread_count == newer.count(), p


def test_default_seed_stays_fast(_media_root) -> None:
    started = time.process_time()  # CPU, not wall time: others' load on the machine
    _seed("--seed", "3")
    assert time.process_time() - started < 40  # ~20 s on the reference machine
    assert Group.objects.count() == 15 and Message.objects.count() > 50
