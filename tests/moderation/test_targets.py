"""Reporting a message and a group: who may report what, what the report keeps, and who sees
it (message reports and group reports go to staff only; the conversation stays private)."""

from __future__ import annotations

import pytest
from django.test import Client

from groups.actions import create_group
from groups.models import Membership, Role
from messaging.actions import delete_for_everyone, send_message, start_conversation
from moderation import actions
from moderation.models import ModerationAction, Report
from moderation.queries import target_for_group, target_for_message
from network import actions as network
from plaza.errors import ActionError, NotFound
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat():
    """ana and troll talk; troll's last message is the bad one; cy is not in it."""
    ana, troll, cy = make_account("ana"), make_account("troll"), make_account("cy")
    network.request_connection(ana, troll)
    network.accept_connection(troll, ana)
    conversation = start_conversation(ana, [troll], text="hello there")
    lines = []
    for i in range(6):
        sender = troll if i % 2 == 0 else ana
        lines.append(send_message(sender, conversation, text=f"line {i}"))
    bad = send_message(troll, conversation, text="you are awful")
    other = start_conversation(troll, [cy], text="secret elsewhere")
    return {
        "ana": ana,
        "troll": troll,
        "cy": cy,
        "conversation": conversation,
        "bad": bad,
        "other": other,
    }


def _send(client: Client, **params: str):
    return client.post("/report", {**params, "category": "harassment", "comment": "please"})


# --- messages ---------------------------------------------------------------------------------


