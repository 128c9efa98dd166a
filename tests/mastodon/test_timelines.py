"""Mastodon API timelines (home, public, tag, list, link) and markers (conversations:
test_conversations*.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mastodon.models import Marker
from network.actions import block, follow, mute
from notifications.models import Notification
from posts.actions import like, publish
from posts.models import MediaAttachment, MediaKind, MediaState
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def links(response: Any) -> dict[str, str]:
    """``{"next": url, "prev": url}`` from a Link header."""
    found = re.findall(r'<([^>]+)>; rel="(\w+)"', response.get("Link", ""))
    return {rel: url for url, rel in found}


def walk(api: Any, url: str) -> list[str]:
    """Follow rel="next" links to the end; every id seen, in order."""
    seen: list[str] = []
    while url:
        response = api.get(url)
        assert response.status_code == 200
        seen += [s["id"] for s in response.json()]
        url = links(response).get("next", "")
        url = url.replace("http://testserver", "") if url else ""
        if url.startswith("http"):
            url = "/" + url.split("/", 3)[3]
    return seen


@pytest.fixture
def people(run_tasks):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    with run_tasks():
        follow(alice, bob)
    return alice, bob, carol


def test_home_shows_followed_and_own_posts_never_strangers_private(api_for, people, run_tasks):
    alice, bob, carol = people
    with run_tasks():
        mine = publish(alice, text="mine")
        bobs = publish(bob, text="bob public")
        bobs_private = publish(bob, text="bob followers", visibility="followers")
        publish(carol, text="carol followers", visibility="followers")
        publish(carol, text="carol public")
    response = api_for(alice).get("/api/v1/timelines/home")
    assert response.status_code == 200
    ids = [s["id"] for s in response.json()]
    assert ids == [str(bobs_private.pk), str(bobs.pk), str(mine.pk)]
    first = response.json()[0]
    assert first["visibility"] == "private"
    assert first["account"]["username"] == "bob"
    assert first["favourited"] is False


def test_home_needs_a_user_token_with_read(api_for, people):
    alice = people[0]
    assert api_for(False).get("/api/v1/timelines/home").status_code == 401
    assert api_for(None).get("/api/v1/timelines/home").status_code == 422
    assert api_for(alice, scopes="write").get("/api/v1/timelines/home").status_code == 403
    assert api_for(alice, scopes="read:statuses").get("/api/v1/timelines/home").status_code == 200


def test_home_bad_paging_input_is_a_4xx(api_for, people):
    api = api_for(people[0])
    for query in ("limit=abc", "max_id=xyz", "since_id=-4", "min_id=1.5"):
        response = api.get(f"/api/v1/timelines/home?{query}")
        assert response.status_code == 422, query
        assert "error" in response.json()
    assert api.get("/api/v1/timelines/home?limit=1000").status_code == 200


def test_home_paging_walks_every_post_once_and_min_id_reads_the_page_above(
    api_for, people, run_tasks
):
    alice, bob, _ = people
    with run_tasks():
        posts = [publish(bob, text=f"post {i}") for i in range(23)]
    expected = [str(p.pk) for p in reversed(posts)]
    api = api_for(alice)
    assert walk(api, "/api/v1/timelines/home?limit=5") == expected
    first = api.get("/api/v1/timelines/home?limit=5")
    rels = links(first)
    assert "max_id=" in rels["next"] and "limit=5" in rels["next"]
    assert f"min_id={expected[0]}" in rels["prev"]
    above = api.get(f"/api/v1/timelines/home?min_id={posts[10].pk}&limit=3").json()
    assert [s["id"] for s in above] == [str(p.pk) for p in reversed(posts[11:14])]
    since = api.get(f"/api/v1/timelines/home?since_id={posts[10].pk}&limit=3").json()
    assert [s["id"] for s in since] == expected[:3]
    assert api.get(f"/api/v1/timelines/home?min_id={posts[-1].pk}").json() == []


def _page_of(api, url: str, django_assert_max_num_queries, n: int) -> None:
    with django_assert_max_num_queries(n):
        assert api.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/timelines/home?limit=40",
        "/api/v1/timelines/public?limit=40",
        "/api/v1/timelines/tag/cats?limit=40",
    ],
)
def test_timelines_cost_the_same_for_5_and_30_posts(
    api_for, run_tasks, url, django_assert_max_num_queries
):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        follow(alice, bob)
    api = api_for(alice)

    def add(n: int) -> None:
        with run_tasks():
            for i in range(n):
                post = publish(bob, text=f"#cats number {i} @alice")
                like(alice, post)

    add(5)
    with django_assert_max_num_queries(40) as small:
        assert len(api.get(url).json()) == 5
    add(25)
    with django_assert_max_num_queries(40) as big:
        assert len(api.get(url).json()) == 30
    assert len(big.captured_queries) == len(small.captured_queries)


def test_public_timeline_works_without_a_token(api_for, run_tasks):
    bob = make_account("bob")
    with run_tasks():
        shown = publish(bob, text="hello world")
        publish(bob, text="quiet", visibility="unlisted")
        publish(bob, text="friends", visibility="followers")
        publish(bob, text="reply", in_reply_to=shown)
    anonymous = api_for(False)
    response = anonymous.get("/api/v1/timelines/public")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == [str(shown.pk)]
    assert "favourited" not in response.json()[0]
    assert anonymous.get("/api/v1/timelines/public?local=true").json()[0]["id"] == str(shown.pk)
    assert anonymous.get("/api/v1/timelines/public?remote=true").json() == []
    assert anonymous.get("/api/v1/timelines/public?local=maybe").status_code == 422
    assert api_for(None).get("/api/v1/timelines/public").status_code == 200


def test_public_timeline_only_media(api_for, run_tasks):
    bob = make_account("bob")
    media = MediaAttachment.objects.create(
        account=bob, kind=MediaKind.IMAGE, state=MediaState.READY, content_type="image/png"
    )
    with run_tasks():
        with_media = publish(bob, text="look", media=[media])
        publish(bob, text="text only")
    ids = [s["id"] for s in api_for(False).get("/api/v1/timelines/public?only_media=1").json()]
    assert ids == [str(with_media.pk)]


def test_public_and_tag_timelines_hide_blocked_and_muted_accounts_for_the_viewer(
    api_for, run_tasks
):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    with run_tasks():
        publish(bob, text="#cats from bob")
        publish(carol, text="#cats from carol")
        block(alice, bob)
        mute(alice, carol)
    for url in ("/api/v1/timelines/public", "/api/v1/timelines/tag/cats"):
        assert api_for(alice).get(url).json() == []
        assert len(api_for(False).get(url).json()) == 2
        assert api_for(bob).get(url).json()[0]["account"]["username"] == "carol"


def test_tag_timeline_filters(api_for, run_tasks):
    bob = make_account("bob")
    with run_tasks():
        cats = publish(bob, text="#cats")
        both = publish(bob, text="#cats #dogs")
        dogs = publish(bob, text="#dogs")
        birds = publish(bob, text="#cats #birds")
        publish(bob, text="#cats secret", visibility="followers")
    api = api_for(False)

    def ids(url: str) -> list[str]:
        response = api.get(url)
        assert response.status_code == 200, response.content
        return [s["id"] for s in response.json()]

    assert ids("/api/v1/timelines/tag/cats") == [str(p.pk) for p in (birds, both, cats)]
    assert ids("/api/v1/timelines/tag/CATS") == [str(p.pk) for p in (birds, both, cats)]
    assert ids("/api/v1/timelines/tag/cats?all[]=dogs") == [str(both.pk)]
    assert ids("/api/v1/timelines/tag/cats?none[]=dogs&none[]=birds") == [str(cats.pk)]
    assert ids("/api/v1/timelines/tag/birds?any[]=dogs") == [str(p.pk) for p in (birds, dogs, both)]
    assert ids("/api/v1/timelines/tag/nobodyusesthis") == []
    assert ids("/api/v1/timelines/tag/cats?remote=true") == []
    assert api.get("/api/v1/timelines/tag/not-a-tag!").status_code == 404


def test_tag_timeline_paging(api_for, run_tasks):
    bob = make_account("bob")
    with run_tasks():
        posts = [publish(bob, text=f"#cats {i}") for i in range(12)]
    assert walk(api_for(False), "/api/v1/timelines/tag/cats?limit=5") == [
        str(p.pk) for p in reversed(posts)
    ]


def test_list_and_link_timelines(api_for):
    api = api_for(make_account("alice"))
    response = api.get("/api/v1/timelines/list/12")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    assert api.get("/api/v1/timelines/link").status_code == 400
    assert api.get("/api/v1/timelines/link?url=https://example.com/").status_code == 404


# --- markers ----------------------------------------------------------------------------


def test_markers_save_read_and_version(api_for, run_tasks):
    alice, bob = make_account("alice"), make_account("bob")
    with run_tasks():
        follow(bob, alice)
        post = publish(alice, text="hi")
        like(bob, post)
    older, newer = Notification.objects.filter(recipient=alice).order_by("id")
    api = api_for(alice)
    assert api.get("/api/v1/markers").json() == {}
    assert api.get("/api/v1/markers?timeline[]=home").json() == {}
    response = api.post("/api/v1/markers", {"home[last_read_id]": str(post.pk)})
    assert response.status_code == 200
    body = response.json()
    assert body["home"]["last_read_id"] == str(post.pk)
    assert body["home"]["version"] == 1
    assert body["home"]["updated_at"].endswith("Z")
    again = api.post_json("/api/v1/markers", {"home": {"last_read_id": str(post.pk + 1)}})
    assert again.json()["home"]["version"] == 2
    # reading notifications marks them read in Plaza too
    response = api.post("/api/v1/markers", {"notifications[last_read_id]": str(older.pk)})
    assert response.json()["notifications"]["last_read_id"] == str(older.pk)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.read_at is not None and newer.read_at is None
    both = api.get("/api/v1/markers?timeline[]=home&timeline[]=notifications").json()
    assert set(both) == {"home", "notifications"}
    assert both["home"]["last_read_id"] == str(post.pk + 1)
    assert api_for(bob).get("/api/v1/markers?timeline[]=home").json() == {}


def test_markers_bad_input(api_for):
    alice = make_account("alice")
    api = api_for(alice)
    assert api.post("/api/v1/markers", {}).status_code == 422
    assert api.post("/api/v1/markers", {"home[last_read_id]": "abc"}).status_code == 422
    assert api.post_json("/api/v1/markers", {"home": {"last_read_id": [1]}}).status_code == 422
    assert not Marker.objects.exists()
    assert (
        api_for(alice, scopes="read")
        .post("/api/v1/markers", {"home[last_read_id]": "1"})
        .status_code
        == 403
    )
    assert api_for(False).get("/api/v1/markers").status_code == 401
