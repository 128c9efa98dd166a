"""The trending page (/explore/trending): posts best first under the trending hashtags,
scoped to the viewer, open to visitors, paged with htmx, linked from where people look."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.actions import block, mute
from posts.actions import like, publish
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db

URL = "/explore/trending"
CARD = re.compile(r'<article class="post-card[^"]*" id="post-(\d+)"')


def card_ids(html: str) -> list[int]:
    return [int(pk) for pk in CARD.findall(html)]


def trending_post(author, text: str, fans, group=None) -> Post:
    """A post of ``author`` (public, or in ``group``) liked by each of ``fans``."""
    post = publish(author, text=text, group=group)
    for fan in fans:
        like(fan, post)
    return post


def test_lists_trending_posts_best_first_under_the_trending_tags(client, run_tasks):
    ana, bo, cy = make_account("ana"), make_account("bo"), make_account("cy")
    fans = [make_account(f"fan{i}") for i in range(4)]
    viewer = make_account("viewer")
    with run_tasks():
        low = trending_post(cy, "a quiet one #gardening", fans[:1])
        top = trending_post(ana, "the big one #gardening", fans)
        mid = trending_post(bo, "a middling one", fans[:2])
        publish(bo, text="nobody liked this")  # no engagement: never trends
    client.force_login(viewer.user)
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert card_ids(html) == [top.pk, mid.pk, low.pk]
    assert "nobody liked this" not in html
    assert 'href="/tags/gardening"' in html and "#gardening" in html
    assert html.index("Trending hashtags") < html.index(f'id="post-{top.pk}"')
    # The explore tabs: this one is current; People shows for a logged-in viewer.
    assert re.search(r'href="/explore/trending" aria-current="page">Trending', html)
    assert 'href="/explore/people"' in html and 'href="/public"' in html


def test_blocked_muted_and_private_group_posts_stay_out(client, run_tasks):
    viewer = make_account("viewer")
    blocked, blocker, muted, fine = (
        make_account(n) for n in ("blocked", "blocker", "muted", "fine")
    )
    owner = make_account("owner")
    fans = [make_account(f"fan{i}") for i in range(3)]
    from groups.actions import approve_request, create_group, join

    circle = create_group(
        owner, name="Inner Circle", handle="inner", visibility="private", join_policy="request"
    )
    for fan in fans:
        join(fan, circle)
        approve_request(owner, circle, fan)
    with run_tasks():
        by_blocked = trending_post(blocked, "from someone I blocked", fans)
        by_blocker = trending_post(blocker, "from someone who blocked me", fans)
        by_muted = trending_post(muted, "from someone I muted", fans)
        ok = trending_post(fine, "plain public post", fans[:1])
        secret = trending_post(owner, "members only news", fans, group=circle)
        block(viewer, blocked)
        block(blocker, viewer)
        mute(viewer, muted)
    assert secret.group_id == circle.pk
    client.force_login(viewer.user)
    html = client.get(URL).content.decode()
    assert card_ids(html) == [ok.pk]
    for hidden in ("blocked", "who blocked me", "I muted", "members only news"):
        assert hidden not in html
    # Someone else still sees the posts the viewer hid (trends are global, hiding is not).
    other = make_account("other")
    client.force_login(other.user)
    seen = set(card_ids(client.get(URL).content.decode()))
    assert {by_blocked.pk, by_blocker.pk, by_muted.pk, ok.pk} <= seen
    assert secret.pk not in seen  # an outsider never reads the private group's post
    client.logout()
    assert secret.pk not in card_ids(client.get(URL).content.decode())


def test_open_to_visitors_like_the_public_explore_page(client, run_tasks):
    author, fan = make_account("author"), make_account("fan")
    with run_tasks():
        post = trending_post(author, "hello visitors #welcome", [fan])
        publish(author, text="followers only", visibility="followers")
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert card_ids(html) == [post.pk]
    assert "followers only" not in html
    assert 'href="/explore/people"' not in html  # personal suggestions need an account
    assert client.get("/public").status_code == 200  # the rule of the other explore page


def test_empty_state_when_nothing_trends(client, run_tasks):
    author = make_account("author")
    with run_tasks():
        publish(author, text="unliked")
    html = client.get(URL).content.decode()
    assert "Nothing is trending right now" in html
    assert "No trending hashtags yet" in html
    assert card_ids(html) == []


def test_load_more_pages_through_the_pool_with_htmx_and_without(client, run_tasks):
    fan = make_account("fan")
    authors = [make_account(f"a{i}") for i in range(23)]
    with run_tasks():
        posts = [trending_post(a, f"post number {i}", [fan]) for i, a in enumerate(authors)]
    first = client.get(URL).content.decode()
    page1 = card_ids(first)
    assert len(page1) == 20
    assert 'href="/explore/trending?offset=20"' in first
    # Same engagement: the newer post is the fresher, so it ranks first.
    assert page1 == [p.pk for p in reversed(posts)][:20]
    more = client.get(URL, {"offset": "20"}, HTTP_HX_REQUEST="true")
    assert more.status_code == 200
    rest = more.content.decode()
    assert "<html" not in rest  # a partial: the next cards only
    assert card_ids(rest) == [p.pk for p in reversed(posts)][20:]
    assert "offset=40" not in rest and "everything trending" in rest
    plain = client.get(URL, {"offset": "20"}).content.decode()  # without JavaScript
    assert "<html" in plain and card_ids(plain) == card_ids(rest)
    assert card_ids(client.get(URL, {"offset": "abc"}).content.decode()) == page1  # junk ignored
    assert card_ids(client.get(URL, {"offset": "99999"}).content.decode()) == []


def test_query_count_does_not_grow_with_the_posts(client, run_tasks):
    viewer = make_account("viewer")
    fan = make_account("fan")
    authors = [make_account(f"a{i}") for i in range(15)]
    client.force_login(viewer.user)

    def count(n: int) -> int:
        cache.clear()  # trends are cached: start cold each time, as a fresh server would
        client.get(URL)  # the session and the side panel warm up the same way for both
        cache.delete_many(["search:trending_posts:100", "search:trending_tags:100"])
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(URL).content.decode()
        assert len(card_ids(html)) == n
        return len(ctx.captured_queries)

    with run_tasks():
        for i, a in enumerate(authors[:5]):
            trending_post(a, f"early {i} #counted", [fan])
    five = count(5)
    with run_tasks():
        for i, a in enumerate(authors[5:]):
            trending_post(a, f"later {i} #counted", [fan])
    assert count(15) == five
    assert five <= 20


def test_linked_from_the_side_panel_search_and_people_pages(client, run_tasks):
    viewer = make_account("viewer")
    assert 'href="/explore/trending"' in client.get("/public").content.decode()
    client.force_login(viewer.user)
    assert 'href="/explore/trending"' in client.get("/").content.decode()  # home's side panel
    assert 'href="/explore/trending"' in client.get("/search").content.decode()
    people = client.get("/explore/people").content.decode()
    assert re.search(r'href="/explore/people" aria-current="page">People', people)
    assert 'href="/explore/trending"' in people
