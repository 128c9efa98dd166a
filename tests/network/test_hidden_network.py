"""Hiding one's network: followers, following and connections for oneself only, everywhere."""

from __future__ import annotations

from typing import Any

import pytest

from accounts import actions as accounts
from network import actions as network
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana() -> Any:
    ana, bob, cy = make_account("ana"), make_account("bob"), make_account("cy")
    network.follow(bob, ana)
    network.follow(ana, cy)
    network.request_connection(ana, bob)
    network.accept_connection(bob, ana)
    return ana


def test_the_setting_hides_the_lists_on_the_web_but_not_from_oneself(client, ana) -> None:
    client.force_login(ana.user)
    page = client.get("/settings/account").content.decode()
    assert 'name="hide_network"' in page
    form = {"default_visibility": "public", "time_zone": "UTC", "discoverable": "on"}
    r = client.post("/settings/account", form | {"hide_network": "on"})
    assert r.status_code == 302
    ana.refresh_from_db()
    assert ana.hide_network
    for tab in ("followers", "following", "connections"):
        assert "@bob" in client.get(f"/@ana/{tab}").content.decode() or tab == "following"
    stranger = make_account("stranger")
    client.force_login(stranger.user)
    for tab in ("followers", "following", "connections"):
        r = client.get(f"/@ana/{tab}")
        body = r.content.decode()
        assert r.status_code == 403 and "network is hidden" in body
        assert (
            "@bob" not in body.split('id="main"', 1)[1] and "@cy" not in body.split('id="main"')[1]
        )
    bob = ana.user.__class__.objects.get(account__username="bob")
    client.force_login(bob)  # even a follower and connection: hidden
    assert client.get("/@ana/followers").status_code == 403


def test_both_apis_keep_it_hidden(client, ana, api_for: Any) -> None:
    accounts.update_settings(ana, hide_network=True)
    stranger = make_account("stranger")
    api = api_for(stranger)
    for which in ("followers", "following"):
        assert api.get(f"/api/v1/accounts/{ana.pk}/{which}").json() == []
    own = api_for(ana)
    assert [a["username"] for a in own.get(f"/api/v1/accounts/{ana.pk}/followers").json()] == [
        "bob"
    ]
    assert api.get(f"/api/v1/accounts/{ana.pk}").json()["hide_collections"] is True
    client.force_login(stranger.user)
    r = client.get(f"/api/plaza/v1/accounts/{ana.pk}/connections")
    assert r.status_code == 403 and "keeps its network to itself" in str(r.json())


def test_mastodon_update_credentials_sets_hide_collections_and_indexable(api_for: Any) -> None:
    ana = make_account("ana")
    api = api_for(ana)
    r = api.patch_json(
        "/api/v1/accounts/update_credentials", {"hide_collections": True, "indexable": False}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["hide_collections"] is True and body["indexable"] is False
    ana.refresh_from_db()
    assert ana.hide_network and not ana.discoverable
    r = api.patch_json("/api/v1/accounts/update_credentials", {"hide_collections": "maybe"})
    assert r.status_code == 422 and "hide_collections" in r.json()["error"]
    ana.refresh_from_db()
    assert ana.hide_network  # nothing half-written


def test_suggestions_and_familiar_followers_never_go_through_a_hidden_network() -> None:
    from django.core.cache import cache

    from network.queries import familiar_followers
    from search.suggestions import people_you_may_know

    me, bob, x, y = (make_account(n) for n in ("me", "bob", "x", "y"))
    network.follow(me, bob)
    network.follow(bob, x)
    network.request_connection(me, bob)
    network.accept_connection(bob, me)
    network.request_connection(bob, y)
    network.accept_connection(y, bob)
    found = {s.account.username: s.reason for s in people_you_may_know(me, limit=10)}
    assert "Followed by @bob" in found["x"] and found["y"] == "1 mutual connection"
    assert [a.username for a in familiar_followers(me, [x.pk])[x.pk]] == ["bob"]

    accounts.update_settings(bob, hide_network=True)
    cache.clear()  # suggestions are cached for a while; a fresh computation must not leak
    found = {s.account.username: s.reason for s in people_you_may_know(me, limit=10)}
    assert "x" not in found and "y" not in found
    assert familiar_followers(me, [x.pk])[x.pk] == []


def test_following_again_keeps_the_options(client) -> None:
    ana, fan = make_account("ana"), make_account("fan")
    network.follow(fan, ana, notify_posts=True, show_reshares=False)
    client.force_login(fan.user)
    client.post("/@ana/follow")  # a second click from a stale page
    network.follow(fan, ana)  # the native API's follow without a body does the same
    row = fan.following_set.get(target=ana)
    assert row.notify and not row.show_reshares
    network.follow(fan, ana, notify_posts=False)
    row.refresh_from_db()
    assert not row.notify and not row.show_reshares
