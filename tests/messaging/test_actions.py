"""Direct messages: the rules, through actions and queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Account
from messaging import actions, queries
from messaging.models import (
    Conversation,
    DeclinedSender,
    Message,
    MessageMedia,
    Participant,
    RequestState,
)
from network import actions as network
from plaza.errors import ActionError, NotAllowed, NotFound
from posts.models import MediaAttachment, MediaKind, MediaState
from tests.factories import make_account
from tests.messaging.conftest import connect

pytestmark = pytest.mark.django_db


def _me(account: Account, conversation: Conversation) -> Participant:
    return Participant.objects.get(account=account, conversation=conversation)


def _texts(viewer: Account, conversation: Conversation) -> list[str]:
    view = queries.get_conversation_for(viewer, conversation.pk)
    return [
        i.message.text or ("<deleted>" if i.message.is_deleted else "")
        for i in queries.thread(viewer, view).items
    ]


def test_one_to_one_between_connections_goes_to_the_inbox(friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="Hi **Bo** <script>x</script>")
    assert c.kind == "one_to_one"
    assert _me(bo, c).request_state == RequestState.ACCEPTED
    message = Message.objects.get(conversation=c)
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert [r.conversation.pk for r in queries.inbox(bo).rows] == [c.pk]
    assert queries.inbox(bo).rows[0].unread == 1
    assert queries.unread_total(bo) == 1
    assert queries.inbox(ana).rows[0].unread == 0
    # Starting again reuses the same conversation.
    assert actions.start_conversation(bo, [ana], text="hey").pk == c.pk
    assert Conversation.objects.count() == 1


def test_following_counts_as_knowing(ana: Account, bo: Account) -> None:
    network.follow(bo, ana)  # bo follows ana: ana's messages reach bo's inbox
    c = actions.start_conversation(ana, [bo], text="hello")
    assert _me(bo, c).request_state == RequestState.ACCEPTED


def test_message_request_pending_then_accept(ana: Account, bo: Account) -> None:
    c = actions.start_conversation(ana, [bo], text="hello stranger")
    assert _me(bo, c).request_state == RequestState.PENDING
    assert queries.inbox(bo).rows == []
    assert [r.conversation.pk for r in queries.inbox(bo, requests=True).rows] == [c.pk]
    assert queries.requests_count(bo) == 1
    assert queries.unread_total(bo) == 0  # requests do not light the badge
    # The recipient may read it to decide.
    assert _texts(bo, c) == ["hello stranger"]
    actions.accept_request(bo, c)
    assert queries.requests_count(bo) == 0
    assert [r.conversation.pk for r in queries.inbox(bo).rows] == [c.pk]
    actions.send_message(bo, c, text="hi!")
    assert _texts(ana, c) == ["hello stranger", "hi!"]


def test_replying_to_a_request_accepts_it(ana: Account, bo: Account) -> None:
    c = actions.start_conversation(ana, [bo], text="hello")
    actions.send_message(bo, c, text="oh hi")
    assert _me(bo, c).request_state == RequestState.ACCEPTED


def test_decline_refuses_further_messages_until_connected(ana: Account, bo: Account) -> None:
    c = actions.start_conversation(ana, [bo], text="buy my stuff")
    actions.decline_request(bo, c)
    assert DeclinedSender.objects.filter(account=bo, sender=ana).exists()
    with pytest.raises(NotFound):
        queries.get_conversation_for(bo, c.pk)  # gone from bo's side
    with pytest.raises(NotAllowed, match="isn't accepting"):
        actions.send_message(ana, c, text="please?")
    with pytest.raises(NotAllowed):
        actions.start_conversation(ana, [bo], text="again")
    with pytest.raises(NotAllowed):
        actions.start_conversation(ana, [bo, make_account()], title="Group", text="sneaky")
    assert Message.objects.filter(conversation=c).count() == 1
    assert Conversation.objects.count() == 1  # the refused group was not half-created
    # Connecting re-enables messages.
    connect(ana, bo)
    actions.send_message(ana, c, text="now we're connected")
    assert _me(bo, c).request_state == RequestState.ACCEPTED
    assert _texts(bo, c)[-1] == "now we're connected"
    assert not DeclinedSender.objects.exists()


def test_only_requests_can_be_declined(friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="hi")
    with pytest.raises(ActionError):
        actions.decline_request(bo, c)


def test_blocked_either_way_cannot_message(friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="hi")
    network.block(bo, ana)
    with pytest.raises(NotAllowed):
        actions.send_message(ana, c, text="still there?")
    with pytest.raises(NotAllowed):
        actions.send_message(bo, c, text="blocked you")
    with pytest.raises(NotAllowed):
        actions.start_conversation(ana, [bo], text="x")
    carl = make_account("carl")
    network.block(carl, ana)
    with pytest.raises(NotAllowed):
        actions.start_conversation(ana, [carl, make_account()], title="Team")
    group = actions.start_conversation(ana, [make_account()], title="Team")
    with pytest.raises(NotAllowed):
        actions.add_people(ana, group, [carl])


def test_group_limit_is_fifty(ana: Account) -> None:
    people = [make_account() for _ in range(50)]
    with pytest.raises(ActionError, match="at most 50"):
        actions.start_conversation(ana, people, title="Too many")
    assert Conversation.objects.count() == 0
    c = actions.start_conversation(ana, people[:49], title="Just right")
    assert Participant.objects.filter(conversation=c).count() == 50
    with pytest.raises(ActionError, match="at most 50"):
        actions.add_people(ana, c, [people[49]])
    actions.leave(people[0], c)
    assert actions.add_people(ana, c, [people[49]]) == 1


def test_group_requests_are_per_person(ana: Account, bo: Account) -> None:
    connect(ana, bo)
    stranger = make_account("stranger")
    c = actions.start_conversation(ana, [bo, stranger], text="welcome")
    assert c.kind == "group"
    assert _me(bo, c).request_state == RequestState.ACCEPTED
    assert _me(stranger, c).request_state == RequestState.PENDING
    assert _me(ana, c).role == "owner"


def test_leave_group_and_ownership_passes_on(friends: Any) -> None:
    ana, bo = friends
    carl = make_account("carl")
    connect(ana, carl)
    c = actions.start_conversation(ana, [bo, carl], text="hi all")
    actions.leave(ana, c)
    with pytest.raises(NotFound):
        queries.get_conversation_for(ana, c.pk)
    assert _me(bo, c).role == "owner"
    with pytest.raises(NotFound):
        actions.send_message(ana, c, text="I'm back?")
    one = actions.start_conversation(bo, [carl], text="1:1")
    with pytest.raises(ActionError, match="only leave group"):
        actions.leave(bo, one)


def test_late_joiners_do_not_see_earlier_messages(friends: Any) -> None:
    ana, bo = friends
    carl = make_account("carl")
    connect(ana, carl)
    c = actions.start_conversation(ana, [bo], title="Plans", text="secret before carl")
    actions.add_people(ana, c, [carl])
    actions.send_message(ana, c, text="welcome carl")
    assert _texts(carl, c) == ["welcome carl"]
    assert _texts(bo, c) == ["secret before carl", "welcome carl"]


def test_edit_and_delete_for_everyone_within_window(friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="frist")
    m = Message.objects.get(conversation=c)
    actions.edit_message(ana, m, "first")
    m.refresh_from_db()
    assert m.text == "first" and m.edited_at is not None
    with pytest.raises(NotAllowed):
        actions.edit_message(bo, m, "not yours")
    with pytest.raises(NotAllowed):
        actions.delete_for_everyone(bo, m)
    with pytest.raises(ActionError):
        actions.edit_message(ana, m, "   ")
    Message.objects.filter(pk=m.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    m.refresh_from_db()
    with pytest.raises(ActionError, match="15 minutes"):
        actions.edit_message(ana, m, "too late")
    with pytest.raises(ActionError, match="15 minutes"):
        actions.delete_for_everyone(ana, m)
    second = actions.send_message(ana, c, text="oops")
    actions.delete_for_everyone(ana, second)
    assert _texts(bo, c) == ["first", "<deleted>"]
    second.refresh_from_db()
    assert second.text == "" and second.html == ""
    with pytest.raises(ActionError):
        actions.edit_message(ana, second, "undelete")


def test_delete_for_yourself_hides_only_for_you(friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="one")
    two = actions.send_message(bo, c, text="two")
    Message.objects.filter(pk=two.pk).update(created_at=timezone.now() - timedelta(days=9))
    actions.delete_for_me(ana, two)  # any message, any time
    assert _texts(ana, c) == ["one"]
    assert _texts(bo, c) == ["one", "two"]
    assert queries.inbox(ana).rows[0].last_hidden is True
    assert queries.inbox(bo).rows[0].last_message == two
    view = queries.get_conversation_for(ana, c.pk)
    with pytest.raises(NotFound):
        queries.get_message_for(ana, view, two.pk)


def test_reactions_and_replies(friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="party?")
    first = Message.objects.get(conversation=c)
    assert actions.add_reaction(bo, first, "🎉") is True
    assert actions.add_reaction(bo, first, "🎉") is False
    actions.add_reaction(ana, first, "🎉")
    actions.add_reaction(ana, first, "❤️")
    for bad in ("", "lol", "<b>", "🎉 🎉", "x" * 40):
        with pytest.raises(ActionError):
            actions.add_reaction(ana, first, bad)
    reply = actions.send_message(bo, c, text="yes!", reply_to=first)
    view = queries.get_conversation_for(ana, c.pk)
    items = queries.thread(ana, view).items
    assert [(r.emoji, r.count, r.mine) for r in items[0].reactions] == [
        ("🎉", 2, True),
        ("❤️", 1, True),
    ]
    assert items[1].reply_to == first
    assert actions.toggle_reaction(ana, first, "🎉") is False
    assert actions.remove_reaction(bo, first, "🎉") is True
    assert queries.thread(ana, view).items[0].reactions[0].emoji == "❤️"
    other = actions.start_conversation(ana, [make_account()], title="elsewhere", text="x")
    with pytest.raises(NotFound):
        actions.send_message(ana, other, text="cross", reply_to=reply)


def test_read_state_and_unread_counts(friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="1")
    m2 = actions.send_message(ana, c, text="2")
    actions.send_message(ana, c, text="3")
    assert _me(bo, c).unread_count == 3
    assert actions.mark_read(bo, c, up_to_id=m2.pk) is True
    assert _me(bo, c).unread_count == 1
    assert actions.mark_read(bo, c) is True
    assert _me(bo, c).unread_count == 0
    assert actions.mark_read(bo, c) is False
    view = queries.get_conversation_for(ana, c.pk)
    assert view.read_by(m2.pk) == [bo]


def test_mute_keeps_unread_out_of_the_badge(friends: Any) -> None:
    ana, bo = friends
    c = actions.start_conversation(ana, [bo], text="ping")
    assert queries.unread_total(bo) == 1
    actions.set_muted(bo, c, True)
    assert queries.unread_total(bo) == 0
    assert queries.inbox(bo).rows[0].unread == 1


def test_bad_input_writes_nothing(friends: Any) -> None:
    ana, bo = friends
    with pytest.raises(ActionError):
        actions.start_conversation(ana, [], text="to nobody")
    with pytest.raises(ActionError):
        actions.start_conversation(ana, [ana], text="to myself")
    with pytest.raises(ActionError):
        actions.start_conversation(ana, [bo], text="x" * 5001)
    with pytest.raises(ActionError):
        actions.start_conversation(ana, [bo, make_account()], title="t" * 101)
    with pytest.raises(ActionError):
        actions.start_conversation(ana, [bo], text="nul \x00")
    assert Conversation.objects.count() == 0
    c = actions.start_conversation(ana, [bo])
    with pytest.raises(ActionError):
        actions.send_message(ana, c, text="   ")
    assert not Message.objects.exists()


def test_media_attach_rules(friends: Any) -> None:
    ana, bo = friends

    def upload(owner: Account, kind: str = MediaKind.IMAGE) -> MediaAttachment:
        return MediaAttachment.objects.create(
            account=owner, kind=kind, state=MediaState.READY, content_type="image/png"
        )

    c = actions.start_conversation(ana, [bo])
    pic = upload(ana)
    message = actions.send_message(ana, c, media=[pic])
    assert MessageMedia.objects.get(message=message).media == pic
    with pytest.raises(ActionError, match="already attached"):
        actions.send_message(ana, c, media=[pic])
    with pytest.raises(NotFound):
        actions.send_message(ana, c, media=[upload(bo)])
    with pytest.raises(ActionError):
        actions.send_message(ana, c, media=[upload(ana) for _ in range(5)])
    view = queries.get_conversation_for(bo, c.pk)
    assert queries.thread(bo, view).items[0].media == [pic]
    assert set(queries.attached_media_ids()) == {pic.pk}
    actions.delete_for_everyone(ana, message)
    assert not MediaAttachment.objects.filter(pk=pic.pk).exists()


def test_nobody_outside_reads_or_writes(friends: Any) -> None:
    ana, bo = friends
    eve = make_account("eve")
    c = actions.start_conversation(ana, [bo], text="private")
    m = Message.objects.get(conversation=c)
    with pytest.raises(NotFound):
        queries.get_conversation_for(eve, c.pk)
    with pytest.raises(NotFound):
        queries.find_message(eve, m.pk)
    assert queries.inbox(eve).rows == []
    for attempt in (
        lambda: actions.send_message(eve, c, text="let me in"),
        lambda: actions.add_reaction(eve, m, "👍"),
        lambda: actions.delete_for_me(eve, m),
        lambda: actions.mark_read(eve, c),
        lambda: actions.set_muted(eve, c, True),
        lambda: actions.accept_request(eve, c),
        lambda: actions.edit_message(eve, m, "mine now"),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert not queries.can_access(eve.pk, c.pk)
    assert queries.can_access(bo.pk, c.pk)