def test_report_a_message_keeps_it_and_the_messages_before_it(chat, client):
    client.force_login(chat["ana"].user)
    page = client.get(f"/report?message={chat['bad'].pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Report a message" in html and "you are awful" in html
    response = _send(client, message=str(chat["bad"].pk))
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{chat['conversation'].pk}"
    report = Report.objects.get()
    assert (report.target_kind, report.target_id) == ("message", chat["bad"].pk)
    assert report.target_account == chat["troll"] and report.group_id is None
    assert report.snapshot == "you are awful"
    rows = report.context["messages"]
    expected = [f"line {i}" for i in range(1, 6)]
    assert [r["text"] for r in rows] == [*expected, "you are awful"]
    assert [r["reported"] for r in rows] == [False] * 5 + [True]
    assert report.context["conversation_id"] == str(chat["conversation"].pk)
    # Nothing of the other conversation.
    assert "secret elsewhere" not in str(report.context)


def test_only_participants_report_a_message(chat, client):
    cy = chat["cy"]
    with pytest.raises(NotFound):
        target_for_message(cy, chat["bad"].pk)
    client.force_login(cy.user)
    assert client.get(f"/report?message={chat['bad'].pk}").status_code == 404
    assert _send(client, message=str(chat["bad"].pk)).status_code == 404
    for junk in ("abc", "-1", "9" * 30, "123456789"):
        assert client.get(f"/report?message={junk}").status_code == 404, junk
    assert not Report.objects.exists()


def test_no_reporting_your_own_or_a_deleted_message(chat, client):
    troll, ana = chat["troll"], chat["ana"]
    with pytest.raises(ActionError, match="your own message"):
        actions.report(troll, target_for_message(troll, chat["bad"].pk), category="spam")
    mine = send_message(ana, chat["conversation"], text="oops")
    delete_for_everyone(ana, mine)
    with pytest.raises(ActionError, match="deleted"):
        target_for_message(troll, mine.pk)
    client.force_login(troll.user)
    response = client.get(f"/report?message={mine.pk}", follow=True)
    assert response.status_code == 200 and "deleted" in response.content.decode()
    assert not Report.objects.exists()


def test_message_reports_reach_staff_only_with_their_context(chat, client, staff):
    report = actions.report(
        chat["ana"], target_for_message(chat["ana"], chat["bad"].pk), category="harassment"
    )
    # A group moderator (of any group) never sees it.
    gm = make_account("gm")
    group = create_group(gm, name="Knitting", handle="knitting")
    assert Membership.objects.get(group=group, account=gm).role == Role.OWNER
    client.force_login(gm.user)
    assert "you are awful" not in client.get("/moderation").content.decode()
    assert client.get(f"/moderation/reports/{report.pk}").status_code == 404
    # The participant who reported it can't open the staff page either.
    client.force_login(chat["ana"].user)
    assert client.get(f"/moderation/reports/{report.pk}").status_code == 404
    client.force_login(staff.user)
    assert "you are awful" in client.get("/moderation").content.decode()
    html = client.get(f"/moderation/reports/{report.pk}").content.decode()
    assert "you are awful" in html and "line 1" in html and "line 5" in html
    assert "hello there" not in html  # only the few messages before it
    assert "secret elsewhere" not in html


def test_staff_decide_a_message_report(chat, client, staff):
    report = actions.report(
        chat["ana"], target_for_message(chat["ana"], chat["bad"].pk), category="harassment"
    )
    client.force_login(staff.user)
    url = f"/moderation/reports/{report.pk}"
    response = client.post(url, {"action": "warn", "reason": "Insults in DMs"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "resolved" and report.outcome == "warn"
    chat["troll"].refresh_from_db()
    assert chat["troll"].warnings_count == 1


def test_staff_remove_a_reported_message_for_everyone(chat, client, staff):
    report = actions.report(
        chat["ana"], target_for_message(chat["ana"], chat["bad"].pk), category="harassment"
    )
    report2 = actions.report(
        chat["ana"], target_for_message(chat["ana"], chat["bad"].pk), category="spam"
    )
    client.force_login(staff.user)
    response = client.post(
        f"/moderation/reports/{report.pk}", {"action": "remove_content", "reason": "Abuse"}
    )
    assert response.status_code == 302
    chat["bad"].refresh_from_db()
    assert chat["bad"].is_deleted and chat["bad"].text == ""
    report.refresh_from_db()
    assert report.status == "resolved"
    entry = report.actions.get()
    assert entry.details["text"] == "you are awful"  # kept in the audit log only
    # The participants now see the "deleted" marker, not the text.
    client.force_login(chat["ana"].user)
    page = client.get(f"/messages/{chat['bad'].conversation_id}").content.decode()
    assert "you are awful" not in page
    # Removing it again is a clear error, nothing written; it can't be reported again either.
    with pytest.raises(ActionError):
        target_for_message(chat["ana"], chat["bad"].pk)
    with pytest.raises(ActionError):
        actions.resolve(staff, report2, "remove_content", "Again")
    assert ModerationAction.objects.filter(target_id=chat["bad"].pk).count() == 1


def test_group_moderators_cannot_remove_messages(chat, staff):
    gm = make_account("gm2")
    create_group(gm, name="Knots", handle="knots")
    report = actions.report(
        chat["ana"], target_for_message(chat["ana"], chat["bad"].pk), category="harassment"
    )
    with pytest.raises(NotFound):
        actions.resolve(gm, report, "remove_content", "Abuse")
    chat["bad"].refresh_from_db()
    assert not chat["bad"].is_deleted


def test_native_api_reports_a_message(chat, native_for):
    api = native_for(chat["ana"])

    def post(body):
        return api.post("/api/plaza/v1/reports", body, content_type="application/json")

    response = post({"message_id": str(chat["bad"].pk), "category": "harassment"})
    assert response.status_code == 201, response.content
    assert response.json()["target_kind"] == "message"
    # Not in your conversation, junk, or two targets at once.
    outsider = native_for(chat["cy"])
    body = {"message_id": str(chat["bad"].pk), "category": "spam"}
    assert (
        outsider.post("/api/plaza/v1/reports", body, content_type="application/json").status_code
        == 404
    )
    assert post({"message_id": "x1", "category": "spam"}).status_code == 404
    both = {"message_id": str(chat["bad"].pk), "post_id": "1", "category": "spam"}
    assert post(both).status_code == 422
    assert Report.objects.count() == 1


# --- groups ---------------------------------------------------------------------------------


@pytest.fixture
def groups():
    owner, ana, stranger = make_account("owner"), make_account("gina"), make_account("stranger")
    public = create_group(owner, name="Scam Central", handle="scams", description="Buy now")
    secret = create_group(
        owner, name="Hidden", handle="hidden", visibility="secret", join_policy="invite"
    )
    Membership.objects.create(group=secret, account=ana)
    return {"owner": owner, "ana": ana, "stranger": stranger, "public": public, "secret": secret}


def test_report_a_group_from_the_web(groups, client, staff):
    client.force_login(groups["ana"].user)
    page = client.get("/report?group=scams")
    assert page.status_code == 200 and "Report a group" in page.content.decode()
    response = _send(client, group="scams")
    assert response.status_code == 302 and response["Location"] == "/g/scams"
    report = Report.objects.get()
    assert (report.target_kind, report.target_id) == ("group", groups["public"].pk)
    assert report.target_account == groups["owner"]
    assert report.group_id is None  # staff decide, not the group's own moderators
    assert "Buy now" in report.snapshot
    # Its owner (a group moderator) doesn't get it; staff do.
    client.force_login(groups["owner"].user)
    assert client.get(f"/moderation/reports/{report.pk}").status_code == 404
    assert "Scam Central" not in client.get("/moderation").content.decode()
    client.force_login(staff.user)
    html = client.get(f"/moderation/reports/{report.pk}").content.decode()
    assert "Scam Central" in html and "!scams" in html


def test_secret_groups_can_be_reported_only_by_those_who_know_them(groups, client):
    with pytest.raises(NotFound):
        target_for_group(groups["stranger"], "hidden")
    with pytest.raises(NotFound):
        target_for_group(groups["stranger"], groups["secret"].pk)
    client.force_login(groups["stranger"].user)
    assert client.get("/report?group=hidden").status_code == 404
    assert _send(client, group="hidden").status_code == 404
    assert client.get("/report?group=nope").status_code == 404
    client.force_login(groups["ana"].user)
    assert _send(client, group="hidden").status_code == 302
    assert Report.objects.get().target_id == groups["secret"].pk


def test_no_reporting_your_own_group(groups):
    owner = groups["owner"]
    with pytest.raises(ActionError, match="group you own"):
        actions.report(owner, target_for_group(owner, "scams"), category="spam")


def test_native_api_reports_a_group_by_id_or_handle(groups, native_for):
    api = native_for(groups["ana"])

    def post(body, client=api):
        return client.post("/api/plaza/v1/reports", body, content_type="application/json")

    response = post({"group_id": str(groups["public"].pk), "category": "spam"})
    assert response.status_code == 201, response.content
    assert response.json()["target_kind"] == "group"
    assert post({"group_id": "hidden", "category": "spam"}).status_code == 201
    stranger = native_for(groups["stranger"])
    assert post({"group_id": "hidden", "category": "spam"}, stranger).status_code == 404
    assert post({"group_id": "scams", "post_ids": ["1"], "category": "spam"}).status_code == 422
    assert Report.objects.count() == 2


# --- the report link partial ------------------------------------------------------------------


def test_report_link_partial_for_messages_and_groups(chat, groups, rf):
    from django.template.loader import render_to_string

    def render(viewer, **target):
        request = rf.get("/somewhere")
        return render_to_string(
            "moderation/_report_link.html", {"viewer": viewer, "request": request, **target}
        )

    bad = chat["bad"]
    html = render(chat["ana"], message=bad)
    assert f"/report?message={bad.pk}" in html and "Report message" in html
    assert render(chat["troll"], message=bad).strip() == ""  # one's own message
    html = render(groups["ana"], group=groups["public"])
    assert "/report?group=scams" in html and "Report group" in html
    assert render(groups["owner"], group=groups["public"]).strip() == ""
    assert render(None, group=groups["public"]).strip() == ""


def test_decision_choices_fit_the_target_and_the_moderator(chat, groups, staff, client):
    message_report = actions.report(
        chat["ana"], target_for_message(chat["ana"], chat["bad"].pk), category="spam"
    )
    group_report = actions.report(
        groups["ana"], target_for_group(groups["ana"], "scams"), category="spam"
    )
    client.force_login(staff.user)
    html = client.get(f"/moderation/reports/{group_report.pk}").content.decode()
    assert 'value="remove_content"' not in html and "Suspend the group&#x27;s owner" in html
    response = client.post(
        f"/moderation/reports/{group_report.pk}", {"action": "remove_content", "reason": "x"}
    )
    assert response.status_code == 400  # not a choice for a group: nothing happens
    html = client.get(f"/moderation/reports/{message_report.pk}").content.decode()
    assert 'value="warn"' in html and 'value="dismiss"' in html
    assert Report.objects.filter(status="open").count() == 2


def test_messages_offer_a_report_link_to_the_other_participant_only(chat, client):
    client.force_login(chat["ana"].user)
    page = client.get(f"/messages/{chat['bad'].conversation_id}").content.decode()
    assert f"/report?message={chat['bad'].pk}" in page
    client.force_login(chat["troll"].user)  # the sender doesn't report their own message
    page = client.get(f"/messages/{chat['bad'].conversation_id}").content.decode()
    assert f"/report?message={chat['bad'].pk}" not in page
