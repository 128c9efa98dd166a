"""Groups: actions, the visibility rule of group posts on every read path, and the web pages.

Denials are the point: outsiders must not read private or secret groups by any door.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AccountKind
from feeds.models import HomeFeedEntry
from feeds.queries import hashtag_feed, home_feed, profile_feed, public_feed
from groups import actions, queries
from groups.models import Group, JoinRequest, Membership, Role
from network import actions as network
from notifications.models import Notification, NotificationKind
from plaza.errors import ActionError, NotAllowed, NotFound
from posts import actions as posts
from posts.queries import can_see, get_post_for, visible_posts
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _group(owner: Any, visibility: str = "public", join_policy: str = "open", **kw: Any) -> Group:
    handle = kw.pop("handle", f"g_{visibility}_{join_policy}_{owner.username}")
    return actions.create_group(
        owner,
        name=f"{visibility} group",
        handle=handle,
        visibility=visibility,
        join_policy=join_policy,
        **kw,
    )


@pytest.fixture
def people() -> dict[str, Any]:
    return {n: make_account(n) for n in ("owner", "member", "outsider", "mod")}


@pytest.fixture
def private(people: dict[str, Any], run_tasks: Any) -> tuple[Group, Any]:
    """A private, request-to-join group with a member, a moderator, and a secret post
    mentioning the outsider, tagged #secretstuff."""
    group = _group(people["owner"], "private", "request", questions=["Why join?"])
    with run_tasks():
        for name in ("member", "mod"):
            actions.join(people[name], group, answers=["Because"])
            actions.approve_request(people["owner"], group, people[name])
        actions.promote(people["owner"], group, people["mod"])
        post = posts.publish(
            people["member"], text="Inside only #secretstuff @outsider", group=group
        )
    return group, post


# --- the visibility rule on every path ---------------------------------------------------------


def test_private_group_post_is_invisible_to_outsiders_on_every_read_path(
    people: dict[str, Any], private: tuple[Group, Any], client: Any
) -> None:
    group, post = private
    outsider = people["outsider"]
    assert post.visibility == "unlisted" and post.group_id == group.pk
    assert can_see(people["member"], post) and can_see(people["owner"], post)
    for viewer in (outsider, None):
        assert not can_see(viewer, post)
        with pytest.raises(NotFound):
            get_post_for(viewer, post.pk)
        assert post not in public_feed(viewer).posts
        assert post not in hashtag_feed(viewer, "secretstuff").posts
        assert post not in profile_feed(viewer, people["member"]).posts
        assert queries.group_feed(viewer, group).page.posts == []
    assert not visible_posts(outsider).filter(group=group).exists()
    # Mentioned, but no mention notification and nothing in the home feed.
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert post not in home_feed(outsider).posts
    # Web: the post URL is a 404, the group page shows no post text.
    client.force_login(outsider.user)
    assert client.get(f"/@member/{post.pk}").status_code == 404
    assert client.get("/tags/secretstuff").status_code == 200
    assert client.get("/@member").status_code == 200
    assert b"Inside only" not in client.get("/notifications").content
    page = client.get(f"/g/{group.handle}")
    assert page.status_code == 200 and b"Inside only" not in page.content
    assert b"Inside only" not in client.get("/tags/secretstuff").content
    assert b"Inside only" not in client.get("/@member").content
    # Members do see it: in the group and in their home feed.
    client.force_login(people["mod"].user)
    assert b"Inside only" in client.get(f"/g/{group.handle}").content
    assert b"Inside only" in client.get("/@member").content
    assert post in home_feed(people["mod"]).posts


def test_private_group_post_denied_through_native_and_mastodon_apis(
    people: dict[str, Any], private: tuple[Group, Any], oauth_app: Any
) -> None:
    from django.test import Client

    from mastodon.actions import issue_token

    group, post = private
    _, token = issue_token(people["outsider"].user, oauth_app, scopes="read write")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert api.get(f"/api/plaza/v1/posts/{post.pk}").status_code == 404
    feed = api.get(f"/api/plaza/v1/groups/{group.pk}/feed").json()
    assert feed["items"] == [] and feed["pinned"] == []
    assert api.get(f"/api/plaza/v1/groups/{group.pk}/members").json()["items"] == []
    tag = api.get("/api/v1/timelines/tag/secretstuff").json()
    assert tag == []
    # A reply through the Mastodon API is refused (the post doesn't exist for them).
    reply = api.post("/api/v1/statuses", {"status": "let me in", "in_reply_to_id": str(post.pk)})
    assert reply.status_code == 404
    _, member_token = issue_token(people["member"].user, oauth_app, scopes="read write")
    member = Client(headers={"Authorization": f"Bearer {member_token}"})
    assert member.get(f"/api/v1/statuses/{post.pk}").status_code == 200
    assert [
        p["id"] for p in member.get(f"/api/plaza/v1/groups/{group.pk}/feed").json()["items"]
    ] == [str(post.pk)]


