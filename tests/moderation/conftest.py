"""Fixtures for moderation tests: a staff moderator, and the Mastodon API client fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import Account
from mastodon.actions import issue_token, register_app
from tests.api.fuzzing import wsgi_app  # noqa: F401 (fixture)
from tests.factories import make_account
from tests.mastodon.conftest import api_for, oauth_app  # noqa: F401 (fixtures)


@pytest.fixture
def staff(db: Any) -> Account:
    account = make_account("mod")
    account.user.is_staff = True
    account.user.save(update_fields=["is_staff"])
    return account


@pytest.fixture
def native_for(db: Any) -> Callable[[Account], Client]:
    """``native_for(account)`` → a test client sending a bearer token for the native API."""
    app, _ = register_app(
        name="Native test", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read write follow"
    )

    def make(account: Account) -> Client:
        _, raw = issue_token(account.user, app, scopes="read write follow")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make
