"""Query budgets of the two hot Mastodon API requests (see bench/profile_api.py)."""

from __future__ import annotations

from typing import Any

import pytest

from mastodon.api import authenticate
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def test_posting_answers_with_fresh_counters_in_few_queries(
    api_for: Any, django_assert_max_num_queries: Any
) -> None:
    alice = make_account("alice")
    make_account("bob")
    api = api_for(alice)
    api.post("/api/v1/statuses", {"status": "warm up"})
    with django_assert_max_num_queries(20):
        response = api.post("/api/v1/statuses", {"status": "hi @bob #plaza https://example.org"})
    assert response.status_code == 200
    data = response.json()
    assert data["account"]["statuses_count"] == 2
    assert [m["acct"] for m in data["mentions"]] == ["bob"]
    assert [t["name"] for t in data["tags"]] == ["plaza"]
    assert data["favourited"] is False and data["pinned"] is False


def test_token_lookup_is_one_query_with_user_account_and_app(
    oauth_app: Any, django_assert_num_queries: Any
) -> None:
    from mastodon.actions import issue_token

    alice = make_account("alice")
    _row, raw = issue_token(alice.user, oauth_app, scopes="read")
    with django_assert_num_queries(1):
        token = authenticate(raw)
        assert token.user.account.pk == alice.pk
        assert token.application.pk == oauth_app.pk
        assert token.user.account.user is token.user
    _row, app_only = issue_token(None, oauth_app, scopes="read")
    with django_assert_num_queries(1):
        token = authenticate(app_only)
        assert token.user is None and token.application.pk == oauth_app.pk
    assert authenticate("not a token") is None


def test_expired_and_revoked_tokens_are_refused(api_for: Any, oauth_app: Any) -> None:
    import datetime as dt

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model

    alice = make_account("alice")
    api = api_for(alice)
    assert api.get("/api/v1/timelines/home").status_code == 200
    get_access_token_model().objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/api/v1/timelines/home").status_code == 401
    get_access_token_model().objects.all().delete()
    assert api.get("/api/v1/timelines/home").status_code == 401
