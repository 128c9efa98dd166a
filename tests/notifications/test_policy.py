"""Notification filtering (Mastodon 4.3's policies and requests): each kind of sender accepted,
filtered or dropped; kinds and senders that are never filtered; accepting and dismissing
requests; the unread count; query budgets; the web pages and the native API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, Visibility
from moderation import actions as moderation
from network import actions as network
from notifications import actions, queries
from notifications.models import (
    Notification,
    NotificationKind,
    NotificationPolicy,
    NotificationRequest,
)
from posts import actions as posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db
V1 = "/api/plaza/v1"
K = NotificationKind


def aged(account: Account, days: int = 365) -> Account:
    """An account created ``days`` ago (factories make brand-new ones)."""
    Account.objects.filter(pk=account.pk).update(created_at=timezone.now() - timedelta(days=days))
    return Account.objects.get(pk=account.pk)


def set_policy(account: Account, **changes: str) -> None:
    actions.update_policy(account, changes)


def listed(account: Account) -> list[int]:
    page = queries.notifications_page(account, limit=60)
    return [n.pk for g in page.groups for n in g.items]


@pytest.fixture
def me() -> Account:
    return aged(make_account("me"))


@pytest.fixture
def stranger() -> Account:
    return aged(make_account("stranger"))


def test_defaults_are_mastodons(me: Account) -> None:
    policy = queries.policy_of(me)
    assert [getattr(policy, f) for f in NotificationPolicy.FIELDS] == [
        "accept",
        "accept",
        "accept",
        "filter",
        "filter",
    ]
    assert policy.pk is not None and not NotificationPolicy.objects.exists()  # not stored


def test_default_policy_lets_a_stranger_through(me: Account, stranger: Account) -> None:
    n = actions.notify(me, stranger, K.FOLLOW)
    assert n is not None and not n.filtered and listed(me) == [n.pk]


@pytest.mark.parametrize("action", ["filter", "drop"])
def test_not_following(me: Account, stranger: Account, action: str) -> None:
    friend = aged(make_account("friend"))
    network.follow(me, friend)
    set_policy(me, for_not_following=action)
    Notification.objects.all().delete()
    from_stranger = actions.notify(me, stranger, K.FOLLOW)
    from_friend = actions.notify(me, friend, K.LIKE, post=posts.publish(me, text="x"))
    assert from_friend is not None and listed(me) == [from_friend.pk]
    if action == "drop":
        assert from_stranger is None and not NotificationRequest.objects.exists()
        assert not Notification.objects.filter(actor=stranger).exists()
    else:
        assert from_stranger is not None and from_stranger.filtered
        [pending] = queries.requests_page(me)
        assert (pending.sender, pending.count, pending.latest) == (stranger, 1, from_stranger)


def test_not_followers(me: Account, stranger: Account) -> None:
    fan = aged(make_account("fan"))
    network.follow(fan, me)
    set_policy(me, for_not_followers="filter")
    mine = posts.publish(me, text="mine")
    fan_like = actions.notify(me, fan, K.LIKE, post=mine)
    stranger_like = actions.notify(me, stranger, K.LIKE, post=mine)
    assert fan_like is not None and not fan_like.filtered
    assert stranger_like is not None and stranger_like.filtered
    assert fan_like.pk in listed(me) and stranger_like.pk not in listed(me)


def test_connections_count_as_following_both_ways(me: Account) -> None:
    pal = aged(make_account("pal"))
    network.request_connection(pal, me)
    network.accept_connection(me, pal)
    set_policy(me, for_not_following="drop", for_not_followers="drop")
    n = actions.notify(me, pal, K.LIKE, post=posts.publish(me, text="x"))
    assert n is not None and not n.filtered


def test_new_accounts(me: Account) -> None:
    newcomer = make_account("newcomer")  # created just now
    old = aged(make_account("old"), days=31)
    set_policy(me, for_new_accounts="filter")
    assert actions.notify(me, newcomer, K.FOLLOW).filtered  # type: ignore[union-attr]
    assert not actions.notify(me, old, K.FOLLOW).filtered  # type: ignore[union-attr]


def test_private_mentions_default_filtered(me: Account, stranger: Account) -> None:
    network.follow(stranger, me)  # a follower, but someone I don't follow
    private = posts.publish(stranger, text="hey @me", visibility=Visibility.FOLLOWERS)
    public = posts.publish(stranger, text="hi @me", visibility=Visibility.PUBLIC)
    kinds = dict(
        Notification.objects.filter(recipient=me, kind=K.MENTION).values_list("post_id", "filtered")
    )
    assert kinds == {private.pk: True, public.pk: False}
    # A private answer to my own post is solicited, whatever kind notifies it.
    mine = posts.publish(me, text="question?")
    answer = posts.publish(
        stranger, text="@me answer", visibility=Visibility.FOLLOWERS, in_reply_to=mine
    )
    about_answer = Notification.objects.filter(recipient=me, post=answer)
    assert about_answer.exists() and not about_answer.filter(filtered=True).exists()


def test_limited_accounts_default_filtered_and_accept_lets_them_in(
    me: Account, stranger: Account, staff: Account
) -> None:
    moderation.limit(staff, stranger, "Spammy")
    mine = posts.publish(me, text="x")
    n = actions.notify(me, stranger, K.LIKE, post=mine)
    assert n is not None and n.filtered and queries.unread_count(me) == 0
    set_policy(me, for_limited_accounts="accept")
    later = actions.notify(me, stranger, K.RESHARE, post=mine)
    assert later is not None and not later.filtered
    assert listed(me) == [later.pk] and queries.unread_count(me) == 1


def test_strictest_category_wins(me: Account) -> None:
    newcomer = make_account("newcomer")
    set_policy(me, for_not_following="filter", for_new_accounts="drop")
    assert actions.notify(me, newcomer, K.FOLLOW) is None


def test_never_filtered_kinds_and_senders(me: Account, stranger: Account, staff: Account) -> None:
    set_policy(
        me,
        **{f: "drop" for f in NotificationPolicy.FIELDS},  # the strictest policy there is
    )
    for kind in (K.CONNECTION_ACCEPTED, K.GROUP_REQUEST_APPROVED, K.GROUP_JOIN_REQUEST):
        n = actions.notify(me, stranger, kind)
        assert n is not None and not n.filtered, kind
    # Moderation notices and report outcomes.
    moderation.warn(staff, me, "Be nice")
    assert Notification.objects.filter(
        recipient=me, kind=K.MODERATION_WARNING, filtered=False
    ).exists()
    # Staff, and people I follow (even new or limited ones).
    assert actions.notify(me, staff, K.FOLLOW) is not None
    followed = make_account("followed")
    network.follow(me, followed)
    moderation.limit(staff, followed, "x")
    n = actions.notify(me, followed, K.LIKE, post=posts.publish(me, text="x"))
    assert n is not None and not n.filtered


def test_blocks_still_win_over_permissions(me: Account, stranger: Account) -> None:
    set_policy(me, for_not_following="filter")
    actions.notify(me, stranger, K.FOLLOW)
    [pending] = queries.requests_page(me)
    actions.accept_requests(me, [pending.request])
    network.block(me, stranger)
    assert actions.notify(me, stranger, K.FOLLOW) is None
    assert listed(me) == [] and queries.unread_count(me) == 0


def test_accept_moves_notifications_and_lets_later_ones_through(
    me: Account, stranger: Account
) -> None:
    set_policy(me, for_not_following="filter")
    mine = posts.publish(me, text="x")
    first = actions.notify(me, stranger, K.LIKE, post=mine)
    second = actions.notify(me, stranger, K.FOLLOW)
    assert first and second and queries.unread_count(me) == 0 and listed(me) == []
    assert queries.pending_summary(me) == queries.PendingSummary(requests=1, notifications=2)
    [pending] = queries.requests_page(me)
    assert pending.count == 2 and pending.latest == second
    assert actions.accept_requests(me, [pending.request]) == 1
    assert listed(me) == [second.pk, first.pk] and queries.unread_count(me) == 2
    assert not NotificationRequest.objects.exists()
    later = actions.notify(me, stranger, K.RESHARE, post=mine)
    assert later is not None and not later.filtered
    assert queries.pending_summary(me) == queries.PendingSummary(0, 0)


def test_dismiss_hides_the_request_and_keeps_notifications_filtered(
    me: Account, stranger: Account
) -> None:
    set_policy(me, for_not_following="filter")
    n = actions.notify(me, stranger, K.FOLLOW)
    [pending] = queries.requests_page(me)
    assert actions.dismiss_requests(me, [pending.request]) == 1
    assert queries.requests_page(me) == [] and queries.pending_summary(me).requests == 0
    actions.notify(me, stranger, K.FOLLOW)  # stays dismissed
    assert queries.requests_page(me) == [] and listed(me) == []
    assert Notification.objects.filter(pk=n.pk, filtered=True).exists()  # type: ignore[union-attr]


def test_someone_elses_request_is_not_found(me: Account, stranger: Account) -> None:
    from plaza.errors import NotFound

    other = aged(make_account("other"))
    set_policy(other, for_not_following="filter")
    actions.notify(other, stranger, K.FOLLOW)
    theirs = NotificationRequest.objects.get(account=other)
    with pytest.raises(NotFound):
        queries.get_request(me, theirs.pk)
    with pytest.raises(NotFound):
        queries.get_requests(me, [theirs.pk])
    assert actions.accept_requests(me, [theirs]) == 0
    assert Notification.objects.get(recipient=other).filtered


def test_bad_policy_values_write_nothing(me: Account) -> None:
    from plaza.errors import ActionError

    with pytest.raises(ActionError):
        actions.update_policy(me, {"for_new_accounts": "filter", "for_not_following": "never"})
    assert not NotificationPolicy.objects.exists()


# --- query budgets ----------------------------------------------------------------------


def _statements(fn: Any) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def test_notify_costs_one_statement_plus_the_insert(me: Account, stranger: Account) -> None:
    mine = posts.publish(me, text="x")
    me, stranger = Account.objects.get(pk=me.pk), Account.objects.get(pk=stranger.pk)
    accepted = _statements(lambda: actions.notify(me, stranger, K.LIKE, post=mine))
    assert len(accepted) == 2 and accepted[1].startswith("INSERT")  # facts, the insert
    set_policy(me, for_not_following="filter")
    filtered = _statements(lambda: actions.notify(me, stranger, K.RESHARE, post=mine))
    assert len(filtered) == 3  # facts, the insert, the request's upsert
    set_policy(me, for_not_following="drop")
    assert len(_statements(lambda: actions.notify(me, stranger, K.FOLLOW))) == 1


def test_reads_take_constant_queries(me: Account, django_assert_num_queries: Any) -> None:
    set_policy(me, for_not_following="filter")
    mine = posts.publish(me, text="x")
    for i in range(3):
        actions.notify(me, aged(make_account(f"s{i}")), K.LIKE, post=mine)
    me = Account.objects.get(pk=me.pk)
    with django_assert_num_queries(2):
        assert len(queries.requests_page(me)) == 3
    with django_assert_num_queries(1):
        assert queries.pending_summary(me).notifications == 3
    with django_assert_num_queries(1):
        assert queries.unread_count(me) == 0
    for i in range(3, 8):
        actions.notify(me, aged(make_account(f"s{i}")), K.LIKE, post=mine)
    with django_assert_num_queries(2):
        assert len(queries.requests_page(me)) == 8


# --- web --------------------------------------------------------------------------------


def test_web_settings_form(client: Client, me: Account) -> None:
    client.force_login(me.user)
    page = client.get("/notifications/settings")
    assert page.status_code == 200 and "Filter notifications from" in page.content.decode()
    assert 'href="/notifications/settings"' in client.get("/settings/account").content.decode()
    data = {f: "accept" for f in NotificationPolicy.FIELDS} | {"for_new_accounts": "drop"}
    assert client.post("/notifications/settings", data).status_code == 302
    assert queries.policy_of(me).for_new_accounts == "drop"
    bad = client.post("/notifications/settings", data | {"for_not_following": "never"})
    assert bad.status_code == 422 and 'value="drop" selected' in bad.content.decode()
    assert queries.policy_of(me).for_not_following == "accept"


def test_web_requests_accept_and_dismiss(client: Client, me: Account, stranger: Account) -> None:
    pest = aged(make_account("pest"))
    set_policy(me, for_not_following="filter")
    actions.notify(me, stranger, K.LIKE, post=posts.publish(me, text="my lovely post"))
    actions.notify(me, pest, K.FOLLOW)
    client.force_login(me.user)
    html = client.get("/notifications").content.decode()
    assert "Filtered notifications (2)" in html and 'href="/notifications/requests"' in html
    html = client.get("/notifications/requests").content.decode()
    assert "Stranger" in html and "Pest" in html and "my lovely post" in html
    req = NotificationRequest.objects.get(from_account=stranger)
    assert "my lovely post" in client.get(f"/notifications/requests/{req.pk}").content.decode()
    assert client.get(f"/notifications/requests/{req.pk}/accept").status_code == 405
    assert client.post(f"/notifications/requests/{req.pk}/accept").status_code == 302
    assert "Stranger" in client.get("/notifications").content.decode()
    pest_req = NotificationRequest.objects.get(from_account=pest)
    assert client.post(f"/notifications/requests/{pest_req.pk}/dismiss").status_code == 302
    assert "Filtered notifications" not in client.get("/notifications").content.decode()
    # Someone else's request: 404 for every door, nothing changes.
    other = make_account("other")
    client.force_login(other.user)
    assert client.get(f"/notifications/requests/{pest_req.pk}").status_code == 404
    assert client.post(f"/notifications/requests/{pest_req.pk}/accept").status_code == 404
    assert Notification.objects.get(actor=pest).filtered


def test_web_pages_need_login(client: Client) -> None:
    for url in ("/notifications/settings", "/notifications/requests"):
        assert client.get(url).status_code == 302


# --- native API -------------------------------------------------------------------------


def test_native_api(api_for: Any, me: Account, stranger: Account) -> None:
    api = api_for(me)
    policy = api.get(f"{V1}/notifications/policy").json()
    assert policy["for_private_mentions"] == "filter" and policy["pending_requests"] == 0
    changed = api.patch_json(f"{V1}/notifications/policy", {"for_not_following": "filter"})
    assert changed.status_code == 200 and changed.json()["for_not_following"] == "filter"
    bad = api.patch_json(f"{V1}/notifications/policy", {"for_not_followers": "never"})
    assert bad.status_code in (400, 422) and queries.policy_of(me).for_not_followers == "accept"
    actions.notify(me, stranger, K.FOLLOW)
    page = api.get(f"{V1}/notifications/requests").json()
    [item] = page["items"]
    assert item["sender"]["username"] == "stranger" and item["notifications_count"] == 1
    assert item["latest"]["kind"] == "follow"
    detail = api.get(f"{V1}/notifications/requests/{item['id']}").json()
    assert len(detail["notifications"]["items"]) == 1
    assert api.get(f"{V1}/notifications").json()["items"] == []
    assert (
        api_for(stranger).post(f"{V1}/notifications/requests/{item['id']}/accept").status_code
        == 404
    )
    assert api.post(f"{V1}/notifications/requests/nope/accept").status_code == 404
    assert api.post(f"{V1}/notifications/requests/{item['id']}/accept").json() == {"answered": 1}
    assert len(api.get(f"{V1}/notifications").json()["items"]) == 1
    assert api.post(f"{V1}/notifications/requests/{item['id']}/dismiss").status_code == 404