@pytest.fixture
def oauth_app(db: Any) -> Any:
    from mastodon.actions import register_app

    app, _ = register_app(
        name="Groups test", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write"
    )
    return app


def test_public_group_posts_are_readable_but_not_in_public_feeds(
    people: dict[str, Any], run_tasks: Any
) -> None:
    group = _group(people["owner"])
    with run_tasks():
        post = posts.publish(people["owner"], text="Hello #opengroup", group=group)
    assert can_see(None, post) and can_see(people["outsider"], post)
    assert post not in public_feed(None).posts
    assert queries.group_feed(None, group).page.posts == [post]


def test_secret_group_is_invisible_to_outsiders(people: dict[str, Any], client: Any) -> None:
    group = _group(people["owner"], "secret", "invite")
    outsider = people["outsider"]
    assert group not in queries.visible_groups(outsider)
    assert group not in queries.discover_groups(outsider)
    with pytest.raises(NotFound):
        queries.get_group_for(outsider, group.handle)
    with pytest.raises(NotFound):
        actions.join(outsider, group)
    client.force_login(outsider.user)
    assert client.get(f"/g/{group.handle}").status_code == 404
    assert client.get(f"/g/{group.handle}/members").status_code == 404
    assert group.handle.encode() not in client.get("/groups").content
    assert client.post(f"/g/{group.handle}/join").status_code == 404
    # Invited: the group appears, and accepting makes them a member.
    actions.invite(people["owner"], group, outsider)
    assert queries.get_group_for(outsider, group.handle) == group
    assert Notification.objects.filter(
        recipient=outsider, kind=NotificationKind.GROUP_INVITE, group=group
    ).exists()
    actions.accept_invite(outsider, group)
    assert queries.standing(outsider, group).is_member


def test_secret_group_must_be_invite_only(people: dict[str, Any]) -> None:
    with pytest.raises(ActionError) as error:
        _group(people["owner"], "secret", "open")
    assert error.value.field == "join_policy"
    assert not Group.objects.exists()


# --- joining -----------------------------------------------------------------------------------


def test_request_to_join_flow_with_answers(people: dict[str, Any], run_tasks: Any) -> None:
    owner, asker = people["owner"], people["outsider"]
    group = _group(owner, "private", "request", questions=["What do you do?", "Agree to rules?"])
    with pytest.raises(ActionError) as error:
        actions.join(asker, group, answers=["Data engineer"])
    assert "Agree to rules?" in error.value.message
    assert not JoinRequest.objects.exists()
    assert actions.join(asker, group, answers=["Data engineer", "Yes"]) == "requested"
    request = JoinRequest.objects.get()
    assert request.answers[1] == {"question": "Agree to rules?", "answer": "Yes"}
    assert Notification.objects.filter(
        recipient=owner, kind=NotificationKind.GROUP_JOIN_REQUEST, group=group
    ).exists()
    assert not queries.can_read(asker, group)
    with run_tasks():
        post = posts.publish(owner, text="Welcome thread", group=group)
        actions.approve_request(owner, group, asker)
    group.refresh_from_db()
    assert group.member_count == 2 and queries.can_read(asker, group)
    assert can_see(asker, post)
    assert post in home_feed(asker).posts  # the group's recent threads were delivered
    assert Notification.objects.filter(
        recipient=asker, kind=NotificationKind.GROUP_REQUEST_APPROVED
    ).exists()


