"""Mastodon's admin API for staff: the report queue, resolving, and account sanctions —
through moderation.actions (audit log, notices), and refused to everyone but staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from moderation import actions as moderation
from moderation.models import ModerationAction, Report, ReportStatus
from moderation.queries import target_for_account, target_for_post
from notifications.models import Notification
from posts.actions import publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db

ADMIN = "admin:read admin:write"


@pytest.fixture
def api_for() -> Any:
    """As tests/mastodon/conftest.py's, for an app registered with the admin scopes too."""
    from mastodon.actions import issue_token, register_app
    from tests.mastodon.conftest import Api

    app, _ = register_app(
        name="Admin client", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"],
        scopes="read write follow admin:read admin:write",
    )  # fmt: skip

    def make(account: Account | bool, scopes: str = ADMIN) -> Api:
        if account is False:
            return Api(None)
        assert isinstance(account, Account)
        _, raw = issue_token(account.user, app, scopes=scopes)
        return Api(raw)

    return make


@pytest.fixture
def world() -> dict[str, Any]:
    staff = make_account("mod")
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])
    ana, troll = make_account("ana"), make_account("troll")
    post = publish(troll, text="nasty words")
    report = moderation.report(
        ana, target_for_post(ana, post.pk), category="harassment", comment="mean"
    )
    return {"staff": staff, "ana": ana, "troll": troll, "post": post, "report": report}


def test_staff_read_the_queue_with_the_reported_statuses(world: Any, api_for: Any) -> None:
    api = api_for(world["staff"], ADMIN)
    r = api.get("/api/v1/admin/reports")
    assert r.status_code == 200, r.content
    (entity,) = r.json()
    assert entity["id"] == str(world["report"].pk) and entity["action_taken"] is False
    assert entity["account"]["username"] == "ana"
    assert entity["target_account"]["username"] == "troll"
    assert entity["target_account"]["account"]["acct"] == "troll"
    assert [s["id"] for s in entity["statuses"]] == [str(world["post"].pk)]
    assert entity["comment"] == "mean" and entity["plaza"]["category"] == "harassment"
    one = api.get(f"/api/v1/admin/reports/{world['report'].pk}").json()
    assert one["id"] == entity["id"] and one["statuses"] == entity["statuses"]
    assert api.get("/api/v1/admin/reports?resolved=true").json() == []
    ana_id, troll_id = world["ana"].pk, world["troll"].pk
    assert len(api.get(f"/api/v1/admin/reports?target_account_id={troll_id}").json()) == 1
    assert api.get(f"/api/v1/admin/reports?account_id={troll_id}").json() == []
    assert len(api.get(f"/api/v1/admin/reports?account_id={ana_id}").json()) == 1


def test_the_queue_pages_in_a_constant_number_of_queries(world: Any, api_for: Any) -> None:
    api = api_for(world["staff"], ADMIN)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/admin/reports").status_code == 200
        return len(queries)

    few = count()
    for n in range(6):
        reporter, author = make_account(f"r{n}"), make_account(f"a{n}")
        post = publish(author, text=f"post {n}")
        moderation.report(reporter, target_for_post(reporter, post.pk), category="spam")
    assert count() == few
    page = api.get("/api/v1/admin/reports?limit=3")
    assert len(page.json()) == 3 and 'rel="next"' in page["Link"]


def test_assign_and_resolve(world: Any, api_for: Any) -> None:
    api = api_for(world["staff"], ADMIN)
    report = world["report"]
    r = api.post(f"/api/v1/admin/reports/{report.pk}/assign_to_self")
    assert r.json()["assigned_account"]["username"] == "mod"
    r = api.post(f"/api/v1/admin/reports/{report.pk}/resolve")
    assert r.status_code == 200 and r.json()["action_taken"] is True
    report.refresh_from_db()
    assert report.status == ReportStatus.DISMISSED
    entry = ModerationAction.objects.get(report=report)
    assert entry.moderator == world["staff"] and entry.reason == "Via the admin API"
    assert Notification.objects.filter(recipient=world["ana"], kind="report_resolved").exists()
    assert api.post(f"/api/v1/admin/reports/{report.pk}/resolve").status_code == 422
    assert api.post(f"/api/v1/admin/reports/{report.pk}/assign_to_self").status_code == 422


