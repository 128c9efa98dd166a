"""Reports through the Mastodon API (POST /api/v1/reports) and the native API."""

from __future__ import annotations

import pytest

from moderation.models import Report
from network.actions import block
from posts.actions import publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_mastodon_report_an_account_with_statuses(api_for):
    ana, troll = make_account("ana"), make_account("troll")
    one, two = publish(troll, text="one"), publish(troll, text="two")
    response = api_for(ana).post_json(
        "/api/v1/reports",
        {
            "account_id": str(troll.pk),
            "status_ids": [str(one.pk), str(two.pk)],
            "comment": "spam run",
            "category": "spam",
            "forward": True,
            "rule_ids": ["1"],
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["category"] == "spam" and data["comment"] == "spam run"
    assert data["action_taken"] is False and data["forwarded"] is False
    assert sorted(data["status_ids"]) == sorted([str(one.pk), str(two.pk)])
    assert data["target_account"]["id"] == str(troll.pk)
    report = Report.objects.get()
    assert report.target_kind == "account" and report.reporter == ana


def test_mastodon_report_with_one_status_reports_the_post(api_for):
    ana, troll = make_account("ana"), make_account("troll")
    post = publish(troll, text="one")
    form = {"account_id": str(troll.pk), "status_ids[]": [str(post.pk)], "category": "violation"}
    assert api_for(ana).post("/api/v1/reports", form).status_code == 200
    report = Report.objects.get()
    assert (report.target_kind, report.target_id, report.category) == ("post", post.pk, "other")


def test_mastodon_report_bad_input(api_for):
    ana, troll, other = make_account("ana"), make_account("troll"), make_account("other")
    elsewhere = publish(other, text="not troll's")
    api = api_for(ana)
    assert api.post_json("/api/v1/reports", {}).status_code == 422
    assert api.post_json("/api/v1/reports", {"account_id": "999"}).status_code == 404
    assert api.post_json("/api/v1/reports", {"account_id": "abc"}).status_code == 422
    bad_category = {"account_id": str(troll.pk), "category": "meh"}
    assert api.post_json("/api/v1/reports", bad_category).status_code == 422
    foreign = {"account_id": str(troll.pk), "status_ids": [str(elsewhere.pk)]}
    assert api.post_json("/api/v1/reports", foreign).status_code == 404
    myself = api.post_json("/api/v1/reports", {"account_id": str(ana.pk)})
    assert myself.status_code == 422 and "error" in myself.json()
    long = {"account_id": str(troll.pk), "comment": "x" * 1001}
    assert api.post_json("/api/v1/reports", long).status_code == 422
    assert not Report.objects.exists()


def test_mastodon_report_scopes_and_blocks(api_for):
    ana, troll = make_account("ana"), make_account("troll")
    body = {"account_id": str(troll.pk)}
    assert api_for(ana, scopes="read").post_json("/api/v1/reports", body).status_code == 403
    assert api_for(False).post_json("/api/v1/reports", body).status_code == 401
    # Reporting someone you blocked is what people do; someone who blocked you is not there.
    block(ana, troll)
    assert api_for(ana).post_json("/api/v1/reports", body).status_code == 200
    other = make_account("other")
    block(other, ana)
    blocked = api_for(ana).post_json("/api/v1/reports", {"account_id": str(other.pk)})
    assert blocked.status_code == 404


def test_native_report_a_post_and_an_account(native_for):
    ana, troll = make_account("ana"), make_account("troll")
    post = publish(troll, text="x")
    api = native_for(ana)
    response = api.post(
        "/api/plaza/v1/reports",
        {"post_id": str(post.pk), "category": "hate", "comment": "no"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["target_kind"] == "post" and response.json()["status"] == "open"
    response = api.post(
        "/api/plaza/v1/reports",
        {"account_id": str(troll.pk), "category": "spam"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["target_kind"] == "account"


def test_native_report_bad_input(native_for):
    ana, troll = make_account("ana"), make_account("troll")
    api = native_for(ana)

    def post(body):
        return api.post("/api/plaza/v1/reports", body, content_type="application/json")

    assert post({"category": "spam"}).status_code == 422
    both = {"account_id": str(troll.pk), "post_id": "1", "category": "spam"}
    assert post(both).status_code == 422
    assert post({"account_id": str(troll.pk), "category": "nope"}).status_code == 422
    assert post({"post_id": "12345", "category": "spam"}).status_code == 404
    assert post({"account_id": str(ana.pk), "category": "spam"}).status_code == 422
    assert not Report.objects.exists()


def test_outcome_notices_through_the_apis(api_for, native_for, staff):
    from moderation import actions
    from moderation.queries import target_for_post
    from notifications.models import Notification

    ana, troll = make_account("ana"), make_account("troll")
    post = publish(troll, text="x")
    report = actions.report(ana, target_for_post(ana, post.pk), category="spam")
    actions.resolve(staff, report, "dismiss", "fine")
    notice = Notification.objects.get(recipient=ana)
    api = api_for(ana)
    # Clients that don't know Plaza's type don't get it; those that ask do.
    assert api.get("/api/v1/notifications").json() == []
    asked = api.get("/api/v1/notifications?types[]=plaza:report_resolved").json()
    assert [n["type"] for n in asked] == ["plaza:report_resolved"]
    assert api.get(f"/api/v1/notifications/{notice.pk}").json()["type"] == "plaza:report_resolved"
    native = native_for(ana).get("/api/plaza/v1/notifications").json()
    assert [n["kind"] for n in native["items"]] == ["report_resolved"]


def test_mastodon_report_of_a_direct_message_is_a_message_report(api_for, run_tasks):
    from messaging.actions import start_conversation
    from network.actions import request_connection

    ana, troll, cy = make_account("ana"), make_account("troll"), make_account("cy")
    request_connection(troll, ana)
    conversation = start_conversation(troll, [ana], text="you are awful")
    message = conversation.messages.get()
    body = {"account_id": str(troll.pk), "status_ids": [str(message.pk)], "category": "other"}
    response = api_for(ana).post_json("/api/v1/reports", body)
    assert response.status_code == 200, response.content
    assert response.json()["status_ids"] == [str(message.pk)]
    report = Report.objects.get()
    assert report.target_kind == "message" and report.target_id == message.pk
    assert report.context["messages"][-1]["id"] == str(message.pk)
    # Not a participant: the message is no status of theirs to report (404), nothing written.
    outsider = api_for(cy).post_json("/api/v1/reports", body)
    assert outsider.status_code == 404
    # A message, but naming the wrong account: 404.
    wrong = {**body, "account_id": str(cy.pk)}
    assert api_for(ana).post_json("/api/v1/reports", wrong).status_code == 404
    assert Report.objects.count() == 1