def test_decline_and_invite_only(people: dict[str, Any]) -> None:
    owner, asker = people["owner"], people["outsider"]
    group = _group(owner, "private", "request")
    actions.join(asker, group)
    actions.decline_request(owner, group, asker)
    assert not JoinRequest.objects.exists() and not queries.can_read(asker, group)
    closed = _group(owner, "public", "invite", handle="closed")
    with pytest.raises(NotAllowed):
        actions.join(asker, closed)
    # Members can't invite into an invite-only group; moderators can.
    actions.invite(owner, closed, people["member"])
    actions.accept_invite(people["member"], closed)
    with pytest.raises(NotAllowed):
        actions.invite(people["member"], closed, asker)


def test_banned_member_cannot_read_post_or_rejoin(
    people: dict[str, Any], private: tuple[Group, Any], run_tasks: Any, client: Any
) -> None:
    group, post = private
    member = people["member"]
    assert HomeFeedEntry.objects.filter(owner=member, post=post).exists()
    actions.ban(people["mod"], group, member)
    group.refresh_from_db()
    assert group.member_count == 2
    assert not can_see(member, post)  # not even their own post
    assert not HomeFeedEntry.objects.filter(owner=member, post__group=group).exists()
    assert not Notification.objects.filter(recipient=member, post__group=group).exists()
    with pytest.raises(NotAllowed):
        posts.publish(member, text="still here?", group=group)
    with pytest.raises(NotAllowed):
        actions.join(member, group, answers=["please"])
    with pytest.raises(NotFound):
        posts.publish(member, text="reply", in_reply_to=post)
    client.force_login(member.user)
    assert client.get(f"/@member/{post.pk}").status_code == 404
    assert client.post(f"/g/{group.handle}/post", {"text": "hi"}).status_code == 422
    actions.unban(people["owner"], group, member)
    assert actions.join(member, group, answers=["sorry"]) == "requested"


