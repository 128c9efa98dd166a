"""The API's token lookup (one hand-written statement) gives exactly what the ORM's
``select_related("user__account", "application")`` gives: every column of the token, its
user, the user's account and the app, with the same values and types, in one query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from accounts.models import User
from mastodon.actions import issue_token
from mastodon.api import authenticate
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _columns(instance: Model) -> dict[str, tuple[type, Any]]:
    return {
        f.attname: (type(getattr(instance, f.attname)), getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
    }


def _orm(raw: str) -> Any:
    import hashlib

    checksum = hashlib.sha256(raw.encode()).hexdigest()
    return (
        get_access_token_model()
        .objects.select_related("user__account", "application")
        .get(token_checksum=checksum)
    )


def _same(found: Any, expected: Any) -> None:
    assert _columns(found) == _columns(expected)
    for name in ("user", "application"):
        mine, theirs = getattr(found, name), getattr(expected, name)
        assert (mine is None) == (theirs is None), name
        if theirs is not None:
            assert _columns(mine) == _columns(theirs), name


def test_user_token_matches_the_orm_column_for_column(
    oauth_app: Any, django_assert_num_queries: Any
) -> None:
    ana = make_account(
        "ana",
        locked=True,
        bio="hi",
        interests=["books", "jazz"],
        suspended_at=timezone.now() - dt.timedelta(days=1),
    )
    ana.user.last_login = timezone.now()
    ana.user.save()
    _row, raw = issue_token(ana.user, oauth_app, scopes="read write")
    expected = _orm(raw)
    with django_assert_num_queries(1):
        token = authenticate(raw)
        _same(token, expected)
        assert _columns(token.user.account) == _columns(expected.user.account)
        assert token.user.account.user is token.user
        assert token.user.account.interests == ["books", "jazz"]
        assert token.user.account.locked is True and token.user.is_active is True
        assert token.created.tzinfo is not None and token.user.last_login.tzinfo is not None


def test_app_token_and_user_without_account(oauth_app: Any, django_assert_num_queries: Any) -> None:
    _row, app_only = issue_token(None, oauth_app, scopes="read")
    expected = _orm(app_only)
    with django_assert_num_queries(1):
        token = authenticate(app_only)
        _same(token, expected)
        assert token.user is None
    staff = User.objects.create_user(username="staff", email="staff@example.test", password="x")
    _row, raw = issue_token(staff, oauth_app, scopes="read")
    expected = _orm(raw)
    with django_assert_num_queries(1):
        token = authenticate(raw)
        _same(token, expected)
        assert not hasattr(token.user, "account")  # known absent: no query
