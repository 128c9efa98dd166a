"""A report about a group's own owner or moderators goes to staff alone: the group's
moderators neither see it (nor who filed it) nor decide it, by any path."""

from __future__ import annotations

from typing import Any

import pytest

from groups.models import Group, Membership, Role
from moderation import actions
from moderation.models import ModerationAction, Report, ReportStatus
from moderation.queries import open_count, reports_page, target_for_post
from plaza.errors import NotFound
from posts.actions import publish
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    owner, gm, ana, troll = (make_account(n) for n in ("owner", "gm", "ana", "troll"))
    group = Group.objects.create(name="Group A", handle="group_a", owner=owner)
    Membership.objects.create(group=group, account=owner, role=Role.OWNER)
    Membership.objects.create(group=group, account=gm, role=Role.MODERATOR)
    for member in (ana, troll):
        Membership.objects.create(group=group, account=member)
    reports = {}
    for who in (owner, gm, troll):
        post = publish(who, text=f"post by {who.username}")
        Post.objects.filter(pk=post.pk).update(group=group)
        reports[who.username] = actions.report(ana, target_for_post(ana, post.pk), category="spam")
    return {"owner": owner, "gm": gm, "reports": reports}


def test_moderators_never_handle_reports_about_the_groups_moderators(
    world: Any, staff: Any, client: Any
) -> None:
    reports = world["reports"]
    for moderator in (world["owner"], world["gm"]):
        queue = {r.pk for r in reports_page(moderator).items}
        assert queue == {reports["troll"].pk}
        assert open_count(moderator) == 1
        client.force_login(moderator.user)
        for about in ("owner", "gm"):
            report = reports[about]
            assert client.get(f"/moderation/reports/{report.pk}").status_code == 404
            r = client.post(
                f"/moderation/reports/{report.pk}", {"action": "dismiss", "reason": "mine"}
            )
            assert r.status_code == 404
            with pytest.raises(NotFound):
                actions.decide(moderator, report, "dismiss", "It's fine")
            with pytest.raises(NotFound):
                actions.claim(moderator, report)
        html = client.get("/moderation").content.decode()
        assert "post by troll" in html and "post by owner" not in html and "post by gm" not in html
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == 3
    assert not ModerationAction.objects.exists()
    # Staff handle them.
    assert {r.pk for r in reports_page(staff).items} == {r.pk for r in reports.values()}
    actions.decide(staff, reports["owner"], "dismiss", "Not spam")
    # The ordinary member's report is still the group's moderators' to decide.
    actions.decide(world["gm"], reports["troll"], "remove_content", "Spam")


def test_staff_deleting_someone_elses_post_is_in_the_audit_log(
    staff: Any, client: Any, api_for: Any
) -> None:
    troll = make_account("troll")
    posts = [publish(troll, text=f"spam {n}") for n in range(3)]
    client.force_login(staff.user)
    assert client.post(f"/posts/{posts[0].pk}/delete").status_code == 302
    assert api_for(staff).delete(f"/api/v1/statuses/{posts[1].pk}").status_code == 200
    entries = ModerationAction.objects.order_by("id")
    assert [(e.target_id, e.moderator_id, e.details["text"]) for e in entries] == [
        (posts[0].pk, staff.pk, "spam 0"),
        (posts[1].pk, staff.pk, "spam 1"),
    ]
    # Removing through a report logs once; an author deleting their own post logs nothing.
    ana = make_account("ana")
    report = actions.report(ana, target_for_post(ana, posts[2].pk), category="spam")
    actions.decide(staff, report, "remove_content", "Spam")
    assert ModerationAction.objects.filter(target_id=posts[2].pk).count() == 1
    from posts.actions import delete

    delete(troll, publish(troll, text="mine"))
    assert ModerationAction.objects.count() == 3
    assert not Post.objects.filter(pk__in=[p.pk for p in posts]).exists()