def test_moderator_of_one_group_has_no_power_in_another(
    people: dict[str, Any], private: tuple[Group, Any], client: Any
) -> None:
    group_a, _ = private
    mod = people["mod"]
    other_owner = make_account("other")
    group_b = _group(other_owner, "public", "request", handle="group_b")
    actions.join(people["member"], group_b)
    victim = make_account("victim")
    actions.join(victim, group_b)
    actions.approve_request(other_owner, group_b, victim)
    for attempt in (
        lambda: actions.approve_request(mod, group_b, people["member"]),
        lambda: actions.decline_request(mod, group_b, people["member"]),
        lambda: actions.remove_member(mod, group_b, victim),
        lambda: actions.ban(mod, group_b, victim),
        lambda: actions.update_group(mod, group_b, name="Hijacked"),
        lambda: actions.promote(mod, group_b, victim),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    client.force_login(mod.user)
    assert client.get("/g/group_b/requests").status_code == 404
    assert client.get("/g/group_b/settings").status_code == 404
    client.post(f"/g/group_b/members/{victim.pk}/ban")
    assert queries.standing(victim, group_b).is_member
    # A moderator can't ban the owner, nor a fellow moderator (only the owner can).
    with pytest.raises(NotAllowed):
        actions.ban(mod, group_a, people["owner"])


def test_owner_cannot_leave_without_transfer(
    people: dict[str, Any], private: tuple[Group, Any]
) -> None:
    group, _ = private
    owner, mod = people["owner"], people["mod"]
    with pytest.raises(ActionError):
        actions.leave(owner, group)
    with pytest.raises(ActionError):
        actions.transfer_ownership(owner, group, people["outsider"])
    actions.transfer_ownership(owner, group, mod)
    group.refresh_from_db()
    assert group.owner == mod
    assert Membership.objects.get(group=group, account=owner).role == Role.MODERATOR
    actions.leave(owner, group)
    assert not Membership.objects.filter(group=group, account=owner).exists()
    group.refresh_from_db()
    assert group.member_count == 2


def test_organization_owns_a_group(run_tasks: Any) -> None:
    brand = make_account("brand", kind=AccountKind.ORGANIZATION)
    group = _group(brand, handle="brandfans")
    assert group.owner == brand
    assert Membership.objects.get(group=group).role == Role.OWNER


def test_bad_input_is_refused_and_nothing_is_written(people: dict[str, Any]) -> None:
    owner = people["owner"]
    cases: tuple[tuple[dict[str, Any], str], ...] = (
        ({"handle": "x"}, "handle"),
        ({"handle": "ok_handle", "name": " "}, "name"),
        ({"handle": "ok_handle", "topics": ["not a tag!"]}, "topics"),
        ({"handle": "ok_handle", "visibility": "everyone"}, "visibility"),
        ({"handle": "ok_handle", "questions": ["?"] * 6}, "questions"),
    )
    for kwargs, field in cases:
        values = {"name": "Name", **kwargs}
        with pytest.raises(ActionError) as error:
            actions.create_group(owner, **values)
        assert error.value.field == field
    assert not Group.objects.exists() and not Membership.objects.exists()
    actions.create_group(owner, name="A", handle="Taken")
    with pytest.raises(ActionError):
        actions.create_group(owner, name="B", handle="taken")


# --- group posts -------------------------------------------------------------------------------


def test_posting_rules(people: dict[str, Any], private: tuple[Group, Any], run_tasks: Any) -> None:
    group, post = private
    with pytest.raises(NotAllowed):
        posts.publish(people["outsider"], text="hi", group=group)
    with pytest.raises(NotAllowed):
        posts.publish(people["member"], text="Big news", group=group, group_kind="announcement")
    news = posts.publish(people["mod"], text="Big news", group=group, group_kind="announcement")
    assert news.group_kind == "announcement"
    reply = posts.publish(people["mod"], text="Agreed", in_reply_to=post)
    assert reply.group_id == group.pk and reply.visibility == "unlisted"
    with pytest.raises(NotAllowed):
        posts.reshare(people["mod"], post)
    with pytest.raises(NotAllowed):
        posts.publish(people["mod"], text="look", quote_of=post)  # out of a private group


def test_question_marked_answered_only_by_asker(
    people: dict[str, Any], private: tuple[Group, Any]
) -> None:
    group, _ = private
    question = posts.publish(people["member"], text="How?", group=group, group_kind="question")
    with pytest.raises(NotAllowed):
        actions.mark_answered(people["mod"], question)
    actions.mark_answered(people["member"], question)
    question.refresh_from_db()
    assert question.answered_at is not None


def test_pins_come_first_and_only_moderators_pin(
    people: dict[str, Any], private: tuple[Group, Any], run_tasks: Any
) -> None:
    group, first = private
    later = posts.publish(people["member"], text="later", group=group)
    with pytest.raises(NotAllowed):
        actions.pin_post(people["member"], group, first)
    actions.pin_post(people["mod"], group, first)
    feed = queries.group_feed(people["member"], group)
    assert feed.pinned == [first] and feed.page.posts == [later]
    # Another group's post can't be pinned here.
    other = _group(people["mod"], handle="mods_own")
    elsewhere = posts.publish(people["mod"], text="elsewhere", group=other)
    with pytest.raises(NotFound):
        actions.pin_post(people["mod"], group, elsewhere)


def test_close_followers_are_notified_of_new_threads(
    people: dict[str, Any], private: tuple[Group, Any], run_tasks: Any
) -> None:
    group, _ = private
    actions.set_follow_closely(people["mod"], group, True)
    with run_tasks():
        post = posts.publish(people["member"], text="New thread", group=group)
    got = Notification.objects.filter(kind=NotificationKind.GROUP_POST, post=post)
    assert [n.recipient_id for n in got] == [people["mod"].pk]


def test_followers_of_the_author_dont_get_group_posts(
    people: dict[str, Any], private: tuple[Group, Any], run_tasks: Any
) -> None:
    group, _ = private
    fan = make_account("fan")
    with run_tasks():
        network.follow(fan, people["member"])
        post = posts.publish(people["member"], text="Group only", group=group)
        normal = posts.publish(people["member"], text="For everyone")
    feed = home_feed(fan).posts
    assert normal in feed and post not in feed


# --- query counts ------------------------------------------------------------------------------


def test_group_feed_and_members_page_query_counts_are_constant(
    people: dict[str, Any],
    private: tuple[Group, Any],
    client: Any,
    django_assert_max_num_queries: Any,
) -> None:
    group, _ = private
    client.force_login(people["member"].user)

    def count(url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    feed_before = count(f"/g/{group.handle}")
    members_before = count(f"/g/{group.handle}/members")
    for n in range(8):
        someone = make_account(f"extra{n}")
        Membership.objects.create(group=group, account=someone)
        posts.publish(people["member"], text=f"post {n} @extra{n}", group=group)
    assert count(f"/g/{group.handle}") == feed_before
    assert count(f"/g/{group.handle}/members") == members_before
    with django_assert_max_num_queries(25):
        client.get(f"/g/{group.handle}")


# --- web pages ---------------------------------------------------------------------------------


def test_web_create_request_approve_and_discuss(client: Any) -> None:
    owner, asker = make_account("ana"), make_account("bo")
    client.force_login(owner.user)
    bad = client.post("/groups/new", {"name": "Data", "handle": "x"})
    assert bad.status_code == 422 and b"3 to 30" in bad.content
    response = client.post(
        "/groups/new",
        {
            "name": "Data Engineers",
            "handle": "data_eng",
            "visibility": "private",
            "join_policy": "request",
            "questions": "What do you work on?",
            "topics": "#data engineering",
        },
    )
    assert response.status_code == 302
    group = Group.objects.get(handle="data_eng")
    assert group.topics == ["data", "engineering"]
    client.force_login(asker.user)
    page = client.get("/g/data_eng")
    assert b"What do you work on?" in page.content
    client.post("/g/data_eng/join", {"answer_0": "Pipelines"})
    client.force_login(owner.user)
    requests_page = client.get("/g/data_eng/requests")
    assert b"Pipelines" in requests_page.content
    client.post(f"/g/data_eng/requests/{asker.pk}/approve")
    client.force_login(asker.user)
    client.post("/g/data_eng/post", {"text": "Hello data people", "group_kind": "question"})
    page = client.get("/g/data_eng")
    assert b"Hello data people" in page.content and b"Question" in page.content
    assert client.get("/groups").status_code == 200
    assert b"Data Engineers" in client.get("/groups").content


def test_group_pages_for_anonymous_visitors(
    people: dict[str, Any], private: tuple[Group, Any], client: Any
) -> None:
    group, _ = private
    page = client.get(f"/g/{group.handle}")
    assert page.status_code == 200 and b"Inside only" not in page.content
    assert b"This group is private" in page.content
    assert client.get(f"/g/{group.handle}/members").status_code == 200
    assert b"@member" not in client.get(f"/g/{group.handle}/members").content
    assert client.get("/g/nope").status_code == 404
    assert client.get(f"/g/{group.handle}?max_id=abc").status_code == 400


def test_native_api_group_lifecycle(people: dict[str, Any], oauth_app: Any) -> None:
    import json

    from django.test import Client

    from mastodon.actions import issue_token

    def api(account: Any) -> Client:
        _, token = issue_token(account.user, oauth_app, scopes="read write")
        return Client(headers={"Authorization": f"Bearer {token}"})

    owner, other = api(people["owner"]), api(people["outsider"])
    created = owner.post(
        "/api/plaza/v1/groups",
        json.dumps(
            {
                "name": "API group",
                "handle": "api_group",
                "visibility": "private",
                "join_policy": "request",
                "questions": ["Why?"],
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    gid = created.json()["group"]["id"]
    refused = other.post(
        f"/api/plaza/v1/groups/{gid}/join",
        json.dumps({"answers": []}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    joined = other.post(
        f"/api/plaza/v1/groups/{gid}/join",
        json.dumps({"answers": ["Fun"]}),
        content_type="application/json",
    )
    assert joined.json() == {"result": "requested"}
    assert (
        other.post(
            f"/api/plaza/v1/groups/{gid}/posts",
            json.dumps({"text": "hi"}),
            content_type="application/json",
        ).status_code
        == 403
    )
    assert other.get(f"/api/plaza/v1/groups/{gid}/requests").status_code == 403
    reqs = owner.get(f"/api/plaza/v1/groups/{gid}/requests").json()
    assert reqs[0]["answers"] == [{"question": "Why?", "answer": "Fun"}]
    assert (
        owner.post(
            f"/api/plaza/v1/groups/{gid}/requests/{people['outsider'].pk}/approve"
        ).status_code
        == 204
    )
    posted = other.post(
        f"/api/plaza/v1/groups/{gid}/posts",
        json.dumps({"text": "hi all"}),
        content_type="application/json",
    )
    assert posted.status_code == 201
    assert owner.post(f"/api/plaza/v1/groups/{gid}/leave").status_code == 422
    assert owner.get("/api/plaza/v1/groups/999/feed").status_code == 404