def test_account_actions_warn_silence_suspend_and_lift(world: Any, api_for: Any) -> None:
    api = api_for(world["staff"], ADMIN)
    troll: Account = world["troll"]
    url = f"/api/v1/admin/accounts/{troll.pk}"
    assert api.post(f"{url}/action", {"type": "none", "text": "Be nice"}).json() == {}
    assert api.post(f"{url}/action", {"type": "silence", "text": "Spam"}).status_code == 200
    assert api.get(url).json()["silenced"] is True
    # Deciding the report with the suspension closes it and tells the reporter.
    r = api.post(
        f"{url}/action",
        {"type": "suspend", "text": "Harassment", "report_id": str(world["report"].pk)},
    )
    assert r.status_code == 200, r.content
    detail = api.get(url).json()
    assert detail["suspended"] is True and detail["disabled"] is True
    world["report"].refresh_from_db()
    assert world["report"].status == ReportStatus.RESOLVED
    assert list(
        ModerationAction.objects.filter(target_account=troll)
        .order_by("id")
        .values_list("action", "reason")
    ) == [("warn", "Be nice"), ("limit", "Spam"), ("suspend", "Harassment")]
    assert api.post(f"{url}/unsuspend").json()["suspended"] is False
    assert api.post(f"{url}/unsilence").json()["silenced"] is False


def test_bad_input_is_refused_and_nothing_written(world: Any, api_for: Any) -> None:
    api = api_for(world["staff"], ADMIN)
    troll, ana = world["troll"], world["ana"]
    for body in ({"type": "disable"}, {"type": "sensitive"}, {"type": "explode"}):
        r = api.post(f"/api/v1/admin/accounts/{troll.pk}/action", body)
        assert r.status_code == 422 and r.json()["error"], body
    # A report about someone else cannot decide this account.
    other = moderation.report(troll, target_for_account(troll, ana), category="spam")
    r = api.post(
        f"/api/v1/admin/accounts/{troll.pk}/action", {"type": "suspend", "report_id": str(other.pk)}
    )
    assert r.status_code == 422
    staff = world["staff"]
    r = api.post(f"/api/v1/admin/accounts/{staff.pk}/action", {"type": "suspend"})
    assert r.status_code in (403, 422)
    assert api.get("/api/v1/admin/accounts/999").status_code == 404
    assert api.get("/api/v1/admin/reports/nope").status_code == 404
    troll.refresh_from_db()
    assert troll.suspended_at is None and not ModerationAction.objects.exists()
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == 2


def test_only_staff_with_admin_scopes(world: Any, api_for: Any) -> None:
    report, troll = world["report"], world["troll"]
    paths = [
        ("get", "/api/v1/admin/reports"),
        ("get", f"/api/v1/admin/reports/{report.pk}"),
        ("post", f"/api/v1/admin/reports/{report.pk}/resolve"),
        ("post", f"/api/v1/admin/reports/{report.pk}/assign_to_self"),
        ("get", f"/api/v1/admin/accounts/{troll.pk}"),
        ("post", f"/api/v1/admin/accounts/{troll.pk}/action"),
        ("post", f"/api/v1/admin/accounts/{troll.pk}/unsuspend"),
    ]
    for who, scopes, status in (
        (world["ana"], ADMIN, 403),  # not staff
        (world["staff"], "read write", 403),  # staff, but no admin scope
        (False, ADMIN, 401),
    ):
        api = api_for(who, scopes)
        for method, url in paths:
            assert getattr(api, method)(url).status_code == status, (who, scopes, url)
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN and report.assigned_to is None
    assert not ModerationAction.objects.exists()
