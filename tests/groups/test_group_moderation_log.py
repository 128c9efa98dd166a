"""Moderation done from a group's own pages is on the record: bans, unbans, removals of
members and of posts write one audit-log entry each (who, when, why, which group, whom, and a
removed post's text), from the web and the native API, and the group's moderators read them
on /moderation/log — only those of the groups they moderate."""

from __future__ import annotations

from typing import Any

import pytest

from groups import actions
from groups.models import Group, Membership, MemberState
from moderation import actions as moderation
from moderation.models import ModerationAction, TargetKind
from plaza.errors import ActionError
from posts import actions as posts
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """Group "tide" (owner, moderator "mod", members "ana", "bo", "cy") with a post by ana;
    group "other" moderated by "elsewhere"."""
    people = {n: make_account(n) for n in ("owner", "mod", "ana", "bo", "cy", "elsewhere")}
    group = actions.create_group(people["owner"], name="Tide", handle="tide")
    for name in ("mod", "ana", "bo", "cy"):
        actions.join(people[name], group)
    actions.promote(people["owner"], group, people["mod"])
    other = actions.create_group(people["elsewhere"], name="Other", handle="other")
    post = posts.publish(people["ana"], text="Buy my stuff, cheap!", group=group)
    return {**people, "group": group, "other": other, "post": post}


def _entry(**filters: Any) -> ModerationAction:
    return ModerationAction.objects.get(**filters)


def test_web_ban_unban_remove_and_post_removal_are_logged_with_reasons(
    world: dict[str, Any], client: Any
) -> None:
    group: Group = world["group"]
    mod, ana, bo, cy = world["mod"], world["ana"], world["bo"], world["cy"]
    client.force_login(mod.user)
    response = client.post(f"/g/tide/members/{bo.pk}/ban", {"reason": "  Spam in every thread "})
    assert response.status_code == 302
    assert Membership.objects.get(group=group, account=bo).state == MemberState.BANNED
    ban = _entry(target_account=bo)
    assert (ban.moderator, ban.group_id, ban.target_kind, ban.target_id) == (
        mod,
        group.pk,
        TargetKind.ACCOUNT,
        bo.pk,
    )
    assert ban.reason == "Spam in every thread"
    assert ban.details["group_action"] == "ban" and ban.details["was_member"] is True
    assert ban.action == "group_ban"  # a group's ban, not a site suspension
    assert ban.created_at is not None

    client.post(f"/g/tide/members/{bo.pk}/unban", {"reason": "Apologised"})
    assert not Membership.objects.filter(group=group, account=bo).exists()
    unban = ModerationAction.objects.filter(target_account=bo).latest("id")
    assert unban.details["group_action"] == "unban" and unban.reason == "Apologised"
    assert unban.action == "group_unban"

    client.post(f"/g/tide/members/{cy.pk}/remove", {"reason": "Inactive"})
    assert not Membership.objects.filter(group=group, account=cy).exists()
    removal = _entry(target_account=cy)
    assert removal.details == {"group_action": "remove_member", "group": "tide", "role": "member"}
    assert removal.action == "group_remove"

    post = world["post"]
    client.post(f"/g/tide/posts/{post.pk}/remove", {"reason": "Advertising"})
    assert not Post.objects.filter(pk=post.pk).exists()
    removed = _entry(target_kind=TargetKind.POST)
    assert removed.action == "remove_content" and removed.target_id == post.pk
    assert removed.target_account == ana and removed.group_id == group.pk
    assert removed.reason == "Advertising"
    assert removed.details["text"] == "Buy my stuff, cheap!"
    assert ModerationAction.objects.count() == 4


def test_the_reason_is_optional_and_forms_offer_it(world: dict[str, Any], client: Any) -> None:
    client.force_login(world["owner"].user)
    members = client.get("/g/tide/members").content.decode()
    assert 'name="reason"' in members and "Ban from the group" in members
    page = client.get("/g/tide").content.decode()
    assert f'id="reason-post-{world["post"].pk}" name="reason"' in page
    client.post(f"/g/tide/members/{world['bo'].pk}/ban")
    assert _entry(target_account=world["bo"]).reason == ""


def test_a_too_long_reason_is_refused_and_nothing_changes(
    world: dict[str, Any], client: Any
) -> None:
    group, bo, post = world["group"], world["bo"], world["post"]
    client.force_login(world["mod"].user)
    response = client.post(f"/g/tide/members/{bo.pk}/ban", {"reason": "x" * 1001}, follow=True)
    assert "Keep the reason under 1,000 characters" in response.content.decode()
    assert Membership.objects.get(group=group, account=bo).state == MemberState.ACTIVE
    client.post(f"/g/tide/posts/{post.pk}/remove", {"reason": "x" * 1001})
    assert Post.objects.filter(pk=post.pk).exists()
    assert not ModerationAction.objects.exists()


