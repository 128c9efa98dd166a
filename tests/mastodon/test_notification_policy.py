"""Mastodon API: the notification policy (v1 and v2) and notification requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Account
from notifications import actions, queries
from notifications.models import Notification, NotificationKind, NotificationRequest
from posts import actions as posts
from tests.factories import make_account
from tests.mastodon.schemas import assert_entity

pytestmark = pytest.mark.django_db
K = NotificationKind


def _aged(name: str) -> Account:
    account = make_account(name)
    Account.objects.filter(pk=account.pk).update(created_at=timezone.now() - timedelta(days=90))
    return Account.objects.get(pk=account.pk)


@pytest.fixture
def filtered_world() -> tuple[Account, Account, Account]:
    """me filters people I don't follow; two strangers liked / followed."""
    me, ann, bob = _aged("me"), _aged("ann"), _aged("bob")
    actions.update_policy(me, {"for_not_following": "filter"})
    mine = posts.publish(me, text="my post")
    actions.notify(me, ann, K.LIKE, post=mine)
    actions.notify(me, ann, K.FOLLOW)
    actions.notify(me, bob, K.FOLLOW)
    return me, ann, bob


def test_policy_v2_read_and_change(api_for: Any) -> None:
    me = _aged("me")
    api = api_for(me)
    body = api.get("/api/v2/notifications/policy").json()
    assert body == {
        "for_not_following": "accept",
        "for_not_followers": "accept",
        "for_new_accounts": "accept",
        "for_private_mentions": "filter",
        "for_limited_accounts": "filter",
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }
    changed = api.put_json("/api/v2/notifications/policy", {"for_new_accounts": "drop"})
    assert changed.status_code == 200 and changed.json()["for_new_accounts"] == "drop"
    form = api.patch(
        "/api/v2/notifications/policy",
        "for_not_followers=filter",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.json()["for_not_followers"] == "filter"
    bad = api.patch_json(
        "/api/v2/notifications/policy", {"for_not_following": "filter", "for_new_accounts": "x"}
    )
    assert bad.status_code == 422 and "error" in bad.json()
    assert queries.policy_of(me).for_not_following == "accept"  # nothing written
    read_only = api_for(me, scopes="read")
    assert read_only.patch_json("/api/v2/notifications/policy", {}).status_code == 403
    assert api_for(False).get("/api/v2/notifications/policy").status_code == 401


def test_policy_v1_booleans(api_for: Any) -> None:
    me = _aged("me")
    api = api_for(me)
    body = api.get("/api/v1/notifications/policy").json()
    assert body["filter_private_mentions"] is True and body["filter_not_following"] is False
    changed = api.patch_json("/api/v1/notifications/policy", {"filter_not_following": True})
    assert changed.json()["filter_not_following"] is True
    assert queries.policy_of(me).for_not_following == "filter"
    assert (
        api.patch_json("/api/v1/notifications/policy", {"filter_new_accounts": "x"}).status_code
        == 422
    )


def test_requests_list_detail_and_summary(api_for: Any, filtered_world: Any) -> None:
    me, ann, _bob = filtered_world
    api = api_for(me)
    listed = api.get("/api/v1/notifications/requests")
    body = listed.json()
    assert [r["account"]["username"] for r in body] == ["bob", "ann"]  # newest request first
    ann_req = body[1]
    for key in ("id", "created_at", "updated_at", "account", "notifications_count"):
        assert key in ann_req
    assert ann_req["notifications_count"] == "2" and "last_status" not in ann_req  # a follow
    assert_entity(ann_req["account"], "Account")
    detail = api.get(f"/api/v1/notifications/requests/{ann_req['id']}").json()
    assert detail["id"] == ann_req["id"]
    summary = api.get("/api/v2/notifications/policy").json()["summary"]
    assert summary == {"pending_requests_count": 2, "pending_notifications_count": 3}
    # Filtered notifications stay out of the lists and counts...
    assert api.get("/api/v1/notifications").json() == []
    assert api.get("/api/v2/notifications").json()["notification_groups"] == []
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 0}
    # ...and come with include_filtered or account_id (a request's notifications).
    filtered = api.get("/api/v1/notifications?include_filtered=true").json()
    assert len(filtered) == 3 and all(n["filtered"] for n in filtered)
    of_ann = api.get(f"/api/v1/notifications?account_id={ann.pk}").json()
    assert {n["type"] for n in of_ann} == {"favourite", "follow"}
    limited = api.get("/api/v1/notifications/requests?limit=1")
    assert len(limited.json()) == 1 and 'rel="next"' in limited["Link"]


