"""Fixtures for Mastodon API tests: an app, tokens, and a client that sends them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import Account
from mastodon.actions import issue_token, register_app
from mastodon.models import Application

ALL = "read write follow push"


class Api(Client):
    """A Django test client that authenticates every request with one bearer token."""

    def __init__(self, token: str | None) -> None:
        super().__init__(headers={"Authorization": f"Bearer {token}"} if token else {})

    def post_json(self, path: str, body: Any, **extra: Any) -> Any:
        return self.post(path, json.dumps(body), content_type="application/json", **extra)

    def put_json(self, path: str, body: Any, **extra: Any) -> Any:
        return self.put(path, json.dumps(body), content_type="application/json", **extra)

    def patch_json(self, path: str, body: Any, **extra: Any) -> Any:
        return self.patch(path, json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def oauth_app(db: Any) -> Application:
    app, _ = register_app(
        name="Test client",
        redirect_uris=["urn:ietf:wg:oauth:2.0:oob"],
        scopes="read write follow push",
    )
    return app


@pytest.fixture
def api_for(oauth_app: Application) -> Callable[..., Api]:
    """``api_for(account, scopes="read write follow push")`` → an :class:`Api` for that account;
    ``api_for(None)`` → an app-only token; ``api_for(False)`` → no token at all."""

    def make(account: Account | bool | None, scopes: str = ALL) -> Api:
        if account is False:
            return Api(None)
        user = account.user if isinstance(account, Account) else None
        _, raw = issue_token(user, oauth_app, scopes=scopes)
        return Api(raw)

    return make
