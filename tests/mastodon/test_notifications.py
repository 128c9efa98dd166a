"""Mastodon API notifications: v1, grouped v2, unread counts, dismissing, the policy."""

from __future__ import annotations

from typing import Any

import pytest

from network.actions import block, follow, request_connection
from notifications.models import Notification, NotificationKind
from posts.actions import like, publish, reshare
from tests.factories import make_account
from tests.mastodon.test_timelines import links

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def busy(run_tasks):
    """alice gets one notification of every kind."""
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    with run_tasks():
        post = publish(alice, text="hello")
        follow(bob, alice)
        like(bob, post)
        reshare(carol, post)
        publish(bob, text="@alice hi there")
        publish(carol, text="an answer", in_reply_to=post)
        publish(bob, text="quoting", quote_of=post)
        request_connection(carol, alice)
    return alice, bob, carol, post


def types(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [n["type"] for n in response.json()]


def test_v1_maps_plaza_kinds_to_mastodon_types(api_for, busy):
    alice, _bob, _carol, post = busy
    response = api_for(alice).get("/api/v1/notifications")
    assert types(response) == ["quote", "mention", "mention", "reblog", "favourite", "follow"]
    body = response.json()
    _quote, reply, mention, reblog, favourite, followed = body
    assert favourite["status"]["id"] == str(post.pk)
    assert favourite["account"]["username"] == "bob"
    assert reblog["status"]["id"] == str(post.pk) and reblog["account"]["username"] == "carol"
    assert reply["plaza"] == {"kind": "reply"}
    assert "status" not in followed
    assert followed["group_key"].startswith("follow-")
    assert favourite["group_key"].startswith(f"favourite-{post.pk}-")
    assert mention["group_key"] == f"ungrouped-{mention['id']}"
    assert followed["created_at"].endswith("Z")


def test_v1_plaza_types_only_when_asked_for(api_for, busy):
    api = api_for(busy[0])
    assert "plaza:connection_request" not in types(api.get("/api/v1/notifications"))
    asked = api.get("/api/v1/notifications?types[]=plaza:connection_request&types[]=follow")
    assert types(asked) == ["plaza:connection_request", "follow"]
    assert asked.json()[0]["account"]["username"] == "carol"


def test_v1_filters(api_for, busy):
    alice, _bob, carol, _ = busy
    api = api_for(alice)
    assert types(api.get("/api/v1/notifications?types[]=mention")) == ["mention", "mention"]
    assert types(
        api.get("/api/v1/notifications?exclude_types[]=mention&exclude_types[]=quote")
    ) == [
        "reblog",
        "favourite",
        "follow",
    ]
    from_carol = api.get(f"/api/v1/notifications?account_id={carol.pk}")
    assert types(from_carol) == ["mention", "reblog"]
    assert types(api.get("/api/v1/notifications?types[]=poll")) == []
    assert api.get("/api/v1/notifications?types[]=nonsense").status_code == 422
    assert api.get("/api/v1/notifications?account_id=bob").status_code == 422
    assert api.get("/api/v1/notifications?limit=x").status_code == 422


def test_notifications_are_private_to_their_recipient(api_for, busy):
    alice, bob, _, _ = busy
    theirs = Notification.objects.filter(recipient=alice).first()
    assert theirs is not None
    bob_api = api_for(bob)
    assert bob_api.get("/api/v1/notifications").json() == []
    assert bob_api.get(f"/api/v1/notifications/{theirs.pk}").status_code == 404
    assert bob_api.post(f"/api/v1/notifications/{theirs.pk}/dismiss").status_code == 404
    bob_api.post("/api/v1/notifications/clear")
    assert Notification.objects.filter(pk=theirs.pk).exists()
    assert api_for(False).get("/api/v1/notifications").status_code == 401
    assert api_for(alice, scopes="read:statuses").get("/api/v1/notifications").status_code == 403
    assert api_for(alice, scopes="read").post("/api/v1/notifications/clear").status_code == 403


def test_notifications_about_posts_you_cannot_see_are_hidden(api_for, run_tasks):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        post = publish(alice, text="open")
        publish(bob, text="for my followers only", visibility="followers", in_reply_to=post)
    assert Notification.objects.filter(recipient=alice, kind=NotificationKind.REPLY).exists()
    assert api_for(alice).get("/api/v1/notifications").json() == []
    assert api_for(alice).get("/api/v2/notifications").json()["notification_groups"] == []


def test_blocking_hides_earlier_notifications(api_for, busy, run_tasks):
    alice, bob, _, _ = busy
    with run_tasks():
        block(alice, bob)
    usernames = {
        n["account"]["username"] for n in api_for(alice).get("/api/v1/notifications").json()
    }
    assert usernames == {"carol"}


def test_v1_single_dismiss_clear_and_unread_count(api_for, busy):
    alice = busy[0]
    api = api_for(alice)
    first = api.get("/api/v1/notifications").json()[0]
    one = api.get(f"/api/v1/notifications/{first['id']}")
    assert one.status_code == 200 and one.json()["id"] == first["id"]
    assert api.get("/api/v1/notifications/999").status_code == 404
    assert api.get("/api/v1/notifications/abc").status_code == 404
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 6}
    assert api.get("/api/v1/notifications/unread_count?types[]=mention").json() == {"count": 2}
    assert api.get("/api/v1/notifications/unread_count?limit=3").json() == {"count": 3}
    assert api.post(f"/api/v1/notifications/{first['id']}/dismiss").json() == {}
    assert api.get(f"/api/v1/notifications/{first['id']}").status_code == 404
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 5}
    assert api.post("/api/v1/notifications/clear").json() == {}
    assert api.get("/api/v1/notifications").json() == []
    assert not Notification.objects.filter(recipient=alice).exists()


