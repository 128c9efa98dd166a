"""Group web pages, the success paths: each form a member or moderator uses does what it says
(the denials are in test_groups.py and tests/moderation). Through the Django test client, as
people use them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from groups import actions
from groups.models import Group, GroupPin, Invitation, JoinRequest, Membership, MemberState, Role
from notifications.models import Notification, NotificationKind
from posts import actions as posts
from posts.models import MediaAttachment, Post
from tests.factories import make_account
from tests.posts.helpers import image_bytes, jpeg_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """Group "guild" (private, request to join) with its owner, a moderator and a member."""
    people = {n: make_account(n) for n in ("owner", "mod", "member", "guest")}
    group = actions.create_group(
        people["owner"], name="Guild", handle="guild", visibility="private", join_policy="request"
    )
    for name in ("mod", "member"):
        actions.join(people[name], group)
        actions.approve_request(people["owner"], group, people[name])
    actions.promote(people["owner"], group, people["mod"])
    return {**people, "group": group}


def _as(client: Any, account: Any) -> Any:
    client.force_login(account.user)
    return client


def _membership(group: Group, account: Any) -> Membership | None:
    return Membership.objects.filter(group=group, account=account).first()


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- invitations, joining and leaving ----------------------------------------------------------


def test_invite_then_accept(world: dict[str, Any], client: Any) -> None:
    group, guest = world["group"], world["guest"]
    response = _as(client, world["member"]).post("/g/guild/invite", {"username": "@guest"})
    assert response.status_code == 302 and response["Location"] == "/g/guild/members"
    assert Invitation.objects.filter(group=group, account=guest).exists()
    assert Notification.objects.filter(recipient=guest, kind=NotificationKind.GROUP_INVITE).exists()
    page = _as(client, guest).get("/g/guild").content.decode()
    assert "Accept invitation" in page
    assert b"Guild" in client.get("/groups").content  # listed among the invitations
    accepted = client.post("/g/guild/invitation", {"decision": "accept"}, follow=True)
    assert "Welcome to Guild!" in _messages(accepted)
    mine = _membership(group, guest)
    assert mine is not None and mine.state == MemberState.ACTIVE and mine.role == Role.MEMBER
    assert not Invitation.objects.filter(group=group, account=guest).exists()
    group.refresh_from_db()
    assert group.member_count == 4


def test_invite_then_decline(world: dict[str, Any], client: Any) -> None:
    group, guest = world["group"], world["guest"]
    _as(client, world["mod"]).post("/g/guild/invite", {"username": "guest"})
    response = _as(client, guest).post("/g/guild/invitation", {"decision": "decline"})
    assert response.status_code == 302 and response["Location"] == "/groups"
    assert _membership(group, guest) is None
    assert not Invitation.objects.filter(group=group, account=guest).exists()
    assert not Notification.objects.filter(
        recipient=guest, kind=NotificationKind.GROUP_INVITE
    ).exists()


def test_leave(world: dict[str, Any], client: Any) -> None:
    group, member = world["group"], world["member"]
    response = _as(client, member).post("/g/guild/leave", follow=True)
    assert "You left Guild." in _messages(response)
    assert _membership(group, member) is None
    group.refresh_from_db()
    assert group.member_count == 2
    page = client.get("/g/guild").content
    assert b"Ask to join" in page and b"/g/guild/leave" not in page


def test_cancel_request(world: dict[str, Any], client: Any) -> None:
    group, guest = world["group"], world["guest"]
    _as(client, guest).post("/g/guild/join")
    assert JoinRequest.objects.filter(group=group, account=guest).exists()
    assert b"Requested" in client.get("/g/guild").content
    response = client.post("/g/guild/cancel-request", follow=True)
    assert "Request withdrawn." in _messages(response)
    assert not JoinRequest.objects.filter(group=group, account=guest).exists()
    # The moderators' notification of the request goes with it.
    assert not Notification.objects.filter(kind=NotificationKind.GROUP_JOIN_REQUEST).exists()


def test_decline_request(world: dict[str, Any], client: Any) -> None:
    group, guest = world["group"], world["guest"]
    actions.join(guest, group)
    assert b"@guest" in _as(client, world["mod"]).get("/g/guild/requests").content
    response = client.post(f"/g/guild/requests/{guest.pk}/decline", follow=True)
    assert "Request declined." in _messages(response)
    assert not JoinRequest.objects.filter(group=group, account=guest).exists()
    assert _membership(group, guest) is None
    assert b"@guest" not in client.get("/g/guild/requests").content


# --- moderating members ------------------------------------------------------------------------


def test_owner_promotes_demotes_and_transfers(world: dict[str, Any], client: Any) -> None:
    group, owner, member = world["group"], world["owner"], world["member"]
    _as(client, owner)
    assert client.post(f"/g/guild/members/{member.pk}/promote").status_code == 302
    assert _membership(group, member).role == Role.MODERATOR  # type: ignore[union-attr]
    assert b"Remove moderator" in client.get("/g/guild/members").content
    client.post(f"/g/guild/members/{member.pk}/demote")
    assert _membership(group, member).role == Role.MEMBER  # type: ignore[union-attr]
    client.post(f"/g/guild/members/{member.pk}/transfer")
    group.refresh_from_db()
    assert group.owner_id == member.pk
    assert _membership(group, member).role == Role.OWNER  # type: ignore[union-attr]
    assert _membership(group, owner).role == Role.MODERATOR  # type: ignore[union-attr]
    # The old owner may now leave; the new one is offered no Leave button.
    assert b"/g/guild/leave" not in _as(client, member).get("/g/guild").content


def test_moderator_removes_bans_and_unbans(world: dict[str, Any], client: Any) -> None:
    group, member, guest = world["group"], world["member"], world["guest"]
    _as(client, world["mod"])
    client.post(f"/g/guild/members/{member.pk}/remove", {"reason": "Quiet"})
    assert _membership(group, member) is None
    client.post(f"/g/guild/members/{guest.pk}/ban", {"reason": "Troll"})
    assert _membership(group, guest).state == MemberState.BANNED  # type: ignore[union-attr]
    banned_list = client.get("/g/guild/members?list=banned").content
    assert b"@guest" in banned_list and b"Lift the ban" in banned_list
    assert b"You can't take part" in _as(client, guest).get("/g/guild").content
    _as(client, world["mod"]).post(f"/g/guild/members/{guest.pk}/unban")
    assert _membership(group, guest) is None
    assert b"@guest" not in client.get("/g/guild/members?list=banned").content
    group.refresh_from_db()
    assert group.member_count == 2


# --- posts -------------------------------------------------------------------------------------


def test_moderator_pins_and_unpins(world: dict[str, Any], client: Any) -> None:
    group = world["group"]
    first = posts.publish(world["member"], text="Read me first", group=group)
    posts.publish(world["member"], text="A later post", group=group)
    _as(client, world["mod"]).post(f"/g/guild/posts/{first.pk}/pin")
    assert GroupPin.objects.filter(group=group, post=first).exists()
    page = client.get("/g/guild").content.decode()
    assert ">Unpin<" in page and page.index("Read me first") < page.index("A later post")
    client.post(f"/g/guild/posts/{first.pk}/unpin")
    assert not GroupPin.objects.filter(group=group).exists()


def test_asker_marks_a_question_answered_and_not(world: dict[str, Any], client: Any) -> None:
    question = posts.publish(
        world["member"], text="Why?", group=world["group"], group_kind="question"
    )
    _as(client, world["member"]).post(f"/g/guild/posts/{question.pk}/answered")
    question.refresh_from_db()
    assert question.answered_at is not None
    assert b"Mark not answered" in client.get("/g/guild").content
    client.post(f"/g/guild/posts/{question.pk}/unanswered")
    question.refresh_from_db()
    assert question.answered_at is None


def test_group_post_with_media(world: dict[str, Any], client: Any) -> None:
    response = _as(client, world["member"]).post(
        "/g/guild/post",
        {"text": "Our meetup", "media": [jpeg_upload(name="a.jpg"), jpeg_upload(name="b.jpg")]},
    )
    assert response.status_code == 302
    post = Post.objects.get(text="Our meetup")
    assert post.group_id == world["group"].pk
    attached = MediaAttachment.objects.filter(post=post)
    assert attached.count() == 2
    page = client.get("/g/guild").content.decode()
    assert "Our meetup" in page and attached.first().file.url in page  # type: ignore[union-attr]


def test_follow_closely_on_and_off(world: dict[str, Any], client: Any, run_tasks: Any) -> None:
    group, member = world["group"], world["member"]
    _as(client, member).post("/g/guild/follow-closely", {"value": "on"})
    assert _membership(group, member).follow_closely  # type: ignore[union-attr]
    assert b"Following closely" in client.get("/g/guild").content
    with run_tasks():
        posts.publish(world["mod"], text="New thread", group=group)
    assert Notification.objects.filter(recipient=member, kind=NotificationKind.GROUP_POST).exists()
    client.post("/g/guild/follow-closely", {"value": ""})
    assert not _membership(group, member).follow_closely  # type: ignore[union-attr]


# --- settings and cover -------------------------------------------------------------------------


def _settings(**changes: Any) -> dict[str, Any]:
    values = {
        "name": "Guild",
        "description": "",
        "rules": "",
        "topics": "",
        "questions": "",
        "visibility": "private",
        "join_policy": "request",
    }
    return {**values, **changes}


def test_settings_edit(world: dict[str, Any], client: Any) -> None:
    group = world["group"]
    _as(client, world["owner"])
    assert client.get("/g/guild/settings").status_code == 200
    response = client.post(
        "/g/guild/settings",
        _settings(
            name="The Guild",
            description="Makers",
            rules="Be kind",
            topics="#craft wood",
            questions="What do you make?",
            visibility="public",
            join_policy="open",
        ),
    )
    assert response.status_code == 302 and response["Location"] == "/g/guild/settings"
    group.refresh_from_db()
    assert (group.name, group.description, group.rules) == ("The Guild", "Makers", "Be kind")
    assert group.topics == ["craft", "wood"] and group.questions == ["What do you make?"]
    assert (group.visibility, group.join_policy) == ("public", "open")
    # A moderator edits the profile; visibility and joining stay the owner's.
    _as(client, world["mod"]).post(
        "/g/guild/settings", _settings(name="Guild II", visibility="private")
    )
    group.refresh_from_db()
    assert group.name == "Guild II" and group.visibility == "public"


def test_cover_upload_and_removal(world: dict[str, Any], client: Any) -> None:
    group = world["group"]
    cover = SimpleUploadedFile("cover.png", image_bytes((1500, 500), "PNG"), "image/png")
    _as(client, world["mod"]).post("/g/guild/settings", {**_settings(), "cover": cover})
    group.refresh_from_db()
    assert group.cover and group.cover.name.endswith(".webp")
    assert group.cover.url.encode() in client.get("/g/guild").content
    junk = SimpleUploadedFile("cover.png", b"junk", "image/png")
    refused = client.post("/g/guild/settings", {**_settings(), "cover": junk})
    assert refused.status_code == 422
    kept = group.cover.name
    group.refresh_from_db()
    assert group.cover.name == kept
    client.post("/g/guild/settings", {**_settings(), "remove_cover": "1"})
    group.refresh_from_db()
    assert not group.cover


# --- notifications of members ------------------------------------------------------------------


def test_members_are_notified_of_mentions_and_replies(
    world: dict[str, Any], client: Any, run_tasks: Any
) -> None:
    member, mod = world["member"], world["mod"]
    with run_tasks():
        _as(client, member).post("/g/guild/post", {"text": "What do you think, @mod?"})
    post = Post.objects.get(text="What do you think, @mod?")
    mention = Notification.objects.get(recipient=mod, kind=NotificationKind.MENTION)
    assert mention.post_id == post.pk and mention.actor == member
    with run_tasks():
        response = _as(client, mod).post(
            "/compose", {"text": "Looks good", "in_reply_to": post.pk, "visibility": "public"}
        )
    assert response.status_code == 302
    reply = Post.objects.get(text="Looks good")
    assert reply.group_id == post.group_id and reply.in_reply_to_id == post.pk
    notice = Notification.objects.get(recipient=member, kind=NotificationKind.REPLY)
    assert notice.post_id == reply.pk and notice.actor == mod
    assert b"Looks good" in _as(client, member).get("/notifications").content
