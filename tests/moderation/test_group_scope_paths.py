"""A moderator of group A cannot act on group B by any path: the moderation pages (POSTs,
not just GETs), the group pages, the native API and the Mastodon API. Every attempt leaves
B's post, members and reports as they were, and writes nothing to the audit log."""

from __future__ import annotations

import pytest

from groups.actions import create_group, join, promote
from groups.models import GroupPin, Membership, MemberState
from moderation import actions
from moderation.models import ModerationAction, Report
from moderation.queries import target_for_post
from posts.actions import publish
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_groups(staff):
    owner_a, owner_b, gm = make_account("owner_a"), make_account("owner_b"), make_account("gm")
    ana, troll = make_account("ana"), make_account("troll")
    a = create_group(owner_a, name="Group A", handle="group_a")
    b = create_group(owner_b, name="Group B", handle="group_b")
    for group in (a, b):
        join(ana, group)
        join(troll, group)
    join(gm, a)
    join(gm, b)  # gm is an ordinary member of B: membership alone must not be enough
    promote(owner_a, a, gm)
    post_a = publish(troll, text="spam in a", group=a)
    post_b = publish(troll, text="spam in b", group=b)
    report_a = actions.report(ana, target_for_post(ana, post_a.pk), category="spam")
    report_b = actions.report(ana, target_for_post(ana, post_b.pk), category="spam")
    return {
        "gm": gm,
        "troll": troll,
        "a": a,
        "b": b,
        "post_a": post_a,
        "post_b": post_b,
        "report_a": report_a,
        "report_b": report_b,
        "staff": staff,
    }


def _untouched(world) -> None:
    assert Post.objects.filter(pk=world["post_b"].pk).exists()
    report_b = Report.objects.get(pk=world["report_b"].pk)
    assert report_b.status == "open" and report_b.assigned_to_id is None
    assert Membership.objects.get(group=world["b"], account=world["troll"]).state == (
        MemberState.ACTIVE
    )
    world["troll"].refresh_from_db()
    assert world["troll"].suspended_at is None and world["troll"].limited_at is None
    assert not ModerationAction.objects.filter(moderator=world["gm"]).exists()


def test_moderation_pages_refuse_posts_about_another_group(two_groups, client):
    client.force_login(two_groups["gm"].user)
    report_b = two_groups["report_b"].pk
    for action in ("remove_content", "dismiss", "suspend", "warn"):
        response = client.post(f"/moderation/reports/{report_b}", {"action": action, "reason": "x"})
        assert response.status_code == 404, action
    assert client.post(f"/moderation/reports/{report_b}/assign").status_code == 404
    response = client.post("/moderation/accounts/troll", {"action": "suspend", "reason": "x"})
    assert response.status_code == 404
    # Their own group's report is theirs to decide, but not with site-wide sanctions.
    response = client.post(
        f"/moderation/reports/{two_groups['report_a'].pk}", {"action": "limit", "reason": "x"}
    )
    assert response.status_code in (400, 403, 404)
    _untouched(two_groups)


def test_group_pages_refuse_moderating_another_group(two_groups, client):
    gm, troll, post_b = two_groups["gm"], two_groups["troll"], two_groups["post_b"]
    client.force_login(gm.user)
    client.post(f"/g/group_b/posts/{post_b.pk}/remove")
    client.post(f"/g/group_b/posts/{post_b.pk}/pin")
    # B's post through A's URL, where gm is a moderator.
    client.post(f"/g/group_a/posts/{post_b.pk}/remove")
    client.post(f"/g/group_a/posts/{post_b.pk}/pin")
    for action in ("ban", "remove", "promote"):
        client.post(f"/g/group_b/members/{troll.pk}/{action}")
    assert not GroupPin.objects.filter(post=post_b).exists()
    _untouched(two_groups)


def test_native_api_refuses_moderating_another_group(two_groups, native_for):
    gm, troll, b, post_b = (two_groups[k] for k in ("gm", "troll", "b", "post_b"))
    api = native_for(gm)
    base = "/api/plaza/v1/groups"
    for action in ("ban", "remove", "promote"):
        response = api.post(f"{base}/{b.pk}/members/{troll.pk}/{action}")
        assert response.status_code in (403, 404), (action, response.content)
    assert api.post(f"{base}/{b.pk}/posts/{post_b.pk}/pin").status_code in (403, 404)
    assert not GroupPin.objects.filter(post=post_b).exists()
    assert api.post(f"{base}/{two_groups['a'].pk}/posts/{post_b.pk}/pin").status_code == 404
    response = api.patch(f"{base}/{b.pk}", {"name": "Mine now"}, content_type="application/json")
    assert response.status_code in (403, 404)
    assert api.delete(f"{base}/{b.pk}").status_code in (403, 404)
    assert api.delete(f"/api/plaza/v1/posts/{post_b.pk}").status_code in (403, 404)
    b.refresh_from_db()
    assert b.name == "Group B"
    _untouched(two_groups)


def test_mastodon_api_refuses_deleting_another_groups_post(two_groups, api_for):
    response = api_for(two_groups["gm"]).delete(f"/api/v1/statuses/{two_groups['post_b'].pk}")
    assert response.status_code in (403, 404)
    _untouched(two_groups)


def test_audit_log_is_scoped_to_the_moderators_groups(two_groups, client):
    staff = two_groups["staff"]
    actions.resolve(staff, two_groups["report_b"], "dismiss", "reason about group b")
    actions.resolve(two_groups["gm"], two_groups["report_a"], "dismiss", "reason about group a")
    client.force_login(two_groups["gm"].user)
    html = client.get("/moderation/log").content.decode()
    assert "reason about group a" in html and "reason about group b" not in html
    client.force_login(staff.user)
    html = client.get("/moderation/log").content.decode()
    assert "reason about group a" in html and "reason about group b" in html