@pytest.fixture
def many_likes(run_tasks):
    alice = make_account("alice")
    fans = [make_account(f"fan{i}") for i in range(9)]
    with run_tasks():
        posts = [publish(alice, text=f"post {i}") for i in range(3)]
        for fan in fans:
            for post in posts:
                like(fan, post)
    return alice, fans, posts


def test_v1_paging_walks_every_notification_once(api_for, many_likes):
    alice = many_likes[0]
    api = api_for(alice)
    expected = list(
        Notification.objects.filter(recipient=alice).order_by("-id").values_list("id", flat=True)
    )
    assert len(expected) == 27
    seen: list[int] = []
    url = "/api/v1/notifications?limit=5"
    while url:
        response = api.get(url)
        seen += [int(n["id"]) for n in response.json()]
        nxt = links(response).get("next")
        url = _path(nxt) if nxt else ""
    assert seen == expected
    above = api.get(f"/api/v1/notifications?min_id={expected[10]}&limit=3").json()
    assert [int(n["id"]) for n in above] == expected[7:10]
    prev = links(api.get("/api/v1/notifications?limit=5"))["prev"]
    assert f"min_id={expected[0]}" in prev


def test_notifications_cost_the_same_for_5_and_30(
    api_for, run_tasks, django_assert_max_num_queries
):
    alice = make_account("alice")
    api = api_for(alice)

    def add(n: int) -> None:
        with run_tasks():
            for i in range(n):
                fan = make_account()
                post = publish(alice, text=f"p{i}")
                like(fan, post)
                publish(fan, text=f"@alice {i}")

    counts: dict[str, list[int]] = {}
    add(3)
    for url in ("/api/v1/notifications?limit=80", "/api/v2/notifications?limit=80"):
        with django_assert_max_num_queries(40) as small:
            api.get(url)
        counts[url] = [len(small.captured_queries)]
    add(12)
    for url in ("/api/v1/notifications?limit=80", "/api/v2/notifications?limit=80"):
        with django_assert_max_num_queries(40) as big:
            assert api.get(url).status_code == 200
        counts[url].append(len(big.captured_queries))
    for url, (small_n, big_n) in counts.items():
        assert small_n == big_n, url


# --- v2 (grouped) -----------------------------------------------------------------------


def test_v2_groups_likes_per_post_and_follows(api_for, many_likes, run_tasks):
    alice, fans, posts = many_likes
    with run_tasks():
        for fan in fans[:4]:
            follow(fan, alice)
    api = api_for(alice)
    response = api.get("/api/v2/notifications")
    assert response.status_code == 200
    body = response.json()
    groups = body["notification_groups"]
    assert [g["type"] for g in groups] == ["follow", "favourite", "favourite", "favourite"]
    follows = groups[0]
    assert follows["notifications_count"] == 4
    assert follows["sample_account_ids"] == [str(f.pk) for f in reversed(fans[:4])]
    assert "status_id" not in follows
    likes = groups[1]
    assert likes["notifications_count"] == 9
    assert likes["status_id"] == str(posts[2].pk)
    assert len(likes["sample_account_ids"]) == 8
    assert int(likes["page_min_id"]) < int(likes["page_max_id"])
    assert likes["most_recent_notification_id"] == likes["page_max_id"]
    assert likes["latest_page_notification_at"].endswith("Z")
    assert {s["id"] for s in body["statuses"]} == {str(p.pk) for p in posts}
    assert {a["id"] for a in body["accounts"]} == {str(f.pk) for f in fans}
    # no grouping when the client can't show it
    flat = api.get("/api/v2/notifications?grouped_types[]=follow").json()["notification_groups"]
    assert len(flat) == 1 + 27
    assert flat[1]["group_key"].startswith("ungrouped-")


