"""'Your reports': a reporter follows what they reported and what came of it (web and native
API), and sees only their own reports."""

from __future__ import annotations

import pytest

from moderation import actions
from moderation.queries import target_for_account, target_for_post
from posts.actions import publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(staff):
    ana, bo, troll = make_account("ana"), make_account("bo"), make_account("troll")
    spam = publish(troll, text="cheap pills here")
    other = publish(troll, text="another thing")
    first = actions.report(ana, target_for_post(ana, spam.pk), category="spam", comment="ads")
    second = actions.report(ana, target_for_account(ana, troll), category="harassment")
    bos = actions.report(bo, target_for_post(bo, other.pk), category="hate", comment="bo's note")
    return {"ana": ana, "bo": bo, "first": first, "second": second, "bos": bos, "staff": staff}


def test_my_reports_show_status_and_outcome(reported, client):
    client.force_login(reported["ana"].user)
    html = client.get("/reports").content.decode()
    assert "Your reports" in html and "cheap pills here" in html and "Waiting for review" in html
    assert "@troll" in html and "ads" in html
    assert "bo&#x27;s note" not in html and "bo's note" not in html  # only one's own reports
    actions.resolve(reported["staff"], reported["first"], "remove_content", "Spam")
    actions.resolve(reported["staff"], reported["second"], "dismiss", "Not harassment")
    html = client.get("/reports").content.decode()
    assert "Removed: moderators took the content down." in html
    assert "found no rule broken" in html
    # The reporter learns the outcome, not which moderator decided nor the reason.
    assert "@mod" not in html and "Not harassment" not in html


def test_outcome_notice_links_to_my_reports(reported, client):
    actions.resolve(reported["staff"], reported["first"], "dismiss", "Fine")
    client.force_login(reported["ana"].user)
    html = client.get("/notifications").content.decode()
    assert "reviewed your report" in html and 'href="/reports"' in html


def test_my_reports_page_by_keyset(reported, client):
    ana = reported["ana"]
    for i in range(25):
        target = target_for_account(ana, make_account(f"spammer{i}"))
        actions.report(ana, target, category="spam")
    client.force_login(ana.user)
    first = client.get("/reports").content.decode()
    assert "@spammer24" in first and "@spammer5" in first and "@spammer4" not in first
    import re

    next_url = re.search(r'href="(/reports\?max_id=\d+)"', first)
    assert next_url
    second = client.get(next_url.group(1), HTTP_HX_REQUEST="true").content.decode()
    assert "@spammer4" in second and "@spammer24" not in second
    assert "<html" not in second
    assert client.get("/reports?max_id=abc").status_code == 200  # junk is ignored


def test_my_reports_needs_login_and_costs_a_fixed_number_of_queries(
    reported, client, django_assert_max_num_queries
):
    assert client.get("/reports").status_code == 302
    client.force_login(reported["ana"].user)
    with django_assert_max_num_queries(12):
        assert client.get("/reports").status_code == 200


def test_native_api_lists_my_reports(reported, native_for):
    api = native_for(reported["ana"])
    actions.resolve(reported["staff"], reported["first"], "warn", "Spam")
    body = api.get("/api/plaza/v1/reports").json()
    assert [r["id"] for r in body["items"]] == [
        str(reported["second"].pk),
        str(reported["first"].pk),
    ]
    done = body["items"][1]
    assert done["status"] == "resolved" and done["resolved_at"]
    assert done["outcome"] == "Action taken against the account responsible."
    assert body["items"][0]["outcome"] == "" and body["next_max_id"] is None
    page = api.get("/api/plaza/v1/reports?limit=1").json()
    assert len(page["items"]) == 1 and page["next_max_id"] == str(reported["second"].pk)
    rest = api.get(f"/api/plaza/v1/reports?limit=1&max_id={page['next_max_id']}").json()
    assert rest["items"][0]["id"] == str(reported["first"].pk)
    assert api.get("/api/plaza/v1/reports?max_id=abc").status_code == 422
    assert api.get("/api/plaza/v1/reports?limit=0").status_code == 422
    # Someone else's list never has ana's reports.
    bos = native_for(reported["bo"]).get("/api/plaza/v1/reports").json()["items"]
    assert [r["id"] for r in bos] == [str(reported["bos"].pk)]
