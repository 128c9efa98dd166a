"""The report page, the moderation queue, a report, an account's record and the audit log."""

from __future__ import annotations

import pytest

from moderation import actions
from moderation.models import ModerationAction, Report, ReportStatus
from moderation.queries import target_for_post
from notifications.models import Notification
from posts.actions import publish
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _report(reporter, post, category="spam"):
    return actions.report(reporter, target_for_post(reporter, post.pk), category=category)


def test_report_a_post_from_the_web(client):
    ana, troll = make_account("ana"), make_account("troll")
    post = publish(troll, text="spam spam")
    client.force_login(ana.user)
    page = client.get(f"/report?post={post.pk}")
    assert page.status_code == 200 and "spam spam" in page.content.decode()
    response = client.post(
        "/report", {"post": post.pk, "category": "harassment", "comment": "rude", "next": "/public"}
    )
    assert response.status_code == 302 and response["Location"] == "/public"
    report = Report.objects.get()
    assert (report.reporter, report.category, report.comment) == (ana, "harassment", "rude")


def test_report_form_errors_keep_the_input_and_write_nothing(client):
    ana, troll = make_account("ana"), make_account("troll")
    post = publish(troll, text="x")
    client.force_login(ana.user)
    response = client.post("/report", {"post": post.pk, "comment": "typed text"})
    assert response.status_code == 400
    assert "typed text" in response.content.decode()
    assert not Report.objects.exists()


def test_report_an_account_and_never_yourself(client):
    ana = make_account("ana")
    make_account("troll")
    client.force_login(ana.user)
    assert client.get("/report?account=troll").status_code == 200
    assert client.post("/report", {"account": "troll", "category": "spam"}).status_code == 302
    assert Report.objects.get().target_kind == "account"
    response = client.post("/report", {"account": "ana", "category": "spam"})
    assert response.status_code == 400 and "yourself" in response.content.decode()
    assert client.get("/report?account=nobody").status_code == 404
    assert client.get("/report").status_code == 404


def test_report_page_needs_login_and_hides_invisible_posts(client):
    troll = make_account("troll")
    private = publish(troll, text="x", visibility="followers")
    assert client.get(f"/report?post={private.pk}").status_code == 302
    client.force_login(make_account("ana").user)
    assert client.get(f"/report?post={private.pk}").status_code == 404


def test_post_menu_has_a_report_link_for_others_posts(client):
    ana, troll = make_account("ana"), make_account("troll")
    theirs, mine = publish(troll, text="theirs"), publish(ana, text="mine")
    client.force_login(ana.user)
    html = client.get(f"/@troll/{theirs.pk}").content.decode()
    assert f"/report?post={theirs.pk}" in html
    assert f"/report?post={mine.pk}" not in client.get(f"/@ana/{mine.pk}").content.decode()


@pytest.mark.parametrize(
    "url", ["/moderation", "/moderation/log", "/moderation/reports/1", "/moderation/accounts/ana"]
)
def test_moderation_pages_are_not_there_for_non_staff(client, url):
    client.force_login(make_account("ana").user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "suspend", "reason": "x"}).status_code in (404, 405)


def test_moderation_pages_need_login(client):
    assert client.get("/moderation").status_code == 302


def test_queue_lists_open_reports_with_context(client, staff, django_assert_max_num_queries):
    ana = make_account("ana")
    for n in range(3):
        _report(ana, publish(make_account(f"t{n}"), text=f"bad post {n}"))
    client.force_login(staff.user)
    html = client.get("/moderation").content.decode()
    assert all(f"bad post {n}" in html for n in range(3)) and "3 open reports" in html
    # A constant number of queries whatever the number of reports.
    with django_assert_max_num_queries(20) as few:
        client.get("/moderation")
    for n in range(3, 15):
        _report(ana, publish(make_account(f"t{n}"), text=f"bad post {n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/moderation")


def test_queue_pages_by_keyset(client, staff):
    ana = make_account("ana")
    for n in range(22):
        _report(ana, publish(make_account(f"t{n}"), text=f"bad post {n}"))
    client.force_login(staff.user)
    first = client.get("/moderation").content.decode()
    assert "bad post 21" in first and "bad post 0" not in first and "max_id=" in first
    oldest = Report.objects.order_by("id")[2]
    rest = client.get(f"/moderation?status=open&max_id={oldest.pk}").content.decode()
    assert "bad post 0" in rest and "bad post 1" in rest and "bad post 2" not in rest


def test_decide_a_report_from_its_page(client, staff):
    ana, troll = make_account("ana"), make_account("troll")
    post = publish(troll, text="awful")
    report = _report(ana, post, "hate")
    client.force_login(staff.user)
    page = client.get(f"/moderation/reports/{report.pk}").content.decode()
    assert "awful" in page and "Hate speech" in page
    bad = client.post(f"/moderation/reports/{report.pk}", {"action": "remove_content"})
    assert bad.status_code == 400 and Post.objects.filter(pk=post.pk).exists()
    done = client.post(
        f"/moderation/reports/{report.pk}", {"action": "remove_content", "reason": "Rule 2"}
    )
    assert done.status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED
    assert Notification.objects.filter(recipient=ana, kind="report_resolved").exists()
    log = client.get("/moderation/log").content.decode()
    assert "Remove content" in log and "Rule 2" in log and "@mod" in log
    # The decided report still shows what was removed.
    assert "awful" in client.get(f"/moderation/reports/{report.pk}").content.decode()
    # The reporter sees the outcome in their notifications.
    client.force_login(ana.user)
    assert "reviewed your report" in client.get("/notifications").content.decode()


def test_assign_a_report(client, staff):
    report = _report(make_account("ana"), publish(make_account("troll"), text="x"))
    client.force_login(staff.user)
    assert client.post(f"/moderation/reports/{report.pk}/assign").status_code == 302
    report.refresh_from_db()
    assert report.assigned_to == staff


def test_suspend_and_lift_from_the_account_page(client, staff):
    troll = make_account("troll")
    client.force_login(staff.user)
    assert client.get("/moderation/accounts/troll").status_code == 200
    response = client.post("/moderation/accounts/troll", {"action": "suspend", "reason": "Spam"})
    assert response.status_code == 302
    troll.refresh_from_db()
    assert troll.suspended_at is not None
    again = client.post("/moderation/accounts/troll", {"action": "suspend", "reason": "Spam"})
    assert again.status_code == 400 and "already suspended" in again.content.decode()
    client.post("/moderation/accounts/troll", {"action": "unsuspend", "reason": "Appeal"})
    troll.refresh_from_db()
    assert troll.suspended_at is None
    assert list(ModerationAction.objects.order_by("id").values_list("action", flat=True)) == [
        "suspend",
        "unsuspend",
    ]


def test_admin_lists_reports_and_accounts(client, staff):
    staff.user.is_superuser = True
    staff.user.save()
    _report(make_account("ana"), publish(make_account("troll"), text="x"))
    client.force_login(staff.user)
    assert client.get("/admin/moderation/report/").status_code == 200
    assert client.get("/admin/moderation/moderationaction/").status_code == 200
    assert client.get("/admin/accounts/account/?moderation=suspended").status_code == 200
