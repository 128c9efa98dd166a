"""Group moderators handle reports about content in the groups they moderate, and nothing
else: not other groups' reports, not posts outside groups, not site-wide sanctions."""

from __future__ import annotations

import pytest

from groups.models import Group, Membership, Role
from moderation import actions
from moderation.models import ModerationAction
from moderation.queries import target_for_post
from plaza.errors import NotAllowed, NotFound
from posts.actions import publish
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups_world():
    owner, gm, ana, troll = (make_account(n) for n in ("owner", "gm", "ana", "troll"))
    a = Group.objects.create(name="Group A", handle="group_a", owner=owner)
    b = Group.objects.create(name="Group B", handle="group_b", owner=owner)
    Membership.objects.create(group=a, account=owner, role=Role.OWNER)
    Membership.objects.create(group=b, account=owner, role=Role.OWNER)
    Membership.objects.create(group=a, account=gm, role=Role.MODERATOR)
    for g in (a, b):
        Membership.objects.create(group=g, account=ana)
        Membership.objects.create(group=g, account=troll)
    posts = {}
    for name, group in (("a", a), ("b", b), ("none", None)):
        post = publish(troll, text=f"post in {name}")
        Post.objects.filter(pk=post.pk).update(group=group)
        posts[name] = post
    reports = {
        name: actions.report(ana, target_for_post(ana, post.pk), category="spam")
        for name, post in posts.items()
    }
    return {"gm": gm, "troll": troll, "a": a, "posts": posts, "reports": reports}


def test_reports_remember_their_group(groups_world):
    reports = groups_world["reports"]
    assert reports["a"].group_id == groups_world["a"].pk and reports["none"].group_id is None


def test_group_moderator_sees_only_their_groups_reports(groups_world, client):
    gm, reports = groups_world["gm"], groups_world["reports"]
    client.force_login(gm.user)
    html = client.get("/moderation").content.decode()
    assert "post in a" in html and "post in b" not in html and "post in none" not in html
    assert client.get(f"/moderation/reports/{reports['a'].pk}").status_code == 200
    for other in ("b", "none"):
        assert client.get(f"/moderation/reports/{reports[other].pk}").status_code == 404
    # No site-wide account pages, and the log shows only their groups.
    assert client.get("/moderation/accounts/troll").status_code == 404
    assert client.get("/moderation/log").status_code == 200


def test_group_moderator_cannot_act_elsewhere(groups_world):
    gm, reports, troll = groups_world["gm"], groups_world["reports"], groups_world["troll"]
    for other in ("b", "none"):
        with pytest.raises(NotFound):
            actions.resolve(gm, reports[other], "dismiss", "not mine")
        with pytest.raises(NotFound):
            actions.remove_content(gm, groups_world["posts"][other], "not mine")
    with pytest.raises(NotAllowed):
        actions.resolve(gm, reports["a"], "suspend", "too far")
    with pytest.raises(NotAllowed):
        actions.suspend(gm, troll, "too far")
    assert not ModerationAction.objects.exists()
    actions.resolve(gm, reports["a"], "dismiss", "fine in this group")
    assert ModerationAction.objects.get().group_id == groups_world["a"].pk


def test_group_moderator_removes_a_post_in_their_group(groups_world):
    group_actions = pytest.importorskip("groups.actions")
    if not hasattr(group_actions, "remove_post"):
        pytest.skip("groups.actions.remove_post is not there yet")
    gm, reports = groups_world["gm"], groups_world["reports"]
    actions.resolve(gm, reports["a"], "remove_content", "Off-topic spam")
    assert not Post.objects.filter(pk=groups_world["posts"]["a"].pk).exists()
    assert ModerationAction.objects.get().action == "remove_content"
