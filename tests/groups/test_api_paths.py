"""The native group API, the success paths of every endpoint (lists, a group, editing and
deleting, withdrawing a request, declining one, invitations, member and post actions), and
two denials through it: a secret group is a 404 to outsiders, a banned member can't read a
private group, post in it or come back."""

from __future__ import annotations

from typing import Any

import pytest

from groups import actions
from groups.models import Group, GroupPin, Invitation, JoinRequest, Membership, MemberState, Role
from posts import actions as posts
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """Private request-to-join group "guild" (owner, moderator "mod", "member"), an open
    public group "square" owned by "mod", and "guest", in neither."""
    people = {n: make_account(n) for n in ("owner", "mod", "member", "guest")}
    group = actions.create_group(
        people["owner"],
        name="Guild",
        handle="guild",
        visibility="private",
        join_policy="request",
        questions=["Why?"],
    )
    for name in ("mod", "member"):
        actions.join(people[name], group, answers=["Because"])
        actions.approve_request(people["owner"], group, people[name])
    actions.promote(people["owner"], group, people["mod"])
    square = actions.create_group(people["mod"], name="Square", handle="square")
    return {**people, "group": group, "square": square}


def _member(group: Group, account: Any) -> Membership | None:
    return Membership.objects.filter(group=group, account=account).first()


# --- reading ------------------------------------------------------------------------------------


def test_my_groups_discover_and_a_group(world: dict[str, Any], native: Any) -> None:
    group, square = world["group"], world["square"]
    mine = native(world["member"]).get("/groups")
    assert mine.status_code == 200
    assert [g["handle"] for g in mine.json()] == ["guild"]
    both = {g["handle"] for g in native(world["mod"]).get("/groups").json()}
    assert both == {"guild", "square"}
    discover = native(world["guest"]).get("/groups/discover")
    assert discover.status_code == 200
    assert {g["handle"] for g in discover.json()} == {"guild", "square"}
    assert [g["handle"] for g in native(world["member"]).get("/groups/discover").json()] == [
        "square"
    ]
    detail = native(world["mod"]).get(f"/groups/{group.pk}").json()
    assert detail["group"]["name"] == "Guild" and detail["group"]["owner"]["username"] == "owner"
    assert detail["group"]["questions"] == ["Why?"] and detail["group"]["member_count"] == 3
    assert detail["standing"] == {
        "member": True,
        "role": "moderator",
        "banned": False,
        "requested": False,
        "invited": False,
        "follow_closely": False,
    }
    guest = native(world["guest"]).get(f"/groups/{square.pk}").json()["standing"]
    assert guest["member"] is False and guest["role"] is None


# --- editing and deleting ------------------------------------------------------------------------


