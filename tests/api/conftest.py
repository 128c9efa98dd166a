"""Fixtures for native API tests: tokens, and a client that checks every answer against the
API's own OpenAPI schema (status documented, body matching the schema)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema_rs
import pytest
from django.test import Client

from accounts.models import Account
from mastodon.actions import issue_token, register_app
from mastodon.models import Application
from plaza.api import api
from tests.api.fuzzing import wsgi_app  # noqa: F401 (fixture)

PREFIX = "/api/plaza/v1"
ALL = "read write follow push"


@cache
def openapi() -> dict[str, Any]:
    return json.loads(json.dumps(api.get_openapi_schema(), default=str))


@cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    ops = []
    for template, methods in openapi()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$")
        for method, op in methods.items():
            ops.append((pattern, method.upper(), op))
    # Literal segments before parameters: /accounts/by-username/x is not /accounts/{id}.
    ops.sort(key=lambda item: item[0].pattern.count("[^/]+"))
    return ops


@cache
def _validator(path: str, method: str, status: str) -> Any:
    for pattern, op_method, op in _operations():
        if op_method == method and pattern.match(path):
            responses = op["responses"]
            assert status in responses, f"{method} {path} answered undocumented {status}"
            content = responses[status].get("content")
            if not content:
                return None
            schema = dict(content["application/json"]["schema"])
            schema["components"] = openapi().get("components", {})
            return jsonschema_rs.validator_for(schema)
    raise AssertionError(f"{method} {path} is not in the OpenAPI schema")


def check_against_schema(method: str, path: str, response: Any) -> None:
    """Fail unless ``response`` is documented for ``method path`` and matches its schema."""
    validator = _validator(path, method, str(response.status_code))
    body = response.content
    if validator is None:
        assert not body, f"{method} {path} {response.status_code}: undocumented body"
        return
    assert response["Content-Type"].startswith("application/json")
    validator.validate(json.loads(body))


class Api(Client):
    """A test client with one bearer token that validates every native API response."""

    def __init__(self, token: str | None = None, **kwargs: Any) -> None:
        super().__init__(headers={"Authorization": f"Bearer {token}"} if token else {}, **kwargs)
        self._token = token

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        path = request["PATH_INFO"]
        if path.startswith(PREFIX + "/") and not path.endswith(("/openapi.json", "/docs")):
            check_against_schema(request["REQUEST_METHOD"], path, response)
        return response

    def post_json(self, path: str, body: Any = None) -> Any:
        return self.post(path, json.dumps(body), content_type="application/json")

    def patch_json(self, path: str, body: Any) -> Any:
        return self.patch(path, json.dumps(body), content_type="application/json")

    def delete_json(self, path: str, body: Any = None) -> Any:
        return self.delete(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def oauth_app(db: Any) -> Application:
    app, _ = register_app(
        name="Native API test", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=ALL
    )
    return app


@pytest.fixture
def api_for(oauth_app: Application) -> Callable[..., Api]:
    """``api_for(account, scopes=ALL)`` → an :class:`Api` acting as ``account``;
    ``api_for(None)`` → an app-only token; ``api_for(False)`` → no token at all."""

    def make(account: Account | bool | None, scopes: str = ALL) -> Api:
        if account is False:
            return Api(None)
        user = account.user if isinstance(account, Account) else None
        _, raw = issue_token(user, oauth_app, scopes=scopes)
        return Api(raw)

    return make