def test_no_change_no_entry(world: dict[str, Any]) -> None:
    group, owner, mod = world["group"], world["owner"], world["mod"]
    actions.ban(mod, group, world["bo"], reason="once")
    actions.ban(mod, group, world["bo"], reason="twice")  # already banned
    actions.unban(mod, group, world["cy"], reason="was never banned")
    mine = posts.publish(mod, text="My own post", group=group)
    actions.remove_post(mod, group, mine, reason="tidying my own")  # an author's delete
    assert list(ModerationAction.objects.values_list("reason", flat=True)) == ["once"]
    # Refusals write nothing either.
    with pytest.raises(ActionError):
        actions.remove_member(mod, group, owner, reason="coup")
    with pytest.raises(ActionError):
        actions.ban(world["ana"], group, world["cy"], reason="not a moderator")
    assert ModerationAction.objects.count() == 1


def test_outsiders_banned_before_joining_are_logged(world: dict[str, Any]) -> None:
    stranger = make_account("stranger")
    actions.ban(world["owner"], world["group"], stranger, reason="Known troll")
    entry = _entry(target_account=stranger)
    assert entry.details["was_member"] is False and entry.moderator == world["owner"]


def test_removing_through_a_report_is_logged_once(world: dict[str, Any]) -> None:
    post = world["post"]
    target = moderation_target(world["bo"], post)
    report = moderation.report(world["bo"], target, category="spam")
    moderation.resolve(world["mod"], report, "remove_content", "Spam")
    entry = ModerationAction.objects.get()
    assert entry.report == report and entry.reason == "Spam" and entry.group_id == post.group_id
    assert not Post.objects.filter(pk=post.pk).exists()


def moderation_target(reporter: Any, post: Post) -> Any:
    from moderation.queries import target_for_post

    return target_for_post(reporter, post.pk)


def test_native_api_takes_a_reason_and_logs(world: dict[str, Any], native: Any) -> None:
    group, bo, cy, post = world["group"], world["bo"], world["cy"], world["post"]
    api = native(world["mod"])
    base = f"/groups/{group.pk}"
    assert api.post(f"{base}/members/{bo.pk}/ban", {"reason": "Spam"}).status_code == 204
    assert api.post(f"{base}/members/{bo.pk}/unban", {"reason": "Sorry"}).status_code == 204
    assert api.post(f"{base}/members/{cy.pk}/remove").status_code == 204  # no body: no reason
    assert api.post(f"{base}/posts/{post.pk}/remove", {"reason": "Ads"}).status_code == 204
    logged = {
        e.details["group_action"]: e.reason
        for e in ModerationAction.objects.filter(group_id=group.pk)
    }
    assert logged == {"ban": "Spam", "unban": "Sorry", "remove_member": "", "remove_post": "Ads"}
    assert not Post.objects.filter(pk=post.pk).exists()
    # Too long: a 422 (the schema says so), nothing done.
    too_long = api.post(f"{base}/members/{world['ana'].pk}/ban", {"reason": "x" * 1001})
    assert too_long.status_code == 422
    assert Membership.objects.get(group=group, account=world["ana"]).state == MemberState.ACTIVE
    # A plain member can't remove posts through the API.
    other = posts.publish(world["mod"], text="fine", group=group)
    refused = native(world["ana"]).post(f"{base}/posts/{other.pk}/remove")
    assert refused.status_code in (403, 404)
    assert Post.objects.filter(pk=other.pk).exists()


def test_group_moderators_read_their_groups_entries_on_the_audit_log(
    world: dict[str, Any], client: Any
) -> None:
    group, post = world["group"], world["post"]
    actions.ban(world["owner"], group, world["bo"], reason="Spam in every thread")
    actions.remove_post(world["mod"], group, post, reason="Advertising")
    elsewhere_member = make_account("dee")
    actions.join(elsewhere_member, world["other"])
    actions.ban(world["elsewhere"], world["other"], elsewhere_member, reason="Elsewhere only")

    client.force_login(world["mod"].user)
    log = client.get("/moderation/log")
    assert log.status_code == 200
    html = log.content.decode()
    assert "Spam in every thread" in html and "@bo" in html
    assert "Ban from group" in html and 'href="/g/tide"' in html and "Suspend<" not in html
    assert "Advertising" in html and "Buy my stuff, cheap!" in html
    assert "Elsewhere only" not in html

    client.force_login(world["elsewhere"].user)
    html = client.get("/moderation/log").content.decode()
    assert "Elsewhere only" in html and "Spam in every thread" not in html

    client.force_login(world["ana"].user)  # a plain member: no log at all
    assert client.get("/moderation/log").status_code == 404
