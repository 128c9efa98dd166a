"""The audit log page (who, when, why; keyset pages) and the Django admin for groups,
reports and the log."""

from __future__ import annotations

import re

import pytest

from groups.actions import create_group
from moderation import actions
from moderation.models import ModerationAction
from moderation.queries import target_for_account
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_log_shows_who_when_why_and_pages_by_keyset(client, staff, django_assert_max_num_queries):
    ana = make_account("ana")
    for i in range(25):
        troll = make_account(f"troll{i}")
        report = actions.report(ana, target_for_account(ana, troll), category="spam")
        actions.resolve(staff, report, "warn", f"reason number {i}")
    client.force_login(staff.user)
    with django_assert_max_num_queries(12):
        first = client.get("/moderation/log").content.decode()
    assert "@mod" in first and "reason number 24" in first and "@troll24" in first
    assert "ago" in first or "now" in first or "<time" in first  # when
    assert "reason number 4" not in first
    found = re.search(r'href="(/moderation/log\?max_id=\d+)"', first)
    assert found
    second = client.get(found.group(1), HTTP_HX_REQUEST="true").content.decode()
    assert "reason number 4" in second and "reason number 24" not in second
    assert "<html" not in second
    assert client.get("/moderation/log?max_id=junk").status_code == 200
    # Newest first, ids strictly decreasing across the two pages.
    ids = list(ModerationAction.objects.order_by("-id").values_list("id", flat=True))
    assert f'max_id={ids[19]}"' in first


def test_log_is_not_there_for_ordinary_people(client):
    client.force_login(make_account("ana").user)
    assert client.get("/moderation/log").status_code == 404
    assert client.get("/reports").status_code == 200  # their own reports are


def test_admin_manages_groups_reports_and_log(client, staff):
    staff.user.is_superuser = True
    staff.user.save()
    owner = make_account("owner")
    group = create_group(
        owner, name="Hidden Club", handle="hidden", visibility="secret", join_policy="invite"
    )
    ana = make_account("ana")
    report = actions.report(ana, target_for_account(ana, owner), category="spam")
    actions.resolve(staff, report, "dismiss", "fine")
    client.force_login(staff.user)
    listing = client.get("/admin/groups/group/?q=hidden")
    assert listing.status_code == 200 and "Hidden Club" in listing.content.decode()
    page = client.get(f"/admin/groups/group/{group.pk}/change/")
    assert page.status_code == 200 and "@owner" in page.content.decode()
    assert client.get(f"/admin/moderation/report/{report.pk}/change/").status_code == 200
    assert client.get("/admin/moderation/moderationaction/").status_code == 200
    # The log can't be edited or added to from the admin.
    assert client.get("/admin/moderation/moderationaction/add/").status_code == 403
    # Staff who are not superusers without permissions get nothing; ordinary people neither.
    client.force_login(ana.user)
    assert client.get("/admin/groups/group/").status_code == 302
