"""Mastodon API endpoints Plaza answers without storage yet (announcements)
and the instance's weekly activity."""

from __future__ import annotations

import pytest

from posts.actions import publish
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/filters", "/api/v2/filters", "/api/v1/lists"])
def test_empty_lists_are_the_truth(api_for, url):
    api = api_for(make_account("alice"))
    response = api.get(url)
    assert response.status_code == 200
    assert response.json() == []
    assert api_for(False).get(url).status_code == 401


@pytest.mark.parametrize(
    "url",
    ["/api/v1/filters/1", "/api/v2/filters/1", "/api/v2/filters/1/keywords", "/api/v1/lists/1"],
)
def test_unknown_ids_are_404(api_for, url):
    api = api_for(make_account("alice"))
    response = api.get(url)
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    assert api.delete(url).status_code in (404, 405)


def test_filter_and_list_scopes(api_for):
    alice = make_account("alice")
    assert api_for(alice, scopes="read:statuses").get("/api/v2/filters").status_code == 403
    assert api_for(alice, scopes="read:filters").get("/api/v2/filters").status_code == 200
    assert api_for(alice, scopes="read:lists").get("/api/v1/lists").status_code == 200


def test_announcements(api_for):
    assert api_for(make_account("alice")).get("/api/v1/announcements").json() == []
    assert api_for(make_account("bob")).post("/api/v1/announcements/1/dismiss").status_code == 404


def test_instance_activity(api_for, run_tasks):
    bob = make_account("bob")
    with run_tasks():
        publish(bob, text="one")
        publish(bob, text="two")
    weeks = api_for(False).get("/api/v1/instance/activity").json()
    assert len(weeks) == 12
    assert set(weeks[0]) == {"week", "statuses", "logins", "registrations"}
    assert weeks[0]["statuses"] == "2"
    assert weeks[0]["registrations"] == "1"
    assert all(w["statuses"] == "0" for w in weeks[1:])
    assert int(weeks[0]["week"]) > int(weeks[1]["week"])