def test_v2_group_detail_accounts_dismiss_and_unread(api_for, many_likes):
    alice, fans, _posts = many_likes
    api = api_for(alice)
    key = api.get("/api/v2/notifications").json()["notification_groups"][0]["group_key"]
    one = api.get(f"/api/v2/notifications/{key}")
    assert one.status_code == 200
    group = one.json()["notification_groups"]
    assert len(group) == 1 and group[0]["notifications_count"] == 9
    accounts = api.get(f"/api/v2/notifications/{key}/accounts").json()
    assert {a["id"] for a in accounts} == {str(f.pk) for f in fans}
    assert api.get("/api/v2/notifications/unread_count").json() == {"count": 3}
    assert api.get("/api/v2/notifications/unread_count?grouped_types[]=follow").json() == {
        "count": 27
    }
    assert api.post(f"/api/v2/notifications/{key}/dismiss").json() == {}
    assert api.get(f"/api/v2/notifications/{key}").status_code == 404
    assert api.get("/api/v2/notifications/unread_count").json() == {"count": 2}
    for bad in ("nonsense", "favourite-x-1", "ungrouped-1"):
        assert api.get(f"/api/v2/notifications/{bad}").status_code == 404
        assert api.post(f"/api/v2/notifications/{bad}/dismiss").status_code == 404
    # another person's group key finds nothing
    other_key = api.get("/api/v2/notifications").json()["notification_groups"][0]["group_key"]
    assert api_for(fans[0]).get(f"/api/v2/notifications/{other_key}").status_code == 404
    assert api_for(fans[0]).post(f"/api/v2/notifications/{other_key}/dismiss").status_code == 404
    assert api.get(f"/api/v2/notifications/{other_key}").status_code == 200


def test_v2_paging_covers_every_notification_once(api_for, many_likes, run_tasks):
    alice, fans, _posts = many_likes
    with run_tasks():
        for fan in fans:
            publish(fan, text="@alice hey")  # nine mentions: nine groups
    api = api_for(alice)
    seen: list[int] = []
    url = "/api/v2/notifications?limit=4&grouped_types[]=favourite"
    pages = 0
    while url:
        response = api.get(url)
        for g in response.json()["notification_groups"]:
            low, high = int(g["page_min_id"]), int(g["page_max_id"])
            seen += list(
                Notification.objects.filter(recipient=alice, pk__gte=low, pk__lte=high)
                .filter(
                    kind=NotificationKind.LIKE
                    if g["type"] == "favourite"
                    else NotificationKind.MENTION
                )
                .filter(
                    **(
                        {"post_id": int(g["status_id"])}
                        if g["type"] == "favourite"
                        else {"pk": high}
                    )
                )
                .values_list("id", flat=True)
            )
        nxt = links(response).get("next")
        url = _path(nxt) if nxt else ""
        pages += 1
        assert pages < 20
    assert sorted(seen) == sorted(
        Notification.objects.filter(recipient=alice).values_list("id", flat=True)
    )
    assert len(seen) == len(set(seen))


def test_v2_bad_input_and_policy(api_for, busy):
    alice = busy[0]
    api = api_for(alice)
    assert api.get("/api/v2/notifications?types[]=nope").status_code == 422
    assert api.get("/api/v2/notifications?max_id=x").status_code == 422
    assert api_for(False).get("/api/v2/notifications").status_code == 401
    policy = api.get("/api/v2/notifications/policy").json()
    assert policy["for_not_following"] == "accept"
    assert (
        api.patch(
            "/api/v2/notifications/policy",
            "for_new_accounts=accept",
            content_type="application/x-www-form-urlencoded",
        ).status_code
        == 200
    )
    assert (
        api.patch_json("/api/v2/notifications/policy", {"for_new_accounts": "never"}).status_code
        == 422
    )
    assert (
        api_for(alice, scopes="read")
        .patch_json("/api/v2/notifications/policy", {"for_new_accounts": "accept"})
        .status_code
        == 403
    )
    assert api.get("/api/v1/notifications/requests").json() == []
    assert api.get("/api/v1/notifications/requests/1").status_code == 404
