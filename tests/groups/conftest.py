"""Fixtures of the group tests: native API clients acting as a given account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import Account
from mastodon.actions import issue_token, register_app


class Native:
    """A test client for the native API (``/api/plaza/v1``) sending one account's token;
    bodies go as JSON unless they carry files."""

    def __init__(self, token: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/plaza/v1{path}", params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/plaza/v1{path}", body or {}, content_type="application/json")

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"/api/plaza/v1{path}", data)  # multipart

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(f"/api/plaza/v1{path}", body, content_type="application/json")

    def delete(self, path: str, body: dict[str, Any] | None = None) -> Any:
        if body is None:
            return self.client.delete(f"/api/plaza/v1{path}")
        return self.client.delete(f"/api/plaza/v1{path}", body, content_type="application/json")


@pytest.fixture
def native(db: Any) -> Callable[[Account], Native]:
    """``native(account)`` → a :class:`Native` client acting as ``account``."""
    app, _ = register_app(
        name="Groups native test",
        redirect_uris=["urn:ietf:wg:oauth:2.0:oob"],
        scopes="read write follow",
    )

    def make(account: Account) -> Native:
        _, raw = issue_token(account.user, app, scopes="read write follow")
        return Native(raw)

    return make
