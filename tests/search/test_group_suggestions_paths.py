"""Groups you may like through the doors people use: the web section on /explore/people,
the native API, and "Not interested" (kind=group) from either; secret groups and groups the
viewer is banned from are never suggested."""

from __future__ import annotations

import pytest

from network.actions import accept_connection, request_connection
from search.models import DismissedSuggestion, SuggestionKind
from tests.factories import make_account

group_actions = pytest.importorskip("groups.actions")
pytestmark = pytest.mark.django_db

API = "/api/plaza/v1/suggestions/groups"


@pytest.fixture
def auth_for():
    from mastodon.actions import issue_token, register_app

    app, _secret = register_app(
        name="t", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write follow"
    )

    def make(account) -> dict[str, str]:
        token = issue_token(account.user, app, scopes="read write follow")[1]
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return make


@pytest.fixture
def world(run_tasks):
    """``me`` (interested in #birds) connected to ``friend``, who is in two listed groups."""
    me, friend, owner = make_account("me"), make_account("friend"), make_account("owner")
    me.interests = ["birds"]
    me.save()
    with run_tasks():
        request_connection(me, friend)
        accept_connection(friend, me)
    hikers = group_actions.create_group(owner, name="Weekend Hikers", handle="hikers")
    birders = group_actions.create_group(
        owner, name="Birdwatchers", handle="birders", topics=["birds"]
    )
    group_actions.join(friend, hikers)
    return {"me": me, "friend": friend, "owner": owner, "hikers": hikers, "birders": birders}


def api_reasons(client, auth) -> dict[str, str]:
    r = client.get(API, {"limit": 10}, **auth)
    assert r.status_code == 200
    return {s["group"]["handle"]: s["reason"] for s in r.json()}


def test_web_section_shows_each_group_with_its_reason_and_link(client, world):
    client.force_login(world["me"].user)
    html = client.get("/explore/people").content.decode()
    assert "Groups you may like" in html
    assert "Weekend Hikers" in html and "1 person you know is a member" in html
    assert "Birdwatchers" in html and "About #birds, one of your interests" in html
    assert 'href="/g/hikers"' in html  # the group's page, which opens
    assert client.get("/g/hikers").status_code == 200
    assert (
        f'name="kind" value="group"><input type="hidden" name="id" value="{world["hikers"].pk}"'
        in html
    )


def test_native_api_returns_groups_with_reasons(client, world, auth_for):
    found = api_reasons(client, auth_for(world["me"]))
    assert found == {
        "hikers": "1 person you know is a member",
        "birders": "About #birds, one of your interests",
    }
    body = client.get(API, **auth_for(world["me"])).json()
    hikers = next(s for s in body if s["group"]["handle"] == "hikers")
    assert hikers["group"]["id"] == str(world["hikers"].pk)
    assert (
        hikers["group"]["member_count"]
        == world["hikers"].__class__.objects.get(pk=world["hikers"].pk).member_count
    )
    assert client.get(API).status_code == 401
    assert client.get(API, {"limit": 0}, **auth_for(world["me"])).status_code == 422


def test_not_interested_from_the_web_removes_the_group_everywhere(client, world, auth_for):
    me, hikers = world["me"], world["hikers"]
    client.force_login(me.user)
    r = client.post(
        "/explore/dismiss", {"kind": "group", "id": str(hikers.pk), "next": "/explore/people"}
    )
    assert r.status_code == 302 and r["Location"] == "/explore/people"
    html = client.get("/explore/people").content.decode()
    assert "Weekend Hikers" not in html and "Birdwatchers" in html
    assert set(api_reasons(client, auth_for(me))) == {"birders"}
    # Only this viewer's suggestion: the friend's other contacts still get it.
    other = make_account("other")
    request_connection(other, world["friend"])
    accept_connection(world["friend"], other)
    assert "hikers" in api_reasons(client, auth_for(other))


def test_not_interested_with_htmx_answers_an_empty_swap(client, world):
    me, birders = world["me"], world["birders"]
    client.force_login(me.user)
    r = client.post(
        "/explore/dismiss", {"kind": "group", "id": str(birders.pk)}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and r.content == b""  # the card removes itself
    assert "Birdwatchers" not in client.get("/explore/people").content.decode()
    assert (
        DismissedSuggestion.objects.filter(
            account=me, kind=SuggestionKind.GROUP, target_id=birders.pk
        ).count()
        == 1
    )
    again = client.post("/explore/dismiss", {"kind": "group", "id": str(birders.pk)})
    assert again.status_code == 302  # idempotent
    assert client.post("/explore/dismiss", {"kind": "planet", "id": "1"}).status_code == 302
    assert not DismissedSuggestion.objects.filter(account=me, kind="planet").exists()


def test_not_interested_through_the_api_removes_it_from_the_web_too(client, world, auth_for):
    me, hikers = world["me"], world["hikers"]
    auth = auth_for(me)
    r = client.post(
        "/api/plaza/v1/suggestions/dismiss",
        {"kind": "group", "id": str(hikers.pk)},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 204
    assert set(api_reasons(client, auth)) == {"birders"}
    client.force_login(me.user)
    assert "Weekend Hikers" not in client.get("/explore/people").content.decode()
    bad = client.post(
        "/api/plaza/v1/suggestions/dismiss",
        {"kind": "group", "id": "not-a-number"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 404 and bad.json()["error"]  # can't name a group: a clear 4xx


def test_secret_groups_and_groups_that_banned_me_are_never_suggested(client, world, auth_for):
    me, friend, owner = world["me"], world["friend"], world["owner"]
    secret = group_actions.create_group(
        owner,
        name="Secret Birders",
        handle="secret_birders",
        visibility="secret",
        join_policy="invite",
        topics=["birds"],
    )
    group_actions.invite(owner, secret, friend)
    group_actions.accept_invite(friend, secret)
    banned_from = group_actions.create_group(
        owner, name="Bird Photographers", handle="bird_photos", topics=["birds"]
    )
    group_actions.join(friend, banned_from)
    group_actions.ban(owner, banned_from, me)
    found = api_reasons(client, auth_for(me))
    assert "secret_birders" not in found and "bird_photos" not in found
    assert set(found) == {"hikers", "birders"}  # the listed ones still are
    client.force_login(me.user)
    html = client.get("/explore/people").content.decode()
    assert "Secret Birders" not in html and "Bird Photographers" not in html
    # Someone else with the same ties does get the listed group they are not banned from.
    other = make_account("other")
    other.interests = ["birds"]
    other.save()
    assert "bird_photos" in api_reasons(client, auth_for(other))
    assert "secret_birders" not in api_reasons(client, auth_for(other))
