"""Filters applied where people read: the web feeds (hide drops, warn folds the card behind
the filter's title) and the Mastodon API (``filtered`` on statuses, hidden posts left out of
timelines and notifications), each only for the filter's owner and its places."""

from __future__ import annotations

from typing import Any

import pytest

from filters import actions
from filters.actions import KeywordChange
from network.actions import follow
from posts.actions import publish
from tests.factories import make_account
from tests.mastodon.conftest import api_for, oauth_app  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(run_tasks: Any) -> dict[str, Any]:
    ana, bo = make_account("ana"), make_account("bo")
    with run_tasks():
        follow(ana, bo)
        spoiler = publish(bo, text="The finale of Dragons was wild")
        hidden = publish(bo, text="Crypto giveaway, click now")
        plain = publish(bo, text="Lunch at the harbour")
    actions.create_filter(
        ana,
        title="Spoilers",
        context=["home", "public"],
        action="warn",
        keywords=[KeywordChange(keyword="dragons")],
    )
    actions.create_filter(
        ana,
        title="Scams",
        context=["home"],
        action="hide",
        keywords=[KeywordChange(keyword="crypto")],
    )
    return {"ana": ana, "bo": bo, "spoiler": spoiler, "hidden": hidden, "plain": plain}


def test_web_home_hides_and_warns_for_the_owner_only(client: Any, scene: dict[str, Any]) -> None:
    client.force_login(scene["ana"].user)
    html = client.get("/").content.decode()
    assert "Lunch at the harbour" in html
    assert "Crypto giveaway" not in html
    assert '<details class="filtered-post">' in html and "Spoilers" in html
    assert "The finale of Dragons" in html  # still there, folded behind the warning
    # Bo has no filters: everything is plain.
    client.force_login(scene["bo"].user)
    html = client.get(f"/@{scene['bo'].username}").content.decode()
    assert "Crypto giveaway" in html and "filtered-post" not in html


def test_web_places_follow_the_filter_context(client: Any, scene: dict[str, Any]) -> None:
    client.force_login(scene["ana"].user)
    # The scam filter is for home only: Bo's profile (the "account" place) shows the post.
    html = client.get(f"/@{scene['bo'].username}").content.decode()
    assert "Crypto giveaway" in html and "filtered-post" not in html


def test_mastodon_filtered_field_and_hidden_posts(api_for: Any, scene: dict[str, Any]) -> None:  # noqa: F811
    api = api_for(scene["ana"])
    body = api.get("/api/v1/timelines/home").json()
    by_id = {s["id"]: s for s in body}
    assert str(scene["hidden"].pk) not in by_id
    warned = by_id[str(scene["spoiler"].pk)]["filtered"]
    assert [r["filter"]["title"] for r in warned] == ["Spoilers"]
    assert [m.lower() for m in warned[0]["keyword_matches"]] == ["dragons"]
    assert by_id[str(scene["plain"].pk)]["filtered"] == []
    # Account statuses aren't a place of either filter.
    shown = api.get(f"/api/v1/accounts/{scene['bo'].pk}/statuses").json()
    assert all(s["filtered"] == [] for s in shown) and len(shown) == 3
    # Another reader is unaffected.
    other = api_for(make_account("cy")).get("/api/v1/timelines/public").json()
    assert all(s.get("filtered", []) == [] for s in other)
