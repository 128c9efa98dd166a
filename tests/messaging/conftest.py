"""Fixtures for direct-message tests: people who know each other, and API clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Account
from mastodon.actions import issue_token, register_app
from mastodon.models import Application
from network import actions as network
from tests.api.conftest import ALL, Api
from tests.factories import make_account


def connect(a: Account, b: Account) -> None:
    """Make ``a`` and ``b`` connected (so messages between them are never requests)."""
    network.request_connection(a, b)
    network.accept_connection(b, a)


@pytest.fixture
def ana(db: Any) -> Account:
    return make_account("ana")


@pytest.fixture
def bo(db: Any) -> Account:
    return make_account("bo")


@pytest.fixture
def friends(ana: Account, bo: Account) -> tuple[Account, Account]:
    connect(ana, bo)
    return ana, bo


@pytest.fixture
def dm_app(db: Any) -> Application:
    app, _ = register_app(name="DM test", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=ALL)
    return app


@pytest.fixture
def api_for(dm_app: Application) -> Callable[..., Api]:
    """``api_for(account, scopes=ALL)``: a schema-checking API client acting as ``account``."""

    def make(account: Account, scopes: str = ALL) -> Api:
        _, raw = issue_token(account.user, dm_app, scopes=scopes)
        return Api(raw)

    return make
