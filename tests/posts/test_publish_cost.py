"""What publishing costs: statements per post (action and API), and the new post's Status
built from what publish wrote — the same as reading it back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mastodon.actions import issue_token, register_app
from network import actions as network
from posts import actions as posts
from posts.models import PostHashtag
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _writes(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def _api(account: Any) -> Client:
    app, _ = register_app(
        name="Cost test", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write"
    )
    _, raw = issue_token(account.user, app, scopes="read write")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_plain_post_is_two_statements():
    """No mentions, hashtags or media: the post row and the author's count, nothing else
    (the savepoint pair is the test's transaction)."""
    author = make_account("plain")
    with CaptureQueriesContext(connection) as ctx:
        post = posts.publish(author, text="Just words, https://example.org and no tags")
    sql = [s for s in _writes(ctx) if "SAVEPOINT" not in s]
    assert len(sql) == 2, sql
    author.refresh_from_db()
    assert author.posts_count == 1 and author.last_posted_at == post.created_at


def test_post_with_mentions_and_hashtags(django_assert_max_num_queries):
    author = make_account("writer")
    ann, bob = make_account("ann"), make_account("bob")
    posts.publish(make_account("other"), text="#old tag first")
    # The names with their block rules (1), mentions (1), tags and count (PostgreSQL 1,
    # SQLite 3), a notification each (notifications.actions.notify), the savepoint pair.
    with django_assert_max_num_queries(12):
        post = posts.publish(author, text="Hi @ann and @Bob, #New #old #new_two #NEW")
    names = list(
        PostHashtag.objects.filter(post=post).order_by("id").values_list("hashtag__name", flat=True)
    )
    assert names == ["new", "old", "new_two"]  # in the order written, existing tag reused
    assert {m.account_id for m in post.mention_set.all()} == {ann.pk, bob.pk}
    written = posts.written(post)
    assert written is not None
    assert [a.username for a in written.mentions] == ["ann", "bob"]
    assert written.hashtags == ("new", "old", "new_two")
    author.refresh_from_db()
    assert author.posts_count == 1


def test_blocked_either_way_are_not_mentioned():
    author = make_account("speaker")
    blocked, blocking, fine = (
        make_account("blocked"),
        make_account("blocking"),
        make_account("fine"),
    )
    network.block(author, blocked)
    network.block(blocking, author)
    post = posts.publish(author, text="@blocked @blocking @fine @nobody @speaker hello")
    assert [m.account_id for m in post.mention_set.all()] == [fine.pk]
    assert "@blocked" in post.html and 'href="/@blocked"' not in post.html
    assert 'href="/@fine"' in post.html


def test_api_post_reads_nothing_back(run_tasks):
    """``POST /api/v1/statuses``: the token, the post's writes; its Status is built from what
    publish wrote (no query after the commit) and equals the one read back."""
    author = make_account("apiwriter")
    ann = make_account("ann")
    network.follow(ann, author)
    api = _api(author)
    body = {"status": "Hello @ann #Plaza #news https://example.org", "in_reply_to_id": ""}
    api.post("/api/v1/statuses", {"status": "warm-up"})
    with run_tasks(), CaptureQueriesContext(connection) as ctx:
        response = api.post("/api/v1/statuses", body)
    assert response.status_code == 200, response.content
    created = response.json()
    sql = _writes(ctx)
    # Nothing is read once the post is written: the request's last statement ends publish's
    # transaction (its tasks run after the request, outside the capture).
    assert sql[-1].startswith("RELEASE SAVEPOINT"), sql
    fetched = api.get(f"/api/v1/statuses/{created['id']}").json()
    assert created == fetched
    assert [t["name"] for t in created["tags"]] == ["plaza", "news"]
    assert [m["username"] for m in created["mentions"]] == ["ann"]
    assert created["account"]["statuses_count"] == 2


def test_api_reply_status_equals_read_back():
    author, other = make_account("replier"), make_account("original")
    first = posts.publish(other, text="a question #q")
    api = _api(author)
    created = api.post(
        "/api/v1/statuses",
        {
            "status": "@original an answer",
            "in_reply_to_id": str(first.pk),
            "visibility": "unlisted",
        },
    ).json()
    assert created["in_reply_to_id"] == str(first.pk)
    assert created == api.get(f"/api/v1/statuses/{created['id']}").json()
