"""Fixtures for notification tests: a staff moderator, and the Mastodon API client."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Account
from tests.factories import make_account
from tests.mastodon.conftest import api_for, oauth_app  # noqa: F401 (fixtures)


@pytest.fixture
def staff(db: Any) -> Account:
    account = make_account("mod")
    account.user.is_staff = True
    account.user.save(update_fields=["is_staff"])
    return account