def test_last_status_is_the_latest_post(api_for: Any) -> None:
    me, ann = _aged("me"), _aged("ann")
    actions.update_policy(me, {"for_not_following": "filter"})
    post = posts.publish(me, text="liked one")
    actions.notify(me, ann, K.LIKE, post=post)
    [req] = api_for(me).get("/api/v1/notifications/requests").json()
    assert req["last_status"]["id"] == str(post.pk)
    assert_entity(req["last_status"], "Status")


def test_accept_and_dismiss_one(api_for: Any, filtered_world: Any) -> None:
    me, ann, bob = filtered_world
    api = api_for(me)
    ann_req = NotificationRequest.objects.get(from_account=ann)
    bob_req = NotificationRequest.objects.get(from_account=bob)
    # Someone else's request: 404, nothing changes.
    other = api_for(_aged("other"))
    assert other.post(f"/api/v1/notifications/requests/{ann_req.pk}/accept").status_code == 404
    assert other.get(f"/api/v1/notifications/requests/{ann_req.pk}").status_code == 404
    assert api.get("/api/v1/notifications/requests/nope").status_code == 404
    assert Notification.objects.filter(actor=ann, filtered=True).count() == 2
    assert api.post(f"/api/v1/notifications/requests/{ann_req.pk}/accept").json() == {}
    assert len(api.get("/api/v1/notifications").json()) == 2
    assert api.post(f"/api/v1/notifications/requests/{bob_req.pk}/dismiss").json() == {}
    assert api.get("/api/v1/notifications/requests").json() == []
    assert api.get("/api/v1/notifications/requests/merged").json() == {"merged": True}
    assert (
        api_for(me, scopes="read")
        .post(f"/api/v1/notifications/requests/{bob_req.pk}/accept")
        .status_code
        == 403
    )


def test_bulk_accept_is_all_or_nothing(api_for: Any, filtered_world: Any) -> None:
    me, _ann, _bob = filtered_world
    api = api_for(me)
    ids = [str(r.pk) for r in NotificationRequest.objects.filter(account=me)]
    stranger, other = _aged("x"), _aged("other")
    actions.update_policy(other, {"for_not_following": "filter"})
    actions.notify(other, stranger, K.FOLLOW)
    theirs = str(NotificationRequest.objects.get(account=other).pk)
    mixed = api.post_json("/api/v1/notifications/requests/accept", {"id": [*ids, theirs]})
    assert mixed.status_code == 404 and NotificationRequest.objects.filter(account=me).count() == 2
    assert api.post_json("/api/v1/notifications/requests/accept", {"id": []}).status_code == 422
    assert api.post_json("/api/v1/notifications/requests/dismiss", {"id": ["x"]}).status_code == 422
    assert api.post_json("/api/v1/notifications/requests/accept", {"id": ids}).json() == {}
    assert not NotificationRequest.objects.filter(account=me).exists()
    assert len(api.get("/api/v1/notifications").json()) == 3


def test_requests_list_constant_queries(api_for: Any, django_assert_max_num_queries: Any) -> None:
    me = _aged("me")
    actions.update_policy(me, {"for_not_following": "filter"})
    post = posts.publish(me, text="x")
    api = api_for(me)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/notifications/requests").status_code == 200
        return len(ctx.captured_queries)

    actions.notify(me, _aged("s0"), K.LIKE, post=post)
    few = count()
    for i in range(1, 6):
        actions.notify(me, _aged(f"s{i}"), K.LIKE, post=post)
    assert count() == few
