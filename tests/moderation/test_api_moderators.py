"""The moderators' native API (/api/plaza/v1/moderation/...): the queue, a report with its
context, assigning and deciding, staff actions on accounts, the audit log. Same rules and
scope as the web pages: staff everything, a group moderator only their groups' reports (remove
or dismiss), everybody else 403; bad input is a 4xx with JSON and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from groups.models import Group, Membership, Role
from mastodon.actions import issue_token, register_app
from messaging.actions import send_message, start_conversation
from moderation import actions
from moderation.models import ModerationAction, Report
from moderation.queries import target_for_account, target_for_message, target_for_post
from network import actions as network
from notifications.models import Notification
from posts.actions import publish
from posts.models import Post
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db

API = "/api/plaza/v1/moderation"
ADMIN = "read write admin:read admin:write"


class Api(Client):
    def __init__(self, token: str) -> None:
        super().__init__(headers={"Authorization": f"Bearer {token}"})

    def post_json(self, path: str, body: Any) -> Any:
        return self.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def mod_api(db: Any) -> Callable[..., Api]:
    """``mod_api(account, scopes=ADMIN)`` → a client with a bearer token for that account."""
    app, _ = register_app(
        name="Moderation client", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=ADMIN
    )

    def make(account: Account, scopes: str = ADMIN) -> Api:
        _, raw = issue_token(account.user, app, scopes=scopes)
        return Api(raw)

    return make


@pytest.fixture
def world(staff: Account) -> dict[str, Any]:
    """troll posts in group A, in group B and outside groups; ana reports all three. gm
    moderates group A only."""
    owner, gm, ana, troll = (make_account(n) for n in ("owner", "gm", "ana", "troll"))
    a = Group.objects.create(name="Group A", handle="group_a", owner=owner)
    b = Group.objects.create(name="Group B", handle="group_b", owner=owner)
    for g in (a, b):
        Membership.objects.create(group=g, account=owner, role=Role.OWNER)
        Membership.objects.create(group=g, account=ana)
        Membership.objects.create(group=g, account=troll)
    Membership.objects.create(group=a, account=gm, role=Role.MODERATOR)
    posts = {}
    for name, group in (("a", a), ("b", b), ("none", None)):
        post = publish(troll, text=f"post in {name}")
        Post.objects.filter(pk=post.pk).update(group=group)
        posts[name] = post
    reports = {
        name: actions.report(
            ana, target_for_post(ana, post.pk), category="spam", comment=f"about {name}"
        )
        for name, post in posts.items()
    }
    return {
        "staff": staff,
        "gm": gm,
        "ana": ana,
        "troll": troll,
        "a": a,
        "b": b,
        "posts": posts,
        "reports": reports,
    }


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {int(item["id"]) for item in response.json()["items"]}


def _nothing_written(report: Report) -> None:
    report.refresh_from_db()
    assert report.status == "open" and report.resolved_by is None
    assert not ModerationAction.objects.exists()
    assert not Notification.objects.filter(kind__in=["report_resolved", "moderation_warning"])


# --- staff ----------------------------------------------------------------------------------


def test_staff_queue_detail_and_paging(world, mod_api):
    api, reports = mod_api(world["staff"]), world["reports"]
    response = api.get(f"{API}/reports")
    assert _ids(response) == {r.pk for r in reports.values()}
    item = next(i for i in response.json()["items"] if i["id"] == str(reports["a"].pk))
    assert item["status"] == "open" and item["outcome"] is None
    assert item["target_kind"] == "post" and item["target_id"] == str(world["posts"]["a"].pk)
    assert item["group_id"] == str(world["a"].pk) and item["comment"] == "about a"
    assert item["reporter"]["username"] == "ana"
    assert item["target_account"]["username"] == "troll"
    assert item["target_account"]["suspended_at"] is None
    assert item["post"]["text"] == "post in a" and item["snapshot"] == "post in a"

    # Keyset paging, newest first; nothing resolved yet.
    first = api.get(f"{API}/reports?limit=2").json()
    assert [int(i["id"]) for i in first["items"]] == [reports["none"].pk, reports["b"].pk]
    rest = api.get(f"{API}/reports?limit=2&max_id={first['next_max_id']}").json()
    assert [int(i["id"]) for i in rest["items"]] == [reports["a"].pk]
    assert rest["next_max_id"] is None
    assert _ids(api.get(f"{API}/reports?status=resolved")) == set()

    detail = api.get(f"{API}/reports/{reports['none'].pk}").json()
    assert detail["post"]["text"] == "post in none" and detail["group_id"] is None
    assert detail["allowed_actions"] == ["remove_content", "warn", "limit", "suspend", "dismiss"]
    assert detail["actions"] == [] and detail["history"] == []
    assert detail["other_open_reports"] == 2  # the reports about troll's other posts


def test_staff_assign_then_resolve_and_log(world, mod_api):
    api, report, staff = mod_api(world["staff"]), world["reports"]["none"], world["staff"]
    taken = api.post(f"{API}/reports/{report.pk}/assign")
    assert taken.status_code == 200, taken.content
    assert taken.json()["assigned_to"]["username"] == staff.username
    report.refresh_from_db()
    assert report.assigned_to == staff

    done = api.post_json(
        f"{API}/reports/{report.pk}/resolve", {"action": "dismiss", "reason": "Just a joke"}
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "dismissed" and body["outcome"] == "dismiss"
    assert body["resolved_by"]["username"] == staff.username and body["allowed_actions"] == []
    assert [(a["action"], a["reason"]) for a in body["actions"]] == [("dismiss", "Just a joke")]
    # Decided: it leaves the open queue, shows under dismissed, and can't be taken any more.
    assert report.pk not in _ids(api.get(f"{API}/reports"))
    assert _ids(api.get(f"{API}/reports?status=dismissed")) == {report.pk}
    again = api.post(f"{API}/reports/{report.pk}/assign")
    assert again.status_code == 422 and "already been decided" in again.json()["error"]

    log = api.get(f"{API}/log").json()
    entry = log["items"][0]
    assert entry["action"] == "dismiss" and entry["reason"] == "Just a joke"
    assert entry["moderator"]["username"] == staff.username
    assert entry["report_id"] == str(report.pk) and log["next_max_id"] is None


@pytest.mark.parametrize("decision", ["remove_content", "warn", "limit", "suspend", "dismiss"])
def test_staff_decisions_have_the_web_effects(world, mod_api, decision):
    staff, troll, ana = world["staff"], world["troll"], world["ana"]
    report, post = world["reports"]["none"], world["posts"]["none"]
    response = mod_api(staff).post_json(
        f"{API}/reports/{report.pk}/resolve", {"action": decision, "reason": "  Rule 3  "}
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == decision
    # The audit log has who and why; the reporter is told the outcome.
    entry = ModerationAction.objects.get()
    assert (entry.moderator, entry.action, entry.reason) == (staff, decision, "Rule 3")
    assert entry.report == report and entry.target_account == troll
    assert Notification.objects.filter(recipient=ana, kind="report_resolved").count() == 1
    troll.refresh_from_db()
    troll.user.refresh_from_db()
    assert Post.objects.filter(pk=post.pk).exists() == (decision != "remove_content")
    assert troll.warnings_count == (1 if decision == "warn" else 0)
    assert (troll.limited_at is not None) == (decision == "limit")
    assert (troll.suspended_at is not None) == (decision == "suspend")
    assert Notification.objects.filter(recipient=troll, kind="moderation_warning").exists() == (
        decision == "warn"
    )
    logged_in = Client().login(username="troll", password=PASSWORD)
    assert logged_in == (decision != "suspend")


def test_staff_decide_a_message_report_with_its_conversation(staff, mod_api):
    ana, troll = make_account("ana"), make_account("troll")
    network.request_connection(ana, troll)
    network.accept_connection(troll, ana)
    conversation = start_conversation(ana, [troll], text="hello")
    send_message(troll, conversation, text="before")
    bad = send_message(troll, conversation, text="you are awful")
    report = actions.report(ana, target_for_message(ana, bad.pk), category="harassment")
    api = mod_api(staff)
    detail = api.get(f"{API}/reports/{report.pk}").json()
    assert detail["target_kind"] == "message" and detail["post"] is None
    assert [(m["text"], m["reported"]) for m in detail["messages"]][-2:] == [
        ("before", False),
        ("you are awful", True),
    ]
    assert detail["allowed_actions"] == ["remove_content", "warn", "limit", "suspend", "dismiss"]
    response = api.post_json(
        f"{API}/reports/{report.pk}/resolve", {"action": "remove_content", "reason": "Abuse"}
    )
    assert response.status_code == 200, response.content
    bad.refresh_from_db()
    assert bad.is_deleted
    assert response.json()["actions"][0]["details"]["text"] == "you are awful"


def test_staff_account_record_and_actions(world, mod_api):
    api, troll, staff = mod_api(world["staff"]), world["troll"], world["staff"]
    record = api.get(f"{API}/accounts/{troll.pk}").json()
    assert record["account"]["username"] == "troll" and record["history"] == []
    assert {int(r["id"]) for r in record["reports"]} == {r.pk for r in world["reports"].values()}

    for action in ("warn", "limit", "unlimit", "suspend"):
        response = api.post_json(
            f"{API}/accounts/{troll.pk}/actions", {"action": action, "reason": f"why {action}"}
        )
        assert response.status_code == 200, (action, response.content)
    body = response.json()
    assert body["account"]["suspended_at"] is not None and body["account"]["limited_at"] is None
    assert body["account"]["warnings_count"] == 1
    assert [e["action"] for e in body["history"]] == ["suspend", "unlimit", "limit", "warn"]
    assert all(e["moderator"]["username"] == staff.username for e in body["history"])
    assert not Client().login(username="troll", password=PASSWORD)

    lifted = api.post_json(
        f"{API}/accounts/{troll.pk}/actions", {"action": "unsuspend", "reason": "Appeal"}
    )
    assert lifted.status_code == 200 and lifted.json()["account"]["suspended_at"] is None
    assert Client().login(username="troll", password=PASSWORD)
    assert ModerationAction.objects.count() == 5


# --- group moderators -----------------------------------------------------------------------


def test_group_moderator_sees_and_decides_only_their_group(world, mod_api):
    gm, reports, posts = world["gm"], world["reports"], world["posts"]
    api = mod_api(gm)
    assert _ids(api.get(f"{API}/reports")) == {reports["a"].pk}
    assert _ids(api.get(f"{API}/reports?status=all")) == {reports["a"].pk}
    detail = api.get(f"{API}/reports/{reports['a'].pk}").json()
    assert detail["allowed_actions"] == ["remove_content", "dismiss"]

    # Group B and outside any group: no such report, whatever the verb.
    for other in ("b", "none"):
        pk = reports[other].pk
        assert api.get(f"{API}/reports/{pk}").status_code == 404
        assert api.post(f"{API}/reports/{pk}/assign").status_code == 404
        for decision in ("dismiss", "remove_content", "suspend"):
            response = api.post_json(
                f"{API}/reports/{pk}/resolve", {"action": decision, "reason": "not mine"}
            )
            assert response.status_code == 404 and "error" in response.json()
        _nothing_written(reports[other])
    assert Report.objects.get(pk=reports["b"].pk).assigned_to is None

    # Account sanctions are for staff: 403, nothing written.
    for decision in ("warn", "limit", "suspend"):
        response = api.post_json(
            f"{API}/reports/{reports['a'].pk}/resolve", {"action": decision, "reason": "too far"}
        )
        assert response.status_code == 403 and "staff" in response.json()["error"]
    _nothing_written(reports["a"])
    troll = world["troll"]
    for path in (f"{API}/accounts/{troll.pk}", f"{API}/accounts/{troll.pk}/actions"):
        response = (
            api.get(path)
            if path.endswith(str(troll.pk))
            else api.post_json(path, {"action": "suspend", "reason": "too far"})
        )
        assert response.status_code == 403, path
    troll.refresh_from_db()
    assert troll.suspended_at is None

    # Removing the post in their group works, and is logged with the group.
    response = api.post_json(
        f"{API}/reports/{reports['a'].pk}/resolve",
        {"action": "remove_content", "reason": "Off-topic spam"},
    )
    assert response.status_code == 200, response.content
    assert not Post.objects.filter(pk=posts["a"].pk).exists()
    assert Post.objects.filter(pk=posts["b"].pk).exists()
    entry = ModerationAction.objects.get()
    assert (entry.moderator, entry.group_id) == (gm, world["a"].pk)
    assert Notification.objects.filter(recipient=world["ana"], kind="report_resolved").exists()

    # The log shows their group's decisions, not the staff's decisions elsewhere.
    actions.resolve(world["staff"], reports["b"], "dismiss", "staff elsewhere")
    assert _ids(api.get(f"{API}/log")) == {entry.pk}
    assert len(_ids(mod_api(world["staff"]).get(f"{API}/log"))) == 2


# --- everybody else -------------------------------------------------------------------------


def test_ordinary_users_get_403_everywhere(world, mod_api):
    report, troll = world["reports"]["a"], world["troll"]
    calls = [
        ("get", f"{API}/reports", None),
        ("get", f"{API}/reports/{report.pk}", None),
        ("post", f"{API}/reports/{report.pk}/assign", None),
        ("post", f"{API}/reports/{report.pk}/resolve", {"action": "dismiss", "reason": "x"}),
        ("get", f"{API}/accounts/{troll.pk}", None),
        ("post", f"{API}/accounts/{troll.pk}/actions", {"action": "suspend", "reason": "x"}),
        ("get", f"{API}/log", None),
    ]
    nobody = make_account("nobody")
    # With the admin scopes but not a moderator; a moderator whose token lacks them; the
    # reporter; and the reported account itself.
    clients = [
        mod_api(nobody),
        mod_api(world["staff"], scopes="read write"),
        mod_api(world["gm"], scopes="read write"),
        mod_api(world["ana"]),
        mod_api(troll),
    ]
    for api in clients:
        for method, path, body in calls:
            response = api.post_json(path, body or {}) if method == "post" else api.get(path)
            assert response.status_code == 403, (method, path, response.content)
            assert response.json()["error"]
    anonymous = Client()
    assert anonymous.get(f"{API}/reports").status_code == 401
    _nothing_written(report)
    assert Report.objects.filter(assigned_to__isnull=False).count() == 0


def test_read_scope_does_not_allow_deciding(world, mod_api):
    reader = mod_api(world["staff"], scopes="admin:read")
    report = world["reports"]["a"]
    assert reader.get(f"{API}/reports/{report.pk}").status_code == 200
    response = reader.post_json(
        f"{API}/reports/{report.pk}/resolve", {"action": "dismiss", "reason": "x"}
    )
    assert response.status_code == 403 and "admin:write:reports" in response.json()["error"]
    _nothing_written(report)


# --- bad input ------------------------------------------------------------------------------


def test_bad_decisions_are_clear_errors_and_write_nothing(world, mod_api):
    api, staff = mod_api(world["staff"]), world["staff"]
    report = world["reports"]["none"]
    account_report = actions.report(
        world["ana"], target_for_account(world["ana"], world["troll"]), category="spam"
    )
    resolve = f"{API}/reports/{report.pk}/resolve"
    bad_bodies = [
        {"action": "dismiss"},  # no reason
        {"action": "dismiss", "reason": "   "},
        {"action": "dismiss", "reason": "x" * 1001},
        {"action": "unlimit", "reason": "not a report decision"},
        {"action": "explode", "reason": "x"},
        {"reason": "no action"},
        {"action": "dismiss", "reason": "bad\x00text"},
    ]
    for body in bad_bodies:
        response = api.post_json(resolve, body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["error"]
    not_json = api.post(resolve, "{", content_type="application/json")
    assert 400 <= not_json.status_code < 500
    reason_error = api.post_json(resolve, {"action": "dismiss", "reason": " "}).json()["error"]
    assert "reason" in reason_error.lower() or "why" in reason_error.lower()
    # An account can't be "removed": warn, limit or suspend it instead.
    response = api.post_json(
        f"{API}/reports/{account_report.pk}/resolve", {"action": "remove_content", "reason": "x"}
    )
    assert response.status_code == 422 and "remove_content" not in str(
        api.get(f"{API}/reports/{account_report.pk}").json()["allowed_actions"]
    )
    # Unknown and malformed ids, malformed page keys.
    assert api.get(f"{API}/reports/999999").status_code == 404
    assert api.get(f"{API}/reports/abc").status_code == 404
    assert api.get(f"{API}/reports?max_id=abc").status_code == 422
    assert api.get(f"{API}/reports?status=bogus").status_code == 422
    assert api.get(f"{API}/reports?limit=0").status_code == 422
    assert api.get(f"{API}/log?max_id=-1").status_code == 422
    _nothing_written(report)
    account_report.refresh_from_db()
    assert account_report.status == "open"

    # Account actions: no reason, a state it is not in, oneself, another staff member.
    troll = world["troll"]
    other_staff = make_account("other_staff")
    other_staff.user.is_staff = True
    other_staff.user.save(update_fields=["is_staff"])
    for pk, body, status in [
        (troll.pk, {"action": "suspend"}, 422),
        (troll.pk, {"action": "unsuspend", "reason": "never suspended"}, 422),
        (troll.pk, {"action": "unlimit", "reason": "never limited"}, 422),
        (troll.pk, {"action": "dismiss", "reason": "not an account action"}, 422),
        (staff.pk, {"action": "warn", "reason": "myself"}, 422),
        (other_staff.pk, {"action": "suspend", "reason": "a colleague"}, 403),
        (999999, {"action": "warn", "reason": "nobody"}, 404),
    ]:
        response = api.post_json(f"{API}/accounts/{pk}/actions", body)
        assert response.status_code == status, (pk, body, response.content)
        assert response.json()["error"]
    troll.refresh_from_db()
    assert troll.suspended_at is None and troll.warnings_count == 0
    assert not ModerationAction.objects.exists()

    # Deciding twice: the second is refused, with one decision on record.
    assert api.post_json(resolve, {"action": "dismiss", "reason": "ok"}).status_code == 200
    again = api.post_json(resolve, {"action": "suspend", "reason": "changed my mind"})
    assert again.status_code == 422 and "already" in again.json()["error"]
    assert ModerationAction.objects.count() == 1
    troll.refresh_from_db()
    assert troll.suspended_at is None


def test_a_removed_post_is_a_clear_error_not_a_500(world, mod_api):
    report, post = world["reports"]["none"], world["posts"]["none"]
    Post.objects.filter(pk=post.pk).delete()
    api = mod_api(world["staff"])
    detail = api.get(f"{API}/reports/{report.pk}").json()
    assert detail["post"] is None and detail["snapshot"] == "post in none"
    response = api.post_json(
        f"{API}/reports/{report.pk}/resolve", {"action": "remove_content", "reason": "spam"}
    )
    assert response.status_code == 422 and "gone" in response.json()["error"]
    _nothing_written(report)


# --- query counts ---------------------------------------------------------------------------


def _queue_queries(api: Api, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


def _more_reports(world: dict[str, Any], numbers: range) -> None:
    """Reports in group A and outside, a third decided (resolved_by, a deleted post), a third
    assigned, a third untouched."""
    staff, gm = world["staff"], world["gm"]
    for i in numbers:
        reporter = make_account(f"rep{i}")
        for name in ("a", "none"):
            post = publish(world["troll"], text=f"more {name} {i}")
            if name == "a":
                Post.objects.filter(pk=post.pk).update(group=world["a"])
            found = actions.report(reporter, target_for_post(reporter, post.pk), category="spam")
            if i % 3 == 0:
                actions.resolve(staff, found, "remove_content", f"spam {i}")
            elif i % 3 == 1:
                actions.assign(gm if name == "a" else staff, found)


def test_queue_and_log_take_a_constant_number_of_queries(
    world, mod_api, django_assert_max_num_queries
):
    staff_api, gm_api = mod_api(world["staff"]), mod_api(world["gm"])
    paths = {
        "staff": (staff_api, f"{API}/reports?status=all"),
        "gm": (gm_api, f"{API}/reports?status=all"),
        "log": (staff_api, f"{API}/log"),
        "gm_log": (gm_api, f"{API}/log"),
    }
    _more_reports(world, range(3))  # one of each kind
    before = {name: _queue_queries(api, path) for name, (api, path) in paths.items()}
    _more_reports(world, range(3, 12))
    after = {name: _queue_queries(api, path) for name, (api, path) in paths.items()}
    assert after == before
    with django_assert_max_num_queries(12):
        assert len(_ids(staff_api.get(f"{API}/reports?status=all&limit=20"))) == 20
