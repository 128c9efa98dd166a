"""The viewer-independent Status/Account cache (mastodon.entities.cache) never serves stale or
another viewer's data: every change shows on the next read, through the API doors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import Account, Visibility
from feeds.models import HomeFeedEntry
from mastodon.entities import cache
from network import actions as network
from posts import actions as posts
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warm_cache() -> Iterator[None]:
    # Start empty; entries made by a test stay (they are correct by construction).
    cache.clear()
    yield


def _home(api: Any) -> list[dict[str, Any]]:
    response = api.get("/api/v1/timelines/home?limit=40")
    assert response.status_code == 200
    return response.json()


def _status(api: Any, post: Post) -> dict[str, Any]:
    response = api.get(f"/api/v1/statuses/{post.pk}")
    assert response.status_code == 200
    return response.json()


def _follow_feed(reader: Account, author: Account, *posts_: Post) -> None:
    network.follow(reader, author)
    for p in posts_:
        HomeFeedEntry.objects.get_or_create(owner=reader, post=p, defaults={"source": author})


def test_edit_shows_at_once(api_for: Any) -> None:
    alice = make_account("alice")
    post = posts.publish(alice, text="first #one")
    api = api_for(alice)
    assert "first" in _status(api, post)["content"]
    assert len(cache.statuses) >= 1
    posts.edit(alice, post, text="second #two")
    data = _status(api, post)
    assert "second" in data["content"] and data["edited_at"] is not None
    assert [t["name"] for t in data["tags"]] == ["two"]


def test_counters_show_at_once(api_for: Any) -> None:
    alice, bob = make_account("alice"), make_account("bob")
    post = posts.publish(alice, text="like me")
    api = api_for(bob)
    assert _status(api, post)["favourites_count"] == 0
    posts.like(bob, post)
    data = _status(api, post)
    assert data["favourites_count"] == 1 and data["favourited"] is True
    posts.reshare(bob, post)
    assert _status(api, post)["reblogs_count"] == 1
    posts.publish(bob, text="a reply", in_reply_to=post)
    assert _status(api, post)["replies_count"] == 1


def test_rename_and_avatar_and_profile_counters_show_at_once(api_for: Any) -> None:
    alice = make_account("alice")
    post = posts.publish(alice, text="hello")
    api = api_for(make_account("bob"))
    first = _status(api, post)
    assert first["account"]["username"] == "alice"
    # Straight to the rows: even a change outside the actions is seen.
    Account.objects.filter(pk=alice.pk).update(username="alicia", display_name="Alicia")
    renamed = _status(api, post)
    assert renamed["account"]["username"] == "alicia"
    assert renamed["account"]["display_name"] == "Alicia"
    assert renamed["url"].endswith(f"/@alicia/{post.pk}")
    Account.objects.filter(pk=alice.pk).update(avatar="avatars/2026/11/new.png")
    assert _status(api, post)["account"]["avatar"].endswith("avatars/2026/11/new.png")
    posts.publish(alice, text="another")
    assert _status(api, post)["account"]["statuses_count"] == 2


def test_mention_rename_shows(api_for: Any) -> None:
    alice, carol = make_account("alice"), make_account("carol")
    post = posts.publish(alice, text="hi @carol")
    api = api_for(alice)
    assert [m["acct"] for m in _status(api, post)["mentions"]] == ["carol"]
    Account.objects.filter(pk=carol.pk).update(username="caroline")
    assert [m["acct"] for m in _status(api, post)["mentions"]] == ["caroline"]


def test_deleted_post_is_gone_and_reply_detaches(api_for: Any) -> None:
    alice = make_account("alice")
    parent = posts.publish(alice, text="parent")
    reply = posts.publish(alice, text="reply", in_reply_to=parent)
    api = api_for(alice)
    assert _status(api, reply)["in_reply_to_id"] == str(parent.pk)
    assert api.delete(f"/api/v1/statuses/{parent.pk}").status_code == 200
    assert api.get(f"/api/v1/statuses/{parent.pk}").status_code == 404
    assert _status(api, reply)["in_reply_to_id"] is None


def test_viewer_state_never_leaks_between_viewers(api_for: Any) -> None:
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    post = posts.publish(alice, text="shared")
    _follow_feed(bob, alice, post)
    _follow_feed(carol, alice, post)
    posts.like(bob, post)
    posts.bookmark(bob, post)
    network.mute(bob, alice)
    by_bob = _status(api_for(bob), post)
    assert by_bob["favourited"] and by_bob["bookmarked"] and by_bob["muted"]
    by_carol = _status(api_for(carol), post)
    assert not by_carol["favourited"] and not by_carol["bookmarked"] and not by_carol["muted"]
    assert "pinned" not in by_carol
    anonymous = api_for(None).get(f"/api/v1/statuses/{post.pk}").json()
    assert "favourited" not in anonymous and "muted" not in anonymous
    # Carol's home page after Bob's: her own state, not his.
    _home(api_for(bob))
    [entry] = _home(api_for(carol))
    assert entry["favourited"] is False and entry["bookmarked"] is False
    assert entry["quote_approval"]["current_user"] == "automatic"


def test_visibility_and_blocks_still_apply_to_cached_statuses(api_for: Any) -> None:
    alice, bob, mallory = make_account("alice"), make_account("bob"), make_account("mallory")
    public = posts.publish(alice, text="public")
    private = posts.publish(alice, text="followers only", visibility=Visibility.FOLLOWERS)
    _follow_feed(bob, alice, public, private)
    assert {s["id"] for s in _home(api_for(bob))} == {str(public.pk), str(private.pk)}
    mallory_api = api_for(mallory)
    assert mallory_api.get(f"/api/v1/statuses/{private.pk}").status_code == 404
    assert _status(mallory_api, public)["content"]
    network.block(alice, mallory)
    assert mallory_api.get(f"/api/v1/statuses/{public.pk}").status_code == 404


def test_quote_state_is_per_viewer(api_for: Any) -> None:
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    quoted = posts.publish(carol, text="quoted")
    quoting = posts.publish(alice, text="look", quote_of=quoted)
    assert _status(api_for(bob), quoting)["quote"]["quoted_status"]["id"] == str(quoted.pk)
    network.block(carol, bob)
    hidden = _status(api_for(bob), quoting)["quote"]
    assert hidden["quoted_status"] is None and hidden["state"] == "unauthorized"
    shown = _status(api_for(alice), quoting)["quote"]
    assert shown["quoted_status"]["id"] == str(quoted.pk)


def test_home_page_query_count_is_constant_cached_or_not(
    api_for: Any, django_assert_max_num_queries: Any
) -> None:
    reader = make_account("reader")
    authors = [make_account(f"author{i}") for i in range(8)]
    made: list[Post] = []
    for i in range(40):
        author = authors[i % len(authors)]
        text = f"post {i} #tag{i % 3} @author{(i + 1) % 8}"
        made.append(posts.publish(author, text=text))
    for author in authors:
        _follow_feed(reader, author, *[p for p in made if p.author_id == author.pk])
    posts.reshare(authors[0], made[5])
    api = api_for(reader)
    cache.clear()
    with django_assert_max_num_queries(50) as cold:
        page = _home(api)
    assert len(page) == 40
    with django_assert_max_num_queries(len(cold.captured_queries)) as warm:
        assert _home(api) == page
    assert len(warm.captured_queries) == len(cold.captured_queries)
    # Five posts cost what forty cost.
    with django_assert_max_num_queries(len(cold.captured_queries)):
        assert len(api.get("/api/v1/timelines/home?limit=5").json()) == 5