def test_owner_edits_and_deletes_the_group(world: dict[str, Any], native: Any) -> None:
    group = world["group"]
    api = native(world["owner"])
    changed = api.patch(
        f"/groups/{group.pk}",
        {"name": "The Guild", "topics": ["#Craft"], "visibility": "public", "join_policy": "open"},
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()["group"]
    assert (body["name"], body["topics"], body["visibility"]) == ("The Guild", ["craft"], "public")
    group.refresh_from_db()
    assert group.join_policy == "open" and group.description == ""  # left out: unchanged
    # A moderator edits the profile but not who may see or join.
    mod = native(world["mod"])
    assert mod.patch(f"/groups/{group.pk}", {"description": "Makers"}).status_code == 200
    assert mod.patch(f"/groups/{group.pk}", {"visibility": "private"}).status_code == 403
    assert mod.delete(f"/groups/{group.pk}").status_code == 403
    post = posts.publish(world["member"], text="Inside", group=group)
    assert api.delete(f"/groups/{group.pk}").status_code == 204
    assert not Group.objects.filter(pk=group.pk).exists()
    assert not Post.objects.filter(pk=post.pk).exists()
    assert api.get(f"/groups/{group.pk}").status_code == 404


# --- joining ------------------------------------------------------------------------------------


def test_withdraw_a_request(world: dict[str, Any], native: Any) -> None:
    group, guest = world["group"], world["guest"]
    api = native(guest)
    assert api.post(f"/groups/{group.pk}/join", {"answers": ["Curious"]}).json() == {
        "result": "requested"
    }
    assert api.get(f"/groups/{group.pk}").json()["standing"]["requested"] is True
    assert api.delete(f"/groups/{group.pk}/join").status_code == 204
    assert not JoinRequest.objects.filter(group=group, account=guest).exists()
    assert api.get(f"/groups/{group.pk}").json()["standing"]["requested"] is False


def test_decline_a_request(world: dict[str, Any], native: Any) -> None:
    group, guest = world["group"], world["guest"]
    actions.join(guest, group, answers=["Curious"])
    api = native(world["mod"])
    assert [r["account"]["username"] for r in api.get(f"/groups/{group.pk}/requests").json()] == [
        "guest"
    ]
    assert api.post(f"/groups/{group.pk}/requests/{guest.pk}/decline").status_code == 204
    assert not JoinRequest.objects.filter(group=group, account=guest).exists()
    assert _member(group, guest) is None
    assert api.get(f"/groups/{group.pk}/requests").json() == []
    assert api.post(f"/groups/{group.pk}/requests/{guest.pk}/decline").status_code == 404


def test_invite_accept_and_decline(world: dict[str, Any], native: Any) -> None:
    group, guest = world["group"], world["guest"]
    other = make_account("other")
    mod = native(world["mod"])
    for who in (guest, other):
        sent = mod.post(f"/groups/{group.pk}/invitations", {"account_id": str(who.pk)})
        assert sent.status_code == 204
    assert Invitation.objects.filter(group=group).count() == 2
    assert native(guest).get(f"/groups/{group.pk}").json()["standing"]["invited"] is True
    assert native(guest).post(f"/groups/{group.pk}/invitation/accept").status_code == 204
    membership = _member(group, guest)
    assert membership is not None and membership.state == MemberState.ACTIVE
    assert native(other).post(f"/groups/{group.pk}/invitation/decline").status_code == 204
    assert _member(group, other) is None
    assert not Invitation.objects.filter(group=group).exists()
    # No invitation left to accept.
    assert native(other).post(f"/groups/{group.pk}/invitation/accept").status_code == 404


def test_leave(world: dict[str, Any], native: Any) -> None:
    group, member = world["group"], world["member"]
    assert native(member).post(f"/groups/{group.pk}/leave").status_code == 204
    assert _member(group, member) is None
    group.refresh_from_db()
    assert group.member_count == 2


# --- member actions ---------------------------------------------------------------------------


def test_member_actions(world: dict[str, Any], native: Any) -> None:
    group, member, guest = world["group"], world["member"], world["guest"]
    owner, mod = native(world["owner"]), native(world["mod"])
    base = f"/groups/{group.pk}/members"
    assert owner.post(f"{base}/{member.pk}/promote").status_code == 204
    assert _member(group, member).role == Role.MODERATOR  # type: ignore[union-attr]
    assert owner.post(f"{base}/{member.pk}/demote").status_code == 204
    assert _member(group, member).role == Role.MEMBER  # type: ignore[union-attr]
    assert mod.post(f"{base}/{member.pk}/remove").status_code == 204
    assert _member(group, member) is None
    assert mod.post(f"{base}/{guest.pk}/ban", {"reason": "Troll"}).status_code == 204
    assert _member(group, guest).state == MemberState.BANNED  # type: ignore[union-attr]
    banned = mod.get(f"/groups/{group.pk}/members", banned="true").json()["items"]
    assert [(m["account"]["username"], m["state"]) for m in banned] == [("guest", "banned")]
    assert mod.post(f"{base}/{guest.pk}/unban").status_code == 204
    assert _member(group, guest) is None
    assert owner.post(f"{base}/{world['mod'].pk}/transfer").status_code == 204
    group.refresh_from_db()
    assert group.owner_id == world["mod"].pk
    assert _member(group, world["owner"]).role == Role.MODERATOR  # type: ignore[union-attr]
    roles = {
        m["account"]["username"]: m["role"]
        for m in owner.get(f"/groups/{group.pk}/members").json()["items"]
    }
    assert roles == {"mod": "owner", "owner": "moderator"}


# --- post actions -------------------------------------------------------------------------------


def test_pin_unpin_and_answered(world: dict[str, Any], native: Any) -> None:
    group = world["group"]
    question = posts.publish(world["member"], text="How?", group=group, group_kind="question")
    mod, asker = native(world["mod"]), native(world["member"])
    base = f"/groups/{group.pk}/posts/{question.pk}"
    assert mod.post(f"{base}/pin").status_code == 204
    assert GroupPin.objects.filter(group=group, post=question).exists()
    feed = asker.get(f"/groups/{group.pk}/feed").json()
    assert [p["id"] for p in feed["pinned"]] == [str(question.pk)]
    assert mod.post(f"{base}/unpin").status_code == 204
    assert not GroupPin.objects.exists()
    assert asker.get(f"/groups/{group.pk}/feed").json()["pinned"] == []
    assert asker.post(f"{base}/answered").status_code == 204
    question.refresh_from_db()
    assert question.answered_at is not None
    assert mod.post(f"{base}/unanswered").status_code == 403  # only the asker
    assert asker.post(f"{base}/unanswered").status_code == 204
    question.refresh_from_db()
    assert question.answered_at is None


# --- denials through the API ---------------------------------------------------------------------


def test_secret_group_is_a_404_to_outsiders(world: dict[str, Any], native: Any) -> None:
    secret = actions.create_group(
        world["owner"], name="Hush", handle="hush", visibility="secret", join_policy="invite"
    )
    posts.publish(world["owner"], text="Whisper", group=secret)
    outsider = native(world["guest"])
    base = f"/groups/{secret.pk}"
    for response in (
        outsider.get(base),
        outsider.get(f"{base}/feed"),
        outsider.get(f"{base}/members"),
        outsider.post(f"{base}/join"),
        outsider.post(f"{base}/posts", {"text": "hi"}),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["error"] == "This group does not exist or you can't see it."
    assert "hush" not in {g["handle"] for g in outsider.get("/groups/discover").json()}
    assert not Membership.objects.filter(group=secret, account=world["guest"]).exists()
    # Once invited, it exists for them.
    actions.invite(world["owner"], secret, world["guest"])
    assert outsider.get(base).json()["standing"]["invited"] is True


def test_banned_member_through_the_api(world: dict[str, Any], native: Any) -> None:
    group, member = world["group"], world["member"]
    post = posts.publish(world["mod"], text="Members only", group=group)
    actions.ban(world["owner"], group, member)
    api = native(member)
    standing = api.get(f"/groups/{group.pk}").json()["standing"]
    assert standing["banned"] is True and standing["member"] is False
    assert api.get(f"/groups/{group.pk}/feed").json()["items"] == []
    assert api.get(f"/groups/{group.pk}/members").json()["items"] == []
    assert api.get(f"/posts/{post.pk}").status_code == 404
    assert api.post(f"/groups/{group.pk}/join", {"answers": ["Again"]}).status_code == 403
    assert api.post(f"/groups/{group.pk}/posts", {"text": "I'm back"}).status_code == 403
    assert api.post(f"/groups/{group.pk}/follow-closely").status_code == 403
    assert not Post.objects.filter(text="I'm back").exists()
    assert _member(group, member).state == MemberState.BANNED  # type: ignore[union-attr]
