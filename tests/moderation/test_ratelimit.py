"""Rate limits: 429 with X-RateLimit-* headers on the APIs, a clear error on the web, and
nothing written when a limit is reached."""

from __future__ import annotations

import pytest

from accounts.models import Account
from network.models import Follow
from plaza import ratelimit
from posts.models import Post
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(monkeypatch):
    """Every rule allows two hits an hour."""
    rules = {
        name: ratelimit.Rule(limit=2, window=3600, doing=rule.doing)
        for name, rule in ratelimit.RULES.items()
    }
    monkeypatch.setattr(ratelimit, "RULES", rules)


def _assert_429(response):
    assert response.status_code == 429, response.content
    assert "too fast" in response.json()["error"]
    assert response["X-RateLimit-Limit"] == "2"
    assert response["X-RateLimit-Remaining"] == "0"
    assert response["X-RateLimit-Reset"].endswith("Z")


def test_mastodon_posting_limit(tiny, api_for):
    api = api_for(make_account("ana"))
    for n in range(2):
        assert api.post("/api/v1/statuses", {"status": f"post {n}"}).status_code == 200
    _assert_429(api.post("/api/v1/statuses", {"status": "one too many"}))
    assert Post.objects.count() == 2
    # Another account has its own allowance.
    assert (
        api_for(make_account("bob")).post("/api/v1/statuses", {"status": "hi"}).status_code == 200
    )


def test_native_posting_limit(tiny, native_for):
    api = native_for(make_account("ana"))
    for n in range(2):
        response = api.post(
            "/api/plaza/v1/posts", {"text": f"post {n}"}, content_type="application/json"
        )
        assert response.status_code == 201
    _assert_429(api.post("/api/plaza/v1/posts", {"text": "again"}, content_type="application/json"))
    assert Post.objects.count() == 2


def test_web_posting_limit_is_a_form_error(tiny, client):
    client.force_login(make_account("ana").user)
    for n in range(2):
        client.post("/compose", {"text": f"post {n}", "visibility": "public"})
    response = client.post("/compose", {"text": "one too many", "visibility": "public"})
    html = response.content.decode()
    assert "too fast" in html and "one too many" in html
    assert Post.objects.count() == 2


def test_follow_limits(tiny, api_for, native_for, client):
    ana = make_account("ana")
    targets = [make_account(f"t{n}") for n in range(4)]
    api = api_for(ana)
    for t in targets[:2]:
        assert api.post(f"/api/v1/accounts/{t.pk}/follow").status_code == 200
    _assert_429(api.post(f"/api/v1/accounts/{targets[2].pk}/follow"))
    _assert_429(native_for(ana).post(f"/api/plaza/v1/accounts/{targets[2].pk}/follow"))
    client.force_login(ana.user)
    response = client.post(f"/@{targets[3].username}/follow", follow=True)
    assert "too fast" in response.content.decode()
    assert Follow.objects.filter(follower=ana).count() == 2


def test_signup_limit_per_address(tiny, client):
    for n in range(3):
        response = client.post(
            "/signup",
            {
                "username": f"new{n}",
                "email": f"new{n}@example.test",
                "password": "a long enough password 123",
                "kind": "person",
            },
        )
        client.logout()
    assert response.status_code == 400 and "too fast" in response.content.decode()
    assert Account.objects.filter(username__startswith="new").count() == 2


def test_mastodon_signup_limit(tiny, api_for):
    app_api = api_for(None)
    for n in range(3):
        response = app_api.post(
            "/api/v1/accounts",
            {
                "username": f"app{n}",
                "email": f"app{n}@example.test",
                "password": "a long enough password 123",
                "agreement": "true",
            },
        )
    _assert_429(response)
    assert Account.objects.filter(username__startswith="app").count() == 2


def test_report_limit(tiny, api_for):
    ana = make_account("ana")
    api = api_for(ana)
    for n in range(2):
        target = make_account(f"r{n}")
        assert api.post_json("/api/v1/reports", {"account_id": str(target.pk)}).status_code == 200
    _assert_429(api.post_json("/api/v1/reports", {"account_id": str(make_account("r9").pk)}))


def test_usage_counts_without_hitting():
    ana = make_account("ana")
    before = ratelimit.usage("post", ana)
    ratelimit.hit("post", ana)
    assert ratelimit.usage("post", ana).remaining == before.remaining - 1


def test_messaging_limits_on_both_apis(tiny, api_for, native_for):
    from messaging.models import Message
    from network.actions import accept_connection, request_connection

    ana, bob = make_account("ana"), make_account("bob")
    request_connection(ana, bob)
    accept_connection(bob, ana)
    native = native_for(ana)
    started = native.post(
        "/api/plaza/v1/conversations",
        {"to": ["bob"], "text": "first"},
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    url = f"/api/plaza/v1/conversations/{started.json()['id']}/messages"
    assert native.post(url, {"text": "second"}, content_type="application/json").status_code == 201
    _assert_429(native.post(url, {"text": "third"}, content_type="application/json"))
    # The Mastodon API's direct statuses are messages too, and share the allowance.
    _assert_429(
        api_for(ana).post("/api/v1/statuses", {"status": "@bob third", "visibility": "direct"})
    )
    assert list(Message.objects.order_by("pk").values_list("text", flat=True)) == [
        "first",
        "second",
    ]
    # Bob has his own allowance, on the Mastodon API as well.
    reply = api_for(bob).post("/api/v1/statuses", {"status": "@ana hi", "visibility": "direct"})
    assert reply.status_code == 200, reply.content
